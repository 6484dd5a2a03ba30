import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmConvFilterGradient } from '../../../../src/engine/wasm/convFilterGradient';
import { registerWasmConvInputGradient } from '../../../../src/engine/wasm/convInputGradient';
import {
  CONV_CASES,
  digitValues,
  relativeMaxDiff,
  testKernelReplacement,
  valuesOn,
  waveValues,
  type ConvCase,
} from '../../../helpers/wasmKernelTesting';

interface Case extends ConvCase {
  readonly dataFormat?: 'NHWC' | 'NCHW';
}

const BATCH = 3;
const OUT_CHANNELS = 4;

before(async () => {
  assert.equal(await tf.setBackend('wasm'), true, 'the wasm backend must initialise');
  registerWasmConvFilterGradient();
  registerWasmConvInputGradient();
});

/** The kernel's inputs for a case: real digits as dy, a smooth wave as filter, and the attributes. */
function kernelCall(c: Case): {
  dy: Float32Array;
  dyShape: number[];
  filter: Float32Array;
  filterShape: number[];
  attrs: tf.NamedAttrMap;
} {
  const filterShape = [c.kernel, c.kernel, c.inChannels, OUT_CHANNELS] as [number, number, number, number];
  const nchw = c.dataFormat === 'NCHW';
  const inputShape: [number, number, number, number] = nchw
    ? [BATCH, c.inChannels, c.side, c.side]
    : [BATCH, c.side, c.side, c.inChannels];
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    c.stride,
    1,
    c.pad,
    undefined,
    false,
    nchw ? 'channelsFirst' : 'channelsLast',
  );
  // dy: real digits, one per output channel. NCHW reads the same values in another layout, which is fine.
  const dy = digitValues(BATCH, info.outHeight, info.outWidth, OUT_CHANNELS, 2);
  return {
    dy,
    dyShape: info.outShape,
    filter: waveValues(filterShape),
    filterShape,
    attrs: {
      strides: c.stride,
      pad: c.pad,
      dataFormat: c.dataFormat ?? 'NHWC',
      inputShape,
    } as unknown as tf.NamedAttrMap,
  };
}

function runInputGradient(c: Case): tf.Tensor {
  const call = kernelCall(c);
  const dy = tf.tensor(call.dy, call.dyShape);
  const filter = tf.tensor(call.filter, call.filterShape);
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, call.attrs) as tf.Tensor;
}

const cases: Case[] = [...CONV_CASES];
// Padding wider than the filter: some dy rows/columns are never read and get cut off.
cases.push({
  side: 7,
  kernel: 3,
  inChannels: 2,
  stride: 1,
  pad: [
    [0, 0],
    [3, 4],
    [4, 3],
    [0, 0],
  ],
});
// Stride 3 with a 1×1 filter: the dilated dy has more trailing zeros than the border needs.
cases.push({ side: 7, kernel: 1, inChannels: 2, stride: 3, pad: 'valid' });
// NCHW is left to the original kernel.
cases.push({ side: 7, kernel: 3, inChannels: 2, stride: 1, pad: 'same', dataFormat: 'NCHW' });

for (const c of cases) {
  const name = `${c.side}×${c.side}×${c.inChannels}, ${c.kernel}×${c.kernel} kernel, stride ${c.stride}, pad ${JSON.stringify(c.pad)}${c.dataFormat === 'NCHW' ? ', NCHW' : ''}`;
  test(`wasm input gradient matches cpu: ${name}`, async () => {
    const expected = await valuesOn('cpu', () => runInputGradient(c));
    const actual = await valuesOn('wasm', () => runInputGradient(c));
    const diff = relativeMaxDiff(actual, expected);
    assert.ok(diff < 1e-5, `relative max diff ${diff}`);
  });
}

testKernelReplacement('Conv2DBackpropInput', registerWasmConvInputGradient, () => {
  for (const c of cases) tf.tidy(() => void runInputGradient(c));
});
