import {
  backend_util,
  getKernel,
  registerKernel,
  type Conv2DBackpropFilterAttrs,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runWasmKernel, WASM_BACKEND } from './kernelUtil';

const KERNEL_NAME = 'Conv2DBackpropFilter';

type Shape4D = [number, number, number, number];

/**
 * Registers a `Conv2DBackpropFilter` kernel for the tfjs `wasm` backend, which ships without one
 * (tfjs-backend-wasm 4.22), so that `tf.grad` through `tf.conv2d` — i.e. training any CNN — works on wasm.
 *
 * Two formulations, each the fastest for its inputs (bench/backendThroughput.ts, batch 128, 3×3):
 * - few input channels (the first layer: gray or RGB images): {@link patchMatrixGradient}, one matrix
 *   product of the input patches with dy — 3.9 ms against 13.4 for the first layer of the audit CNN;
 * - more channels: {@link transposedConvGradient}, one wasm `Conv2D` (XNNPACK) over transposed x and
 *   dy — 14.3 ms against 21.7 for the second layer, where filling the patch matrix costs more than the
 *   convolution saves.
 * Both beat wasm's native `Conv3DBackpropFilterV2` by 2–20×.
 *
 * Supports NHWC, any stride, 'same' / 'valid' / numeric / explicit padding and `dimRoundingMode`
 * (the padding is taken from `backend_util.computeConv2DInfo`, like every other conv kernel).
 * Throws for NCHW and for non-float32 inputs. Safe to call more than once.
 */
export function registerWasmConvFilterGradient(): void {
  if (isRegistered()) return;
  registerKernel({ kernelName: KERNEL_NAME, backendName: WASM_BACKEND, kernelFunc: conv2DBackpropFilter });
}

/** True once a `Conv2DBackpropFilter` kernel exists for wasm (ours, or one a future tfjs ships). */
function isRegistered(): boolean {
  return getKernel(KERNEL_NAME, WASM_BACKEND) !== undefined;
}

/** The kernel function; see {@link registerWasmConvFilterGradient} for the formulation. */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) throw new Error(`${KERNEL_NAME} needs inputs x and dy.`);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') {
    throw new Error(`${KERNEL_NAME} on wasm supports only NHWC data, not NCHW.`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`${KERNEL_NAME} on wasm needs float32 tensors, got x ${x.dtype} and dy ${dy.dtype}.`);
  }
  if (!(backend instanceof BackendWasm)) throw new Error(`${KERNEL_NAME}: expected the wasm backend.`);
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4D,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return info.inChannels <= PATCH_MATRIX_MAX_CHANNELS
    ? patchMatrixGradient(x, dy, info, backend)
    : transposedConvGradient(x, dy, info, backend);
};

/** Up to this many input channels the patch matrix is faster (measured: 1 channel 3.5× faster, 16 channels 1.5× slower). */
const PATCH_MATRIX_MAX_CHANNELS = 4;

/**
 * dW as one matrix product. With the input patches laid out as the rows of
 *
 *   A[(kh, kw, ci), (b, oh, ow)] = x[b, oh·s + kh − top, ow·s + kw − left, ci]   (0 in the padding)
 *
 * and dy read as a [B·OH·OW, Cout] matrix (a free reshape), dW = A · dy, already in the filter's
 * [KH, KW, Cin, Cout] order. A is filled by a JavaScript loop on the wasm heap; the product runs in
 * wasm's `BatchMatMul` (XNNPACK, ~30 GFLOP/s here).
 */
function patchMatrixGradient(
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  backend: BackendWasm,
): TensorInfo {
  const { filterHeight, filterWidth, inChannels, outChannels } = info;
  const columns = info.batchSize * info.outHeight * info.outWidth;
  const rows = filterHeight * filterWidth * inChannels;
  const patches = backend.makeOutput([1, rows, columns], 'float32');
  const dyMatrix = runWasmKernel('Reshape', { x: dy }, backend, { shape: [1, columns, outChannels] });
  let product: TensorInfo;
  try {
    // Views only after makeOutput: allocating can grow the heap, which detaches older views.
    fillPatchRows(
      backend.typedArrayFromHeap(x) as Float32Array,
      info,
      backend.typedArrayFromHeap(patches) as Float32Array,
    );
    product = runWasmKernel('BatchMatMul', { a: patches, b: dyMatrix }, backend, {
      transposeA: false,
      transposeB: false,
    });
  } finally {
    backend.disposeData(patches.dataId);
    backend.disposeData(dyMatrix.dataId);
  }
  const dW = runWasmKernel('Reshape', { x: product }, backend, {
    shape: [filterHeight, filterWidth, inChannels, outChannels],
  });
  backend.disposeData(product.dataId);
  return dW;
}

/**
 * Writes the patch matrix A (see {@link registerWasmConvFilterGradient}) into `out`, row by row.
 * Rows are written in order, so the stores are sequential and only the reads stride over x.
 */
function fillPatchRows(x: Float32Array, info: backend_util.Conv2DInfo, out: Float32Array): void {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
  } = info;
  const { top, left } = info.padInfo;
  let at = 0;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      // The output columns whose input column ow·s + kw − left lies inside the image.
      const firstCol = Math.min(outWidth, Math.max(0, Math.ceil((left - kw) / strideWidth)));
      const endCol = Math.max(firstCol, Math.min(outWidth, Math.ceil((inWidth + left - kw) / strideWidth)));
      for (let c = 0; c < inChannels; c++) {
        for (let b = 0; b < batchSize; b++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const inRow = oh * strideHeight + kh - top;
            if (inRow < 0 || inRow >= inHeight) {
              out.fill(0, at, at + outWidth);
              at += outWidth;
              continue;
            }
            out.fill(0, at, at + firstCol);
            let from = ((b * inHeight + inRow) * inWidth + firstCol * strideWidth + kw - left) * inChannels + c;
            const step = strideWidth * inChannels;
            for (let ow = firstCol; ow < endCol; ow++, from += step) out[at + ow] = x[from];
            out.fill(0, at + endCol, at + outWidth);
            at += outWidth;
          }
        }
      }
    }
  }
}

/**
 * dW as one convolution: with the batch axis moved into the channel position,
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − top, ow·s + kw − left, ci] · dy[b, oh, ow, co]
 *
 * is `conv2d(input = x as [Cin, H, W, B], filter = dy as [OH, OW, B, Cout], stride 1, dilation s)`,
 * whose [Cin, KH, KW, Cout] result is transposed to [KH, KW, Cin, Cout].
 */
function transposedConvGradient(
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  backend: BackendWasm,
): TensorInfo {
  const { filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  // Pad the far side just enough for the last (dilated) window: the forward conv's own bottom/right
  // padding may be larger than needed (only zeros lie there) or, for 'valid' with a stride that does
  // not divide the input, rows may be left over. Leftovers make the result too large; we slice it.
  const bottom = Math.max(0, (outHeight - 1) * strideHeight + filterHeight - inHeight - top);
  const right = Math.max(0, (outWidth - 1) * strideWidth + filterWidth - inWidth - left);

  const wasm = backend;
  // Intermediates are backend-level TensorInfos the engine never sees, so we free each one ourselves.
  const xT = runWasmKernel('Transpose', { x }, wasm, { perm: [3, 1, 2, 0] });
  const dyT = runWasmKernel('Transpose', { x: dy }, wasm, { perm: [1, 2, 0, 3] });
  let grad: TensorInfo;
  try {
    grad = runWasmKernel('Conv2D', { x: xT, filter: dyT }, wasm, {
      strides: 1,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [strideHeight, strideWidth],
    });
  } finally {
    wasm.disposeData(xT.dataId);
    wasm.disposeData(dyT.dataId);
  }
  if (grad.shape[1] !== filterHeight || grad.shape[2] !== filterWidth) {
    const cropped = runWasmKernel('Slice', { x: grad }, wasm, {
      begin: [0, 0, 0, 0],
      size: [-1, filterHeight, filterWidth, -1],
    });
    wasm.disposeData(grad.dataId);
    grad = cropped;
  }
  const dW = runWasmKernel('Transpose', { x: grad }, wasm, { perm: [1, 2, 0, 3] });
  wasm.disposeData(grad.dataId);
  return dW;
}
