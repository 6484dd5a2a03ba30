import { backend_util, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { overrideWasmKernel, type KernelArgs } from './kernelUtil';

type Shape4D = [number, number, number, number];

/**
 * Replaces the wasm backend's `MaxPoolGrad` (tfjs-backend-wasm 4.22: 32 ms for the audit CNN's two
 * 2×2 pools at batch 128) by a JavaScript loop over the tensors where they already live, on the
 * wasm heap: 6.5 ms instead of 32 (bench/backendThroughput.ts).
 *
 * Same semantics as the cpu backend's kernel: each window's gradient goes to the FIRST position,
 * in row-major window order, that holds the window's maximum; later equal values get nothing. Ties
 * are common on real data (zeros after relu, and equal sums over saturated pixels of a digit
 * stroke), and a mask built from `x == upsampled max` would hand the gradient to every tied
 * position, so that formulation was not an option. Windows that overlap (stride < window) add up
 * their contributions. NHWC float32, any window, stride and padding; anything else runs the
 * original kernel. Must run after tfjs-backend-wasm registered its kernels; safe to call more than once.
 */
export function registerWasmMaxPoolGradient(): void {
  overrideWasmKernel('MaxPoolGrad', maxPoolGrad);
}

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, input } = inputs;
  if (dy === undefined || input === undefined || !(backend instanceof BackendWasm)) return null;
  if (dy.dtype !== 'float32' || input.dtype !== 'float32') return null;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(input.shape as Shape4D, filterSize, strides, 1, pad, dimRoundingMode);
  const dxInfo = backend.makeOutput(input.shape, 'float32');
  // Views only after makeOutput: allocating can grow the heap, which detaches older views.
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const gradient = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(dxInfo) as Float32Array;
  dx.fill(0);
  const { inHeight, inWidth, outHeight, outWidth, padInfo } = info;
  if (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    padInfo.top === 0 &&
    padInfo.left === 0
  ) {
    // The audit CNN's pools. Every window but those on a padded last row or column is a full 2×2
    // block, for which an unrolled loop is 2–3× faster than the general one.
    const fullRows = Math.min(outHeight, Math.floor(inHeight / 2));
    const fullCols = Math.min(outWidth, Math.floor(inWidth / 2));
    scatterToFirstMax2x2(x, gradient, dx, info, fullRows, fullCols);
    scatterToFirstMax(x, gradient, dx, info, { rows: [fullRows, outHeight], cols: [0, outWidth] });
    scatterToFirstMax(x, gradient, dx, info, { rows: [0, fullRows], cols: [fullCols, outWidth] });
  } else {
    scatterToFirstMax(x, gradient, dx, info, { rows: [0, outHeight], cols: [0, outWidth] });
  }
  return dxInfo;
}

/** Output windows [rows[0], rows[1]) × [cols[0], cols[1]), for every batch item and channel. */
interface WindowRange {
  readonly rows: readonly [number, number];
  readonly cols: readonly [number, number];
}

/**
 * dx[first max of each window] += dy[window] over `range` (NHWC). Strict '>' from −∞ keeps the
 * first maximum in row-major window order, and a window of only NaN or −∞ gets no gradient, as
 * on the cpu backend.
 */
function scatterToFirstMax(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: backend_util.Conv2DInfo,
  range: WindowRange,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const rowStride = inWidth * channels;
  for (let b = 0; b < batchSize; b++) {
    const batchStart = b * inHeight * rowStride;
    for (let outRow = range.rows[0]; outRow < range.rows[1]; outRow++) {
      const rowCorner = outRow * strideHeight - top;
      const rowBegin = Math.max(0, rowCorner);
      const rowEnd = Math.min(inHeight, rowCorner + filterHeight);
      for (let outCol = range.cols[0]; outCol < range.cols[1]; outCol++) {
        const colCorner = outCol * strideWidth - left;
        const colBegin = Math.max(0, colCorner);
        const colEnd = Math.min(inWidth, colCorner + filterWidth);
        const dyStart = ((b * outHeight + outRow) * outWidth + outCol) * channels;
        for (let c = 0; c < channels; c++) {
          let max = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let row = rowBegin; row < rowEnd; row++) {
            const end = batchStart + row * rowStride + colEnd * channels;
            for (let i = batchStart + row * rowStride + colBegin * channels + c; i < end; i += channels) {
              if (x[i] > max) {
                max = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += dy[dyStart + c];
        }
      }
    }
  }
}

/** {@link scatterToFirstMax} for 2×2 windows at stride 2 without leading padding, over the first fullRows × fullCols windows. */
function scatterToFirstMax2x2(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: backend_util.Conv2DInfo,
  fullRows: number,
  fullCols: number,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const rowStride = inWidth * channels;
  for (let b = 0; b < batchSize; b++) {
    for (let outRow = 0; outRow < fullRows; outRow++) {
      const rowStart = (b * inHeight + 2 * outRow) * rowStride;
      let dyIndex = (b * outHeight + outRow) * outWidth * channels;
      for (let outCol = 0; outCol < fullCols; outCol++) {
        for (let c = 0, i0 = rowStart + 2 * outCol * channels; c < channels; c++, i0++, dyIndex++) {
          const i1 = i0 + channels;
          const i2 = i0 + rowStride;
          const i3 = i2 + channels;
          let max = Number.NEGATIVE_INFINITY;
          let at = -1;
          if (x[i0] > max) {
            max = x[i0];
            at = i0;
          }
          if (x[i1] > max) {
            max = x[i1];
            at = i1;
          }
          if (x[i2] > max) {
            max = x[i2];
            at = i2;
          }
          if (x[i3] > max) at = i3;
          if (at >= 0) dx[at] += dy[dyIndex];
        }
      }
    }
  }
}
