import { registerWasmConvFilterGradient } from './convFilterGradient';
import { registerWasmConvInputGradient } from './convInputGradient';
import { registerWasmMatMulTranspose } from './matMulTranspose';
import { registerWasmMaxPoolGradient } from './maxPoolGradient';

/**
 * Registers every kernel we add to or replace in tfjs-backend-wasm so that training a CNN on wasm
 * works and is fast: the missing `Conv2DBackpropFilter`, and faster `Conv2DBackpropInput`,
 * `MaxPoolGrad` and transposed `BatchMatMul`. Measured on the audit CNN (28×28, batch 128, one
 * core), training went from about 670 to about 1 550 samples/s (32×32: 510 → 1 200); see
 * bench/backendThroughput.ts.
 * Call after the wasm backend is loaded (kernels registered); safe to call more than once.
 */
export function registerWasmTrainingKernels(): void {
  registerWasmConvFilterGradient();
  registerWasmConvInputGradient();
  registerWasmMaxPoolGradient();
  registerWasmMatMulTranspose();
}
