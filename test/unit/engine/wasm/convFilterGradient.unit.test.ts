import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvFilterGradient } from '../../../../src/engine/wasm/convFilterGradient';
import { realImages, SOURCE_SIZE } from '../../../helpers/realImages';
import { CONV_CASES, relativeMaxDiff, type ConvCase } from '../../../helpers/wasmKernelTesting';

type Case = ConvCase;

const BATCH = 3;
const OUT_CHANNELS = 4;
// Enough digits for the widest case: BATCH samples × WIDE_CHANNELS channels, plus dy's offset of 2.
const WIDE_CHANNELS = 6;
const digits = realImages(BATCH * WIDE_CHANNELS + 2, { seed: 11 }).images;

before(async () => {
  // In Node the package's main file sits next to its .wasm binaries, so no setWasmPaths is needed.
  assert.equal(await tf.setBackend('wasm'), true, 'the wasm backend must initialise');
  registerWasmConvFilterGradient();
});

/**
 * A [BATCH, side, side, channels] batch of real digits, each shrunk from 28×28 by block averaging
 * (the remainder rows/columns are dropped) so that small odd sides like 7 still show strokes.
 * Channel c of sample b is digit b·channels + c, so channels differ from each other.
 */
function digitBatch(side: number, channels: number, offset = 0): tf.Tensor4D {
  const block = Math.floor(SOURCE_SIZE / side);
  const values = new Float32Array(BATCH * side * side * channels);
  for (let b = 0; b < BATCH; b++) {
    for (let c = 0; c < channels; c++) {
      const image = digits[offset + b * channels + c];
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          let sum = 0;
          for (let dy = 0; dy < block; dy++) {
            for (let dx = 0; dx < block; dx++) sum += image[(y * block + dy) * SOURCE_SIZE + x * block + dx];
          }
          values[((b * side + y) * side + x) * channels + c] = sum / (block * block * 255);
        }
      }
    }
  }
  return tf.tensor4d(values, [BATCH, side, side, channels]);
}

/**
 * ∂/∂filter of Σ conv2d(x, filter) ⊙ weights on `backend`. The loss is linear in the conv output, so
 * dy = weights exactly on both backends and only the filter-gradient kernels are compared.
 */
async function filterGradient(backend: string, c: Case): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = digitBatch(c.side, c.inChannels);
    const filterShape: [number, number, number, number] = [c.kernel, c.kernel, c.inChannels, OUT_CHANNELS];
    const filter = tf.tensor4d(
      Float32Array.from({ length: c.kernel * c.kernel * c.inChannels * OUT_CHANNELS }, (_, i) => Math.cos(i * 0.9)),
      filterShape,
    );
    const outShape = tf.conv2d(x, filter, c.stride, c.pad).shape;
    // dy: another set of real digits, resized to the conv output and spread over the out channels.
    const perChannel = tf.tensor1d([-0.8, 0.3, 1, 1.7]);
    const weights = tf.mul(
      tf.tile(tf.image.resizeBilinear(digitBatch(c.side, 1, 2), [outShape[1], outShape[2]]), [1, 1, 1, OUT_CHANNELS]),
      perChannel,
    );
    const loss = (f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad), weights));
    return tf.grad(loss)(filter).dataSync() as Float32Array;
  });
}

// CONV_CASES have up to 3 input channels, which the kernel's patch-matrix formulation handles; these
// wider inputs go through its other formulation (transposed convolution).
const cases: ConvCase[] = [
  ...CONV_CASES,
  ...[1, 2].flatMap((stride) =>
    (['same', 'valid'] as const).map((pad) => ({ side: 7, kernel: 3, inChannels: WIDE_CHANNELS, stride, pad })),
  ),
];

for (const c of cases) {
  const name = `${c.side}×${c.side}×${c.inChannels} input, ${c.kernel}×${c.kernel} kernel, stride ${c.stride}, pad ${JSON.stringify(c.pad)}`;
  test(`wasm filter gradient matches cpu: ${name}`, async () => {
    const expected = await filterGradient('cpu', c);
    const actual = await filterGradient('wasm', c);
    const diff = relativeMaxDiff(actual, expected);
    assert.ok(diff < 1e-4, `relative max diff ${diff}`);
  });
}

test('registering twice keeps one kernel and warns nothing', (t) => {
  const warn = t.mock.method(console, 'warn', () => undefined);
  registerWasmConvFilterGradient();
  registerWasmConvFilterGradient();
  assert.equal(warn.mock.callCount(), 0);
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
});

test('NCHW data is refused with a message that names the supported layout', async () => {
  await tf.setBackend('wasm');
  const x = tf.zeros([1, 1, 5, 5]);
  const dy = tf.zeros([1, 2, 3, 3]);
  assert.throws(
    () =>
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        {
          strides: 1,
          pad: 'valid',
          dataFormat: 'NCHW',
          filterShape: [3, 3, 1, 2],
        },
      ),
    /supports only NHWC/,
  );
  tf.dispose([x, dy]);
});

/** A tiny two-layer conv net on real digits: returns the loss before each of `steps` Adam steps. */
function trainTinyNet(steps: number): number[] {
  const { images, labels } = realImages(32, { seed: 5, classes: [0, 1, 7] });
  const x = tf.tensor4d(Float32Array.from(images.flatMap((image) => Array.from(image, (v) => v / 255))), [
    32,
    SOURCE_SIZE,
    SOURCE_SIZE,
    1,
  ]);
  const y = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        labels.map((label) => [0, 1, 7].indexOf(label)),
        'int32',
      ),
      3,
    ),
  );
  // Deterministic, varied initial weights; tidy frees the source tensor, the variable keeps its data.
  const init = (shape: number[], scale: number) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 1.7) * scale),
          shape,
        ),
      ),
    );
  const w1 = init([3, 3, 1, 8], 0.4);
  const w2 = init([3, 3, 8, 8], 0.15);
  const w3 = init([7 * 7 * 8, 3], 0.05);
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(() => {
      const h1 = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 2, 'same'));
      const h2 = tf.relu(tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'same'));
      const logits = tf.matMul(tf.reshape(h2, [32, -1]), w3 as tf.Tensor2D);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, true);
    losses.push(loss!.dataSync()[0]);
    loss!.dispose();
  }
  optimizer.dispose();
  tf.dispose([x, y, w1, w2, w3]);
  return losses;
}

test('a tiny conv net trains on wasm: the loss falls and no tensor leaks', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = backend.numDataIds();
  const losses = trainTinyNet(10);
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss went ${losses[0]} → ${losses[losses.length - 1]}`);
  // Ten gradient steps, and neither the engine nor the wasm heap holds anything more than before.
  assert.equal(tf.memory().numTensors, tensorsBefore);
  assert.equal(backend.numDataIds(), buffersBefore);
});
