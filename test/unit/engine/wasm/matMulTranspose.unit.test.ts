import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmConvFilterGradient } from '../../../../src/engine/wasm/convFilterGradient';
import { registerWasmMatMulTranspose } from '../../../../src/engine/wasm/matMulTranspose';
import { digitValues, relativeMaxDiff, testKernelReplacement, valuesOn } from '../../../helpers/wasmKernelTesting';

/** A matrix (batch) of real digits: each image block-averaged to height×width, then reshaped. */
interface Operand {
  readonly images: number;
  readonly height: number;
  readonly width: number;
  readonly shape: number[];
  readonly offset: number;
}

interface Case {
  readonly name: string;
  readonly a: Operand;
  readonly b: Operand;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

before(async () => {
  assert.equal(await tf.setBackend('wasm'), true, 'the wasm backend must initialise');
  registerWasmConvFilterGradient();
  registerWasmMatMulTranspose();
});

const operand = (images: number, height: number, width: number, shape: number[], offset: number): Operand => ({
  images,
  height,
  width,
  shape,
  offset,
});

const cases: Case[] = [
  // A dense layer's gradients: dx = dy·Wᵀ and dW = xᵀ·dy (x: 8 flattened 14×14 digits).
  {
    name: 'dy·Wᵀ',
    a: operand(1, 8, 16, [8, 16], 0),
    b: operand(16, 14, 14, [196, 16], 1),
    transposeA: false,
    transposeB: true,
  },
  {
    name: 'xᵀ·dy',
    a: operand(8, 14, 14, [8, 196], 20),
    b: operand(1, 8, 16, [8, 16], 2),
    transposeA: true,
    transposeB: false,
  },
  {
    name: 'aᵀ·bᵀ',
    a: operand(8, 14, 14, [8, 196], 3),
    b: operand(1, 8, 16, [16, 8], 30),
    transposeA: true,
    transposeB: true,
  },
  {
    name: 'no transpose (left to the original kernel)',
    a: operand(8, 14, 14, [8, 196], 4),
    b: operand(16, 14, 14, [196, 16], 40),
    transposeA: false,
    transposeB: false,
  },
  // Batched, and batched with the batch axis broadcast.
  {
    name: 'batched aᵀ·b',
    a: operand(3, 12, 20, [3, 12, 20], 5),
    b: operand(3, 12, 9, [3, 12, 9], 50),
    transposeA: true,
    transposeB: false,
  },
  {
    name: 'batched a·bᵀ',
    a: operand(3, 12, 20, [3, 12, 20], 6),
    b: operand(3, 9, 20, [3, 9, 20], 60),
    transposeA: false,
    transposeB: true,
  },
  {
    name: 'broadcast batch a·bᵀ',
    a: operand(1, 12, 20, [1, 12, 20], 7),
    b: operand(3, 9, 20, [3, 9, 20], 70),
    transposeA: false,
    transposeB: true,
  },
];

function runMatMul(c: Case): tf.Tensor {
  const tensor = (o: Operand) => tf.tensor(digitValues(o.images, o.height, o.width, 1, o.offset), o.shape);
  return tf.matMul(tensor(c.a), tensor(c.b), c.transposeA, c.transposeB);
}

for (const c of cases) {
  test(`wasm matMul matches cpu: ${c.name}, ${JSON.stringify(c.a.shape)} × ${JSON.stringify(c.b.shape)}`, async () => {
    const expected = await valuesOn('cpu', () => runMatMul(c));
    const actual = await valuesOn('wasm', () => runMatMul(c));
    assert.ok(relativeMaxDiff(actual, expected) < 1e-5);
  });
}

testKernelReplacement('BatchMatMul', registerWasmMatMulTranspose, () => {
  for (const c of cases) tf.tidy(() => void runMatMul(c));
});
