import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelBackend,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/** The tfjs backend all our kernel overrides are for. */
export const WASM_BACKEND = 'wasm';

/** What a kernel function receives: inputs, the backend instance and the attributes. */
export type KernelArgs = Parameters<KernelFunc>[0];

/**
 * Runs another wasm kernel directly, as tfjs's own composite kernels do (e.g. wasm `BatchMatMul`
 * calls `reshape`). Going through the kernel registry rather than `tf.*` ops keeps the engine
 * out of it: no tensors are tracked and nothing lands on the gradient tape, so the caller must
 * free every intermediate result with `backend.disposeData(info.dataId)`.
 */
export function runWasmKernel(
  name: string,
  inputs: NamedTensorInfoMap,
  backend: KernelBackend,
  attrs: object,
): TensorInfo {
  const out = getKernel(name, WASM_BACKEND).kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned ${out.length} outputs, expected one.`);
  return out;
}

/** The kernel functions {@link overrideWasmKernel} installed, so that a second call is a no-op. */
const ourKernels = new WeakSet<KernelFunc>();

/**
 * The faster formulation of a kernel: its result, or null for a case it does not handle. It also
 * gets the kernel function it replaces, to call with changed arguments.
 */
export type FastPath = (args: KernelArgs, original: KernelFunc) => TensorInfo | null;

/**
 * Replaces a kernel that tfjs-backend-wasm registered by one that first tries `fastPath` and runs
 * the original kernel whenever `fastPath` returns null. The original's `setupFunc` is kept: the
 * original kernel function needs the wasm function it binds, and tfjs calls it again if the
 * backend is ever re-created. Safe to call more than once.
 *
 * tfjs-core's `registerKernel` would also replace an existing kernel, but it warns "already
 * registered" on every such call; unregistering first replaces it silently.
 *
 * @throws Error when the wasm backend has not registered `kernelName` (tfjs-backend-wasm not loaded).
 */
export function overrideWasmKernel(kernelName: string, fastPath: FastPath): void {
  const original = getKernel(kernelName, WASM_BACKEND);
  if (original === undefined) {
    throw new Error(
      `Cannot override the wasm kernel ${kernelName}: tfjs-backend-wasm has not registered it (is the package loaded?).`,
    );
  }
  if (ourKernels.has(original.kernelFunc)) return;
  const kernelFunc: KernelFunc = (args) => fastPath(args, original.kernelFunc) ?? original.kernelFunc(args);
  ourKernels.add(kernelFunc);
  unregisterKernel(kernelName, WASM_BACKEND);
  registerKernel({ ...original, kernelFunc });
}
