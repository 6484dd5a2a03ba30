// Shared by the tests of our wasm kernel replacements (src/engine/wasm*.ts): real-digit inputs,
// a comparison with the cpu backend, a leak check and a short training run of the audit CNN.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createCnn } from '../../src/core/training/model';
import { realImages, SOURCE_SIZE } from './realImages';

/**
 * `count` real MNIST digits as [count, height, width, channels] values in [0, 1], each shrunk from
 * 28×28 by block averaging (remainder rows/columns dropped) so that small sizes still show strokes.
 * Channel c of item i is digit (offset + i·channels + c), so channels differ from each other.
 */
export function digitValues(count: number, height: number, width: number, channels = 1, offset = 0): Float32Array {
  const digits = realImages(offset + count * channels, { seed: 11 }).images;
  const values = new Float32Array(count * height * width * channels);
  for (let item = 0; item < count; item++) {
    for (let c = 0; c < channels; c++) {
      const shrunk = shrink(digits[offset + item * channels + c], height, width);
      shrunk.forEach((v, pixel) => (values[(item * height * width + pixel) * channels + c] = v));
    }
  }
  return values;
}

/** One 28×28 byte image as height×width values in [0, 1], by averaging blocks of pixels. */
function shrink(image: Uint8Array, height: number, width: number): Float32Array {
  if (height > SOURCE_SIZE || width > SOURCE_SIZE)
    throw new RangeError(`cannot shrink a ${SOURCE_SIZE}×${SOURCE_SIZE} digit to ${height}×${width}`);
  const block = Math.floor(SOURCE_SIZE / Math.max(height, width));
  const values = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < block; dy++) {
        for (let dx = 0; dx < block; dx++) sum += image[(y * block + dy) * SOURCE_SIZE + x * block + dx];
      }
      values[y * width + x] = sum / (block * block * 255);
    }
  }
  return values;
}

/** Deterministic, varied weights of a given shape (a smooth wave, not noise). */
export function waveValues(shape: readonly number[], frequency = 0.9): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i * frequency));
}

/** Runs `compute` on `backend` inside tidy and returns its values, read back to JS. */
export async function valuesOn(backend: 'cpu' | 'wasm', compute: () => tf.Tensor): Promise<Float32Array> {
  assert.equal(await tf.setBackend(backend), true, `the ${backend} backend must initialise`);
  return tf.tidy(() => compute().dataSync() as Float32Array);
}

/** max |actual − expected| / max |expected|; fails when the reference is all zeros (a vacuous comparison). */
export function relativeMaxDiff(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  assert.ok(scale > 0, 'the reference must not be all zeros');
  return diff / scale;
}

/**
 * Runs `work` on the active backend and asserts that afterwards neither the engine (tensors) nor the
 * backend (its data buffers, e.g. on the wasm heap) holds anything more than before.
 */
export function assertNoLeak(work: () => void): void {
  const backend = tf.backend();
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = backend.numDataIds();
  work();
  assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked');
  assert.equal(backend.numDataIds(), buffersBefore, 'backend buffers leaked');
}

/**
 * Trains the audit CNN (src/core/training/model.ts) for `steps` Adam steps on one batch of 32 real digits,
 * shrunk to 14×14 to keep tests fast, on the active backend; returns the loss before each step.
 * Cleans up after itself.
 */
export function trainAuditCnn(steps: number): number[] {
  const count = 32;
  const side = SOURCE_SIZE / 2;
  const { images, labels, classNames } = realImages(count, { seed: 5 });
  const x = tf.tensor4d(Float32Array.from(images.flatMap((image) => Array.from(shrink(image, side, side)))), [
    count,
    side,
    side,
    1,
  ]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classNames.length));
  const model = createCnn({ inputSize: side, channels: 1, numClasses: classNames.length }, 3);
  const optimizer = tf.train.adam(0.003);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.logits(x)) as tf.Scalar, true);
    losses.push(loss!.dataSync()[0]);
    loss!.dispose();
  }
  optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return losses;
}

/**
 * The tests every wasm kernel replacement shares: `exercise` (calls through the kernel, fast path
 * and fallback alike) leaves no tensor or wasm buffer behind; registering twice keeps our kernel and
 * warns nothing; and the audit CNN trains on wasm with it.
 *
 * @param prepare Runs before `exercise` on the wasm backend, outside the leak check (e.g. loads inputs).
 */
export function testKernelReplacement(
  kernelName: string,
  register: () => void,
  exercise: () => void,
  prepare: () => Promise<void> = async () => undefined,
): void {
  test('repeated calls leave no tensor or wasm buffer behind', async () => {
    await prepare();
    await tf.setBackend('wasm');
    assertNoLeak(() => {
      for (let round = 0; round < 3; round++) exercise();
    });
  });

  test('registering twice keeps our kernel and warns nothing', (t) => {
    const warn = t.mock.method(console, 'warn', () => undefined);
    const ours = tf.getKernel(kernelName, 'wasm').kernelFunc;
    register();
    register();
    assert.equal(warn.mock.callCount(), 0);
    assert.equal(tf.getKernel(kernelName, 'wasm').kernelFunc, ours);
  });

  test('the audit CNN trains on wasm with it: the loss falls and nothing leaks', async () => {
    await tf.setBackend('wasm');
    let losses: number[] = [];
    assertNoLeak(() => {
      losses = trainAuditCnn(10);
    });
    assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
    assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss went ${losses[0]} → ${losses[losses.length - 1]}`);
  });
}

/** Padding as the conv kernels take it. */
export type ConvPad =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** One convolution shape for the gradient-kernel tests. */
export interface ConvCase {
  readonly side: number;
  readonly kernel: number;
  readonly inChannels: number;
  readonly stride: number;
  readonly pad: ConvPad;
}

/**
 * The convolution shapes both conv-gradient replacements are checked on: strides 1 and 2 × same and
 * valid, 3×3 and 5×5 kernels, odd sides and an even side with stride 2 (which leaves a row and a
 * column that 'valid' never reads), numeric padding and explicit padding wider than the filter.
 */
export const CONV_CASES: readonly ConvCase[] = [
  ...[1, 2].flatMap((stride) =>
    (['same', 'valid'] as const).flatMap((pad) => [
      { side: 7, kernel: 3, inChannels: 1, stride, pad },
      { side: 7, kernel: 5, inChannels: 3, stride, pad },
      { side: 14, kernel: 3, inChannels: 3, stride, pad },
    ]),
  ),
  { side: 9, kernel: 3, inChannels: 2, stride: 2, pad: 1 },
  {
    side: 9,
    kernel: 3,
    inChannels: 2,
    stride: 2,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
];
