import type { BatchMatMulAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { overrideWasmKernel, runWasmKernel, type KernelArgs } from './kernelUtil';

/**
 * Makes the wasm backend's `BatchMatMul` transpose its operands explicitly. With `transposeA` or
 * `transposeB` set — as in every gradient of a dense layer, dx = dy·Wᵀ and dW = xᵀ·dy —
 * tfjs-backend-wasm 4.22 multiplies 5–8× slower than a `Transpose` kernel followed by the plain
 * product (measured in bench/backendThroughput.ts). Products without transposes are untouched.
 * Must run after tfjs-backend-wasm registered its kernels; safe to call more than once.
 */
export function registerWasmMatMulTranspose(): void {
  overrideWasmKernel('BatchMatMul', matMulWithExplicitTranspose);
}

function matMulWithExplicitTranspose({ inputs, backend, attrs }: KernelArgs, original: KernelFunc): TensorInfo | null {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (a === undefined || b === undefined || (!transposeA && !transposeB)) return null;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const wasm = backend as KernelBackend;
  const left = transposeA ? swapLastTwoAxes(a, wasm) : a;
  const right = transposeB ? swapLastTwoAxes(b, wasm) : b;
  try {
    const out = original({
      inputs: { a: left, b: right },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    if (Array.isArray(out)) throw new Error(`wasm kernel BatchMatMul returned ${out.length} outputs, expected one.`);
    return out;
  } finally {
    if (left !== a) wasm.disposeData(left.dataId);
    if (right !== b) wasm.disposeData(right.dataId);
  }
}

function swapLastTwoAxes(x: TensorInfo, wasm: KernelBackend): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  perm.splice(-2, 2, perm.length - 1, perm.length - 2);
  return runWasmKernel('Transpose', { x }, wasm, { perm });
}
