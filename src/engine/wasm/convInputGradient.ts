import {
  backend_util,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { overrideWasmKernel, runWasmKernel, type KernelArgs } from './kernelUtil';

type Shape4D = [number, number, number, number];

/**
 * Replaces the wasm backend's `Conv2DBackpropInput` — the gradient of `conv2d` with respect to its
 * input, a plain C++ loop in tfjs-backend-wasm 4.22 (70 ms for the audit CNN's second conv at
 * batch 128) — by a convolution on wasm's fast XNNPACK `Conv2D` (6–9 ms):
 *
 *   dx = conv2d(dilate(dy, stride), rot180(W) with in/out channels swapped), stride 1,
 *
 * padded so that dx has the input's size. `dilate` puts stride − 1 zeros between the rows and
 * columns of dy (nothing to do for stride 1). Even at stride 2, where 3/4 of that convolution
 * multiplies zeros, this is 2–3× faster than the original (bench/backendThroughput.ts). Handles
 * NHWC float32 with any stride and padding ('same', 'valid', numeric, explicit); NCHW and other
 * dtypes still run the original kernel. Must run after tfjs-backend-wasm has registered its
 * kernels; safe to call more than once.
 */
export function registerWasmConvInputGradient(): void {
  overrideWasmKernel('Conv2DBackpropInput', conv2DBackpropInput);
}

/** The fast path; null hands the call to the original kernel. */
function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dy === undefined || filter === undefined || dataFormat === 'NCHW') return null;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as Shape4D,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth } = info;
  // In the stride-1 convolution over the dilated dy, dx row r reads dilated rows
  // r − top … r − top + KH − 1, where top = KH − 1 − (the forward conv's top padding); the bottom
  // border is whatever makes dx inHeight rows tall. A negative border (explicit padding wider than
  // the filter) means those dy rows are never read, so they are cut off instead.
  const dilatedHeight = (outHeight - 1) * strideHeight + 1;
  const dilatedWidth = (outWidth - 1) * strideWidth + 1;
  const top = filterHeight - 1 - info.padInfo.top;
  const left = filterWidth - 1 - info.padInfo.left;
  const bottom = inHeight + filterHeight - 1 - dilatedHeight - top;
  const right = inWidth + filterWidth - 1 - dilatedWidth - left;
  if (
    dilatedHeight + Math.min(0, top) + Math.min(0, bottom) <= 0 ||
    dilatedWidth + Math.min(0, left) + Math.min(0, right) <= 0
  ) {
    return null; // dy is never read at all: leave such a degenerate case to the original
  }

  const wasm = backend as KernelBackend;
  const intermediates: TensorInfo[] = [];
  try {
    const rotated = rotatedFilter(filter, wasm);
    intermediates.push(rotated);
    let x = dy;
    if (strideHeight > 1 || strideWidth > 1) {
      x = dilate(dy, strideHeight, strideWidth, wasm);
      intermediates.push(x);
    }
    // dilate() leaves stride − 1 zero rows/columns after the last ones, which use up border.
    const padBottom = bottom - (x.shape[1] - dilatedHeight);
    const padRight = right - (x.shape[2] - dilatedWidth);
    if (Math.min(top, left, padBottom, padRight) < 0) {
      const cutTop = Math.max(0, -top);
      const cutLeft = Math.max(0, -left);
      x = runWasmKernel('Slice', { x }, wasm, {
        begin: [0, cutTop, cutLeft, 0],
        size: [-1, x.shape[1] - cutTop - Math.max(0, -padBottom), x.shape[2] - cutLeft - Math.max(0, -padRight), -1],
      });
      intermediates.push(x);
    }
    return runWasmKernel('Conv2D', { x, filter: rotated }, wasm, {
      strides: 1,
      pad: [
        [0, 0],
        [Math.max(0, top), Math.max(0, padBottom)],
        [Math.max(0, left), Math.max(0, padRight)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: 1,
    });
  } finally {
    for (const info of intermediates) wasm.disposeData(info.dataId);
  }
}

/** [KH, KW, Cin, Cout] → the filter turned by 180° in space, as [KH, KW, Cout, Cin]. */
function rotatedFilter(filter: TensorInfo, wasm: KernelBackend): TensorInfo {
  const flipped = runWasmKernel('Reverse', { x: filter }, wasm, { dims: [0, 1] });
  try {
    return runWasmKernel('Transpose', { x: flipped }, wasm, { perm: [0, 1, 3, 2] });
  } finally {
    wasm.disposeData(flipped.dataId);
  }
}

/**
 * dy [B, OH, OW, C] with sh − 1 zero rows after every row and sw − 1 zero columns after every
 * column: [B, OH·sh, OW·sw, C]. Done as reshape to [B, OH, 1, OW, 1, C], zero-pad the two unit
 * axes to sh and sw, reshape back; the pad is one pass over the result.
 */
function dilate(dy: TensorInfo, sh: number, sw: number, wasm: KernelBackend): TensorInfo {
  const [b, oh, ow, c] = dy.shape;
  const split = runWasmKernel('Reshape', { x: dy }, wasm, { shape: [b, oh, 1, ow, 1, c] });
  let padded: TensorInfo;
  try {
    padded = runWasmKernel('PadV2', { x: split }, wasm, {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    });
  } finally {
    wasm.disposeData(split.dataId);
  }
  try {
    return runWasmKernel('Reshape', { x: padded }, wasm, { shape: [b, oh * sh, ow * sw, c] });
  } finally {
    wasm.disposeData(padded.dataId);
  }
}
