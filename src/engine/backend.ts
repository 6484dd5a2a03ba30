import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { AuditError } from '../core/errors';
import { AUTO_ORDER, type BackendPreference, type ExplicitBackend } from '../protocol/backends';
import { registerWasmTrainingKernels } from './wasm/kernels';
import { nativeFolders, resolveOptionalPackage } from './optionalPackage';
import { installWebgpu, vulkanLoaderFound, type WebgpuAdapter } from './webgpuAdapter';

export type { BackendPreference } from '../protocol/backends';

/** The backend {@link chooseBackend} settled on, and why. */
export interface BackendChoice {
  /** `tf.getBackend()` after the choice: 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  name: string;
  preference: BackendPreference;
  /**
   * The backend that started, e.g. 'wasm' for `auto` on a machine without a GPU: what the training
   * workers are told to start, so that they run what this thread chose and do not try (and probe
   * Dawn for) the faster ones again.
   */
  started: ExplicitBackend;
  /** On webgpu: the adapter it runs on (vendor, architecture, description; software or not). */
  adapter?: WebgpuAdapter;
  /** One readable line for the output channel, e.g. "wasm (SIMD, 1 thread): @tensorflow/tfjs-node is not installed". */
  reason: string;
  /** The faster backends `auto` tried first, and why each failed. */
  tried: { backend: string; error: string }[];
}

/** Settings for {@link chooseBackend}. */
export interface ChooseBackendOptions {
  /**
   * Folder holding `tfjs-backend-wasm*.wasm`. Default: the installed package's `dist` folder, or, when
   * we run from a bundle without node_modules, the bundle's own folder (the build copies them there).
   */
  wasmDir?: string;
  /** Receives one line per backend tried. */
  log?: (line: string) => void;
  /**
   * npm prefix folders that may hold @tensorflow/tfjs-node(-gpu) (the extension's global storage, the
   * `labelAudit.nativeTensorflowFolder` setting), searched before label-audit's own node_modules;
   * LABEL_AUDIT_NATIVE_MODULES adds more.
   */
  nativeFolders?: readonly string[];
}

/** A backend that could not start; `message` completes "the X backend is unavailable: …". */
class Unavailable extends Error {}

/** What {@link start} reports: the description line, and the WebGPU adapter when there is one. */
interface Started {
  detail: string;
  adapter?: WebgpuAdapter;
}

/**
 * Selects and initialises the TensorFlow.js backend for training, and registers the kernels we add
 * (the wasm filter gradient). With `auto` the first of tfjs-node-gpu, webgpu on a hardware adapter,
 * tfjs-node, wasm and cpu that starts wins (the order of `AUTO_ORDER`); each failure is logged and kept
 * in `tried`. An explicit preference gets exactly that backend or an error, never a silent fallback;
 * an explicit `webgpu` also runs on a software adapter, which `auto` never picks (slower than wasm).
 *
 * @param preference - `auto`, or the backend the user asked for.
 * @param options - where the `.wasm` files are, and a logger for the lines tried.
 * @returns the backend now active in tfjs, with a one-line reason.
 * @throws AuditError `backendUnavailable` when an explicit preference cannot start; the message names
 *   what failed and how to fix it.
 */
export async function chooseBackend(
  preference: BackendPreference,
  options: ChooseBackendOptions = {},
): Promise<BackendChoice> {
  const log = options.log ?? (() => undefined);
  if (preference !== 'auto') {
    try {
      const { detail, adapter } = await start(preference, options, true);
      log(`backend: ${detail}`);
      return {
        name: tf.getBackend(),
        preference,
        started: preference,
        reason: `${detail}: requested`,
        tried: [],
        ...(adapter && { adapter }),
      };
    } catch (error) {
      throw new AuditError(
        'backendUnavailable',
        `The ${preference} backend was requested but ${describe(error)}. ${HOW_TO_FIX[preference]}`,
      );
    }
  }
  const tried: BackendChoice['tried'] = [];
  for (const candidate of AUTO_ORDER) {
    try {
      const { detail, adapter } = await start(candidate, options, false);
      const why = tried.length > 0 ? tried.map((t) => t.error).join('; ') : 'the fastest backend available';
      log(`backend: ${detail}`);
      return {
        name: tf.getBackend(),
        preference,
        started: candidate,
        reason: `${detail}: ${why}`,
        tried,
        ...(adapter && { adapter }),
      };
    } catch (error) {
      tried.push({ backend: candidate, error: describe(error) });
      log(`backend ${candidate} unavailable: ${describe(error)}`);
    }
  }
  // Unreachable in practice: the cpu backend is bundled and always starts.
  throw new AuditError(
    'backendUnavailable',
    `No TensorFlow.js backend could start: ${tried.map((t) => `${t.backend}: ${t.error}`).join('; ')}.`,
  );
}

/**
 * Starts a training worker's backend: the one the engine's thread chose. When `auto` chose it, it is
 * started as `auto` accepts it (tfjs-node-gpu without a CUDA GPU runs on the CPU), and should it fail
 * in this thread, `auto` runs again; a backend the user asked for is started as requested.
 */
export async function startWorkerBackend(
  backend: BackendPreference,
  chosenByAuto: boolean,
  options: ChooseBackendOptions = {},
): Promise<void> {
  if (backend === 'auto' || !chosenByAuto) {
    await chooseBackend(backend, options);
    return;
  }
  try {
    await start(backend, options, false);
  } catch {
    await chooseBackend('auto', options);
  }
}

/**
 * Chooses the backend for an audit whose models train on worker threads (./workerRunner.ts):
 * the CLI and the engine process call this. The models, their scoring and embeddings run in the
 * workers; this thread only does the small neighbour search, which reads tensors synchronously. On
 * webgpu it cannot (tfjs-backend-webgpu's synchronous read needs OffscreenCanvas, absent in Node), so
 * this thread then works on wasm (or cpu) while the workers use the GPU.
 *
 * @returns the choice for the models (what the report names).
 */
export async function chooseAuditBackend(
  preference: BackendPreference,
  options: ChooseBackendOptions = {},
): Promise<BackendChoice> {
  const choice = await chooseBackend(preference, options);
  if (choice.name === 'webgpu') {
    try {
      await start('wasm', options, false);
    } catch {
      await activate('cpu');
    }
  }
  return choice;
}

const HOW_TO_FIX: Record<ExplicitBackend, string> = {
  'tensorflow-gpu':
    'In VS Code run "Label Audit: Install Native TensorFlow" and choose CUDA; for the CLI, `npm install @tensorflow/tfjs-node-gpu@4.22.0` ' +
    'next to label-audit. It needs Linux x64 with an NVIDIA GPU and the CUDA/cuDNN versions its README lists, internet access ' +
    '(its install step downloads libtensorflow) and, with npm 11, allowed install scripts. Or choose the backend "auto".',
  tensorflow:
    'In VS Code run "Label Audit: Install Native TensorFlow" and choose CPU; for the CLI, `npm install @tensorflow/tfjs-node@4.22.0` ' +
    'next to label-audit (its install step downloads libtensorflow, so it needs internet access and, with npm 11, allowed install ' +
    'scripts). Or choose the backend "auto" or "wasm".',
  webgpu:
    "WebGPU needs a GPU driver Dawn accepts: Metal (macOS), Direct3D 12 (Windows) or Vulkan (Linux: the GPU vendor's driver, " +
    'or Mesa 25 or later for a software adapter; see docs/backends.md), or choose the backend "auto".',
  wasm: 'Point wasmDir at the folder holding the tfjs-backend-wasm*.wasm files (the build copies them next to the bundle), or choose "cpu".',
  cpu: 'The cpu backend ships with label-audit; please report this as a bug.',
};

/** Starts one backend and makes it active; returns its description ("wasm (SIMD, 1 thread)"). */
async function start(backend: ExplicitBackend, options: ChooseBackendOptions, explicit: boolean): Promise<Started> {
  switch (backend) {
    case 'tensorflow-gpu':
      return { detail: await startTensorflow('@tensorflow/tfjs-node-gpu', explicit, options.nativeFolders) };
    case 'webgpu':
      return startWebgpu(explicit);
    case 'tensorflow':
      return { detail: await startTensorflow('@tensorflow/tfjs-node', explicit, options.nativeFolders) };
    case 'wasm':
      return { detail: await startWasm(options.wasmDir) };
    case 'cpu':
      await activate('cpu');
      return { detail: 'cpu (plain JavaScript, about 80× slower than wasm)' };
  }
}

// ---- WebGPU (Dawn) ------------------------------------------------------------------------------

/**
 * Starts tfjs-backend-webgpu on Dawn. The adapter is checked first: `auto` refuses a software one
 * (llvmpipe, SwiftShader: a CPU emulating a GPU, slower than wasm), an explicit request takes it.
 */
async function startWebgpu(explicit: boolean): Promise<Started> {
  let adapter: WebgpuAdapter | undefined;
  if (!vulkanLoaderFound())
    throw new Unavailable('no Vulkan loader (libvulkan.so.1) is installed, so Dawn has no GPU driver to use');
  try {
    adapter = await installWebgpu();
  } catch (error) {
    throw new Unavailable(`the webgpu package (Dawn) failed to load (${firstLine(error)})`);
  }
  if (adapter === undefined) throw new Unavailable('Dawn found no WebGPU adapter (no GPU driver it can use)');
  if (adapter.software && !explicit)
    throw new Unavailable(`WebGPU offers only a software adapter (${adapter.label}), slower than wasm`);
  if (tf.findBackendFactory('webgpu') === null) {
    // Loaded only now: it registers its backend on load, and only if navigator.gpu exists by then.
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  await activate('webgpu');
  const kind = adapter.software ? 'software adapter: a CPU emulating a GPU, for testing only' : 'hardware adapter';
  return { detail: `webgpu (${adapter.label}; ${kind})`, adapter };
}

// ---- TensorFlow (tfjs-node / tfjs-node-gpu) -------------------------------------------------------

/** What we use of another copy of tfjs-core, such as the one @tensorflow/tfjs-node re-exports. */
export interface TfjsRegistry {
  findBackendFactory(name: string): (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null;
  getKernelsForBackend(name: string): tf.KernelConfig[];
}

/** The parts of tfjs-node's backend class we read. */
interface NodeBackend extends tf.KernelBackend {
  isUsingGpuDevice?: boolean;
}

/**
 * Loads tfjs-node(-gpu). They are optional: not dependencies of label-audit, because their install
 * step downloads libtensorflow (impossible offline). The `require` is lazy and its name a variable,
 * so bundlers leave it alone and a missing package is an ordinary, reported failure.
 */
async function startTensorflow(
  packageName: string,
  explicit: boolean,
  givenFolders: readonly string[] | undefined,
): Promise<string> {
  const folders = nativeFolders(givenFolders);
  const found = resolveOptionalPackage(packageName, folders);
  if (found === undefined) {
    const places = folders.length > 0 ? ` (looked in ${folders.join(', ')} and next to label-audit)` : '';
    throw new Unavailable(`${packageName} is not installed${places}`);
  }
  const where = found.folder === undefined ? '' : ` from ${found.folder}`;
  let foreign: TfjsRegistry;
  try {
    // tfjs-node pulls in its own copies of tfjs-core and the cpu backend; when those are not the
    // very modules we loaded (a bundle, or npm not deduplicating), every kernel they register again
    // prints "already registered". That is expected, so we drop those lines.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional package, resolved at run time
    foreign = await quietly(() => require(found.entry) as TfjsRegistry, /already registered/).then((r) => r.value);
  } catch (error) {
    // Typically its native part: libtensorflow or tfjs_binding.node not downloaded (install scripts
    // skipped or offline), or CUDA libraries missing for the GPU package.
    throw new Unavailable(`${packageName} was found${where} but failed to load (${firstLine(error)})`);
  }
  bridgeBackend(foreign, 'tensorflow');
  await activate('tensorflow');
  const label = packageName.replace('@tensorflow/', '');
  const usesGpu = (tf.backend() as NodeBackend).isUsingGpuDevice === true;
  if (packageName.endsWith('-gpu') && !usesGpu) {
    // The GPU package runs on the CPU when CUDA finds no device: fine for auto, not what was asked for.
    if (explicit) throw new Unavailable(`${packageName} loaded, but TensorFlow found no usable CUDA GPU`);
    return `tensorflow (${label}${where}, no CUDA GPU found, so native TensorFlow on the CPU)`;
  }
  return `tensorflow (${label}${where}${usesGpu ? ', CUDA GPU' : ', native TensorFlow on the CPU'})`;
}

/**
 * Makes a backend that another copy of tfjs-core registered usable from ours.
 *
 * tfjs-core (2.x and later) keeps its engine and its kernel and gradient registries on `globalThis`
 * (`_tfengine`, `_tfGlobals`), so every copy loaded into one process — our bundled one, the one inside
 * tfjs-node — shares them, and normally the backend is already visible: we return 'shared' and do
 * nothing. Only when the copies do not share a registry do we copy the backend factory and its
 * kernels into ours ('bridged'). Caveat for that case: tfjs-node's kernels wrap their outputs with
 * their own copy's `tf.engine()`, which is sound only because that engine is the shared global one.
 *
 * @returns 'shared' when our tfjs already knew the backend, 'bridged' when we copied it.
 * @throws Error when neither copy has registered `name`.
 */
export function bridgeBackend(foreign: TfjsRegistry, name: string): 'shared' | 'bridged' {
  if (tf.findBackendFactory(name) !== null) return 'shared';
  const factory = foreign.findBackendFactory(name);
  if (factory === null) throw new Error(`the loaded package registered no "${name}" backend`);
  // Priority 3 is what tfjs-node uses; we activate the backend explicitly anyway.
  tf.registerBackend(name, factory, 3);
  for (const kernel of foreign.getKernelsForBackend(name)) {
    if (tf.getKernel(kernel.kernelName, name) === undefined) tf.registerKernel(kernel);
  }
  return 'bridged';
}

// ---- WebAssembly --------------------------------------------------------------------------------

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

async function startWasm(wasmDir: string | undefined): Promise<string> {
  if (!('wasm' in tf.engine().registry)) {
    // The paths can only be set before the wasm backend first initialises.
    const dir = wasmDir ?? installedWasmDir();
    if (dir !== undefined) {
      const missing = WASM_FILES.filter((file) => !existsSync(join(dir, file)));
      if (missing.length > 0) throw new Unavailable(`${missing.join(' and ')} not found in ${dir}`);
      setWasmPaths(dir.endsWith(sep) || dir.endsWith('/') ? dir : dir + sep);
    }
  }
  await withoutNewCrashHandlers(() => activate('wasm'));
  registerWasmTrainingKernels();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = getThreadsCount();
  // tfjs-backend-wasm starts its pthread workers from a blob: URL, which Node's worker_threads
  // refuses (ERR_WORKER_PATH), so in Node it always runs the single-threaded build.
  const threadNote =
    threads === 1 ? '1 thread: tfjs-backend-wasm cannot start worker threads in Node' : `${threads} threads`;
  return `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threadNote})`;
}

/** The `dist` folder of the installed tfjs-backend-wasm, or undefined when it is bundled into us. */
function installedWasmDir(): string | undefined {
  try {
    return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  } catch {
    // Bundled: emscripten then looks next to the bundle itself, where the build puts the files.
    return undefined;
  }
}

/**
 * Runs `fn` and then removes the process 'uncaughtException' / 'unhandledRejection' listeners it
 * added. The emscripten glue of tfjs-backend-wasm installs listeners that rethrow; Node then prints
 * the whole 30 KB minified source line of the glue with every unrelated crash, burying the message.
 */
async function withoutNewCrashHandlers<T>(fn: () => Promise<T>): Promise<T> {
  // Seen as a plain EventEmitter: process's typed overloads do not accept a union of event names.
  const emitter: NodeJS.EventEmitter = process;
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((event) => new Set(emitter.listeners(event)));
  try {
    return await fn();
  } finally {
    events.forEach((event, i) => {
      for (const listener of emitter.listeners(event)) {
        if (!before[i].has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    });
  }
}

// ---- helpers ------------------------------------------------------------------------------------

/** `tf.setBackend` reports failure as `false` plus console warnings; we turn that into an error. */
async function activate(name: string): Promise<void> {
  const { value: ok, warnings } = await quietly(() => tf.setBackend(name), /./);
  if (!ok) {
    const cause = warnings.find((w) => !w.startsWith('Initialization of backend')) ?? 'no reason given';
    throw new Unavailable(`the ${name} backend failed to initialise (${firstLine(cause)})`);
  }
}

/**
 * Runs `fn` while holding back console.warn lines that match `hide`; they are returned instead.
 * tfjs reports through console.warn, and some of its warnings are expected here.
 */
async function quietly<T>(fn: () => T | Promise<T>, hide: RegExp): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    const line = args.map(String).join(' ').trim();
    if (hide.test(line)) warnings.push(line);
    else original(...args);
  };
  try {
    return { value: await fn(), warnings };
  } finally {
    console.warn = original;
  }
}

function describe(error: unknown): string {
  return error instanceof Unavailable ? error.message : firstLine(error);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().split('\n')[0];
}
