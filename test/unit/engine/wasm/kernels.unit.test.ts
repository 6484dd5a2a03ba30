import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createCnn } from '../../../../src/core/training/model';
import { registerWasmTrainingKernels } from '../../../../src/engine/wasm/kernels';
import { realImages } from '../../../helpers/realImages';
import { assertNoLeak, digitValues, relativeMaxDiff } from '../../../helpers/wasmKernelTesting';

const BATCH = 4;
// Odd, so both pools pad a last row and column (11 → 6 → 3).
const SIDE = 11;

before(async () => {
  assert.equal(await tf.setBackend('wasm'), true, 'the wasm backend must initialise');
  registerWasmTrainingKernels();
});

/** On the active backend: the gradient of the audit CNN's loss on real digits for every weight, in the model's order. */
function auditCnnGradients(): Float32Array[] {
  const model = createCnn({ inputSize: SIDE, channels: 1, numClasses: 10 }, 7);
  const gradients = tf.tidy(() => {
    const x = tf.tensor4d(digitValues(BATCH, SIDE, SIDE), [BATCH, SIDE, SIDE, 1]);
    // digitValues(BATCH, …) shrinks exactly these digits, so these are their labels.
    const y = tf.oneHot(tf.tensor1d(realImages(BATCH, { seed: 11 }).labels, 'int32'), 10);
    const { grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.logits(x)) as tf.Scalar,
      [...model.variables],
    );
    return model.variables.map((v) => grads[v.name].dataSync() as Float32Array);
  });
  model.dispose();
  return gradients;
}

test('with all our kernels, every weight gradient of the audit CNN on wasm equals cpu', async () => {
  await tf.setBackend('cpu');
  const expected = auditCnnGradients();
  await tf.setBackend('wasm');
  const actual = auditCnnGradients();
  expected.forEach((gradient, i) => {
    const diff = relativeMaxDiff(actual[i], gradient);
    assert.ok(diff < 1e-5, `weight ${i}: relative max diff ${diff}`);
  });
});

test('a gradient computation on wasm leaves no tensor or wasm buffer behind', async () => {
  await tf.setBackend('wasm');
  assertNoLeak(() => {
    for (let round = 0; round < 3; round++) auditCnnGradients();
  });
});

test('registering all kernels again changes nothing and warns nothing', (t) => {
  const warn = t.mock.method(console, 'warn', () => undefined);
  const names = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul'];
  const before = names.map((name) => tf.getKernel(name, 'wasm').kernelFunc);
  registerWasmTrainingKernels();
  assert.equal(warn.mock.callCount(), 0);
  assert.deepEqual(
    names.map((name) => tf.getKernel(name, 'wasm').kernelFunc),
    before,
  );
});
