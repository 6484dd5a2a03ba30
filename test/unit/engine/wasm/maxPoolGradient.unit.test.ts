import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmConvFilterGradient } from '../../../../src/engine/wasm/convFilterGradient';
import { registerWasmMaxPoolGradient } from '../../../../src/engine/wasm/maxPoolGradient';
import {
  digitValues,
  relativeMaxDiff,
  testKernelReplacement,
  valuesOn,
  waveValues,
} from '../../../helpers/wasmKernelTesting';

interface Case {
  readonly side: number;
  readonly window: number;
  readonly stride: number;
  readonly pad: 'same' | 'valid' | number;
}

const BATCH = 4;
const CHANNELS = 4;

before(async () => {
  assert.equal(await tf.setBackend('wasm'), true, 'the wasm backend must initialise');
  registerWasmConvFilterGradient();
  registerWasmMaxPoolGradient();
});

/**
 * What a pool sees in a CNN: relu(conv3×3(real digits)), computed once on cpu so that both backends
 * get bit-identical input, and therefore identical ties. Zeros from the relu tie everywhere, and a
 * 3×3 filter over a saturated stroke gives equal positive sums at neighbouring pixels.
 */
async function poolInput(side: number): Promise<Float32Array> {
  return valuesOn('cpu', () => {
    const digits = tf.tensor4d(digitValues(BATCH, side, side), [BATCH, side, side, 1]);
    const filter = tf.tensor4d(
      waveValues([3, 3, 1, CHANNELS], 0.7).map((v) => Math.abs(v) - 0.3),
      [3, 3, 1, CHANNELS],
    );
    return tf.relu(tf.conv2d(digits, filter, 1, 'same'));
  });
}

async function maxPoolGradient(backend: 'cpu' | 'wasm', c: Case, input: Float32Array): Promise<Float32Array> {
  return valuesOn(backend, () => runMaxPoolGradient(c, input));
}

function runMaxPoolGradient(c: Case, values: Float32Array): tf.Tensor {
  const input = tf.tensor4d(values, [BATCH, c.side, c.side, CHANNELS]);
  const output = tf.maxPool(input, c.window, c.stride, c.pad);
  // dy: other real digits, one per channel, at the pooled size.
  const dy = tf.tensor4d(digitValues(BATCH, output.shape[1], output.shape[2], CHANNELS, 3), output.shape);
  return tf
    .engine()
    .runKernel(
      'MaxPoolGrad',
      { dy, input, output },
      { filterSize: c.window, strides: c.stride, pad: c.pad },
    ) as tf.Tensor;
}

/** Non-overlapping 2×2 windows whose maximum occurs more than once, split by whether it is 0. */
function countTies(values: Float32Array, side: number): { zero: number; positive: number } {
  const ties = { zero: 0, positive: 0 };
  for (let b = 0; b < BATCH; b++) {
    for (let row = 0; row + 1 < side; row += 2) {
      for (let col = 0; col + 1 < side; col += 2) {
        for (let c = 0; c < CHANNELS; c++) {
          const at = (r: number, q: number) => values[((b * side + r) * side + q) * CHANNELS + c];
          const window = [at(row, col), at(row, col + 1), at(row + 1, col), at(row + 1, col + 1)];
          const max = Math.max(...window);
          if (window.filter((v) => v === max).length > 1) ties[max === 0 ? 'zero' : 'positive']++;
        }
      }
    }
  }
  return ties;
}

test('the real-digit input has tied maxima, both zeros and positive values', async () => {
  const ties = countTies(await poolInput(28), 28);
  assert.ok(ties.zero > 100, `windows tied at 0: ${ties.zero}`);
  assert.ok(ties.positive > 10, `windows tied at a positive value: ${ties.positive}`);
});

const exactCases: Case[] = [
  { side: 28, window: 2, stride: 2, pad: 'same' },
  { side: 14, window: 2, stride: 2, pad: 'valid' },
  // Odd sides: 'same' pads a last row and column, whose windows are 2×1, 1×2 and 1×1; 'valid' drops them.
  { side: 7, window: 2, stride: 2, pad: 'same' },
  { side: 7, window: 2, stride: 2, pad: 'valid' },
  // Leading padding: every window is clipped differently, through the general loop.
  { side: 9, window: 2, stride: 2, pad: 1 },
  { side: 9, window: 3, stride: 3, pad: 'same' },
];
for (const c of exactCases) {
  test(`equals cpu exactly, ties and zeros included: ${c.side}×${c.side}, window ${c.window}, stride ${c.stride}, pad ${c.pad}`, async () => {
    const input = await poolInput(c.side);
    const expected = await maxPoolGradient('cpu', c, input);
    const actual = await maxPoolGradient('wasm', c, input);
    assert.ok(
      expected.some((v) => v !== 0),
      'the reference gradient must not be all zeros',
    );
    assert.deepEqual(actual, expected);
  });
}

// Overlapping windows add up in a different order than on cpu, so only up to rounding.
const overlappingCases: Case[] = [
  { side: 14, window: 3, stride: 2, pad: 'same' },
  { side: 9, window: 3, stride: 1, pad: 'valid' },
];
for (const c of overlappingCases) {
  test(`matches cpu with overlapping windows: ${c.side}×${c.side}, window ${c.window}, stride ${c.stride}, pad ${c.pad}`, async () => {
    const input = await poolInput(c.side);
    const expected = await maxPoolGradient('cpu', c, input);
    const actual = await maxPoolGradient('wasm', c, input);
    assert.ok(relativeMaxDiff(actual, expected) < 1e-6);
    // The same positions get a gradient: no tie resolved differently.
    assert.deepEqual(
      actual.map((v) => Number(v !== 0)),
      expected.map((v) => Number(v !== 0)),
    );
  });
}

test('a tie goes to the first maximum in row-major window order, as on cpu', async () => {
  // One 4×4 image, four 2×2 windows: all zero; 2 at (0,1) and (1,0); 3 at (1,0) and (1,1); 5 at three places.
  const image = [0, 0, 1, 2, 0, 0, 2, 1, 3, 3, 5, 1, 3, 3, 5, 5];
  const run = () => {
    const input = tf.tensor4d(image, [1, 4, 4, 1]);
    const output = tf.maxPool(input, 2, 2, 'valid');
    const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    return tf
      .engine()
      .runKernel('MaxPoolGrad', { dy, input, output }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
  };
  const expected = [1, 0, 0, 2, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0];
  assert.deepEqual(Array.from(await valuesOn('cpu', run)), expected);
  assert.deepEqual(Array.from(await valuesOn('wasm', run)), expected);
});

const inputs = new Map<number, Float32Array>();
testKernelReplacement(
  'MaxPoolGrad',
  registerWasmMaxPoolGradient,
  () => {
    for (const c of [...exactCases, ...overlappingCases])
      tf.tidy(() => void runMaxPoolGradient(c, inputs.get(c.side)!));
  },
  async () => {
    for (const c of [...exactCases, ...overlappingCases])
      inputs.set(c.side, inputs.get(c.side) ?? (await poolInput(c.side)));
  },
);
