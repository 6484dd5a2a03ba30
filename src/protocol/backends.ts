// The one list of TensorFlow.js backends a user can ask for. The engine's choice (src/engine/backend.ts),
// the CLI's --backend option, the `labelAudit.backend` setting (package.json's enum and descriptions,
// checked against this list by a unit test) and the tests all derive from it. Data only.

/** One choosable backend: its name in settings and on the command line, and one sentence about it. */
export interface BackendInfo {
  readonly name: string;
  /** Shown as the setting's enum description and in `label-audit audit --help`. */
  readonly description: string;
}

/**
 * `auto` first, then the concrete backends in the order `auto` tries them (fastest first).
 * `webgpu` sits after CUDA and before native TensorFlow on the CPU, and `auto` takes it only with a
 * hardware adapter: a software one (llvmpipe, SwiftShader) is slower than wasm.
 */
export const BACKENDS = [
  {
    name: 'auto',
    description:
      'The fastest backend that starts: tensorflow-gpu, then webgpu on a hardware GPU, then tensorflow, then wasm, then cpu. The log says which one was chosen and why.',
  },
  {
    name: 'tensorflow-gpu',
    description:
      'Native TensorFlow with CUDA (Linux with an NVIDIA GPU; install it with "Label Audit: Install Native TensorFlow").',
  },
  {
    name: 'webgpu',
    description:
      'WebGPU through Dawn (Metal, Direct3D 12 or Vulkan): uses the GPU without CUDA and ships with the extension. Requested explicitly it also runs on a software adapter (slow).',
  },
  {
    name: 'tensorflow',
    description: 'Native TensorFlow on the CPU (install it with "Label Audit: Install Native TensorFlow").',
  },
  { name: 'wasm', description: 'WebAssembly with SIMD: ships with the extension and works offline.' },
  { name: 'cpu', description: 'Plain JavaScript: always available, about 100 times slower than wasm.' },
] as const satisfies readonly BackendInfo[];

/** A backend name a user can ask for: 'auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm' or 'cpu'. */
export type BackendPreference = (typeof BACKENDS)[number]['name'];

/** A concrete backend (every preference but `auto`). */
export type ExplicitBackend = Exclude<BackendPreference, 'auto'>;

/** Every name in {@link BACKENDS}, `auto` first. */
export const BACKEND_NAMES: readonly BackendPreference[] = BACKENDS.map((b) => b.name);

/** The concrete backends in the order `auto` tries them. */
export const AUTO_ORDER: readonly ExplicitBackend[] = BACKENDS.map((b) => b.name).filter(
  (name): name is ExplicitBackend => name !== 'auto',
);

/** True when `value` names a backend in {@link BACKENDS}. */
export function isBackendPreference(value: unknown): value is BackendPreference {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}
