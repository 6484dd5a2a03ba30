// WebGPU in Node through Dawn (the npm package `webgpu`): installs its globals and `navigator.gpu`,
// asks for the adapter tfjs-backend-webgpu will use, and says whether it is real hardware.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What we read of a WebGPU adapter's `info` (GPUAdapterInfo). */
export interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** Dawn sets this on CPU implementations (llvmpipe, SwiftShader, WARP). */
  readonly isFallbackAdapter?: boolean;
}

/** The adapter Dawn offers, described for the log. */
export interface WebgpuAdapter {
  readonly info: AdapterInfo;
  /** True for a CPU implementation of WebGPU/Vulkan (llvmpipe, lavapipe, SwiftShader, WARP). */
  readonly software: boolean;
  /** "mesa software, llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)" */
  readonly label: string;
}

/** Names of GPU drivers that run on the CPU, in case a driver forgets the fallback flag. */
const SOFTWARE_DRIVERS = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

/** Whether an adapter is a software (CPU) implementation: its fallback flag, architecture or name. */
export function isSoftwareAdapter(info: AdapterInfo): boolean {
  return (
    info.isFallbackAdapter === true ||
    info.architecture.toLowerCase() === 'software' ||
    SOFTWARE_DRIVERS.test(`${info.description} ${info.device}`)
  );
}

/** One readable line naming the adapter: vendor, architecture, description. */
export function adapterLabel(info: AdapterInfo): string {
  const parts = [info.vendor, info.architecture].filter((part) => part.length > 0).join(' ');
  const name = info.description || info.device || 'unnamed adapter';
  return parts.length > 0 ? `${parts}, ${name}` : name;
}

/** The Vulkan loader Dawn opens on Linux, by this name. */
const VULKAN_LOADER = 'libvulkan.so.1';
/** Where the dynamic linker looks when ld.so.cache does not know a library (glibc and musl defaults, Debian multiarch). */
const DEFAULT_LIBRARY_DIRS = [
  '/lib',
  '/usr/lib',
  '/lib64',
  '/usr/lib64',
  '/usr/local/lib',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
];

/**
 * Whether the dynamic linker can find the Vulkan loader, looked up where it would look: the
 * LD_LIBRARY_PATH folders, /etc/ld.so.cache, the default folders. Asked before Dawn loads on Linux,
 * because without the loader Dawn prints a warning with a C++ source line to stderr — noise in the
 * CLI's output on every server without a GPU stack — and finds nothing anyway. Elsewhere (Metal,
 * Direct3D 12) there is nothing to look for.
 */
export function vulkanLoaderFound(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  ldCache = '/etc/ld.so.cache',
): boolean {
  if (platform !== 'linux') return true;
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter((dir) => dir.length > 0);
  if (dirs.some((dir) => existsSync(join(dir, VULKAN_LOADER)))) return true;
  try {
    if (readFileSync(ldCache).includes(VULKAN_LOADER)) return true;
  } catch {
    // No cache (musl, Alpine): the default folders below are all the linker searches.
  }
  return DEFAULT_LIBRARY_DIRS.some((dir) => existsSync(join(dir, VULKAN_LOADER)));
}

/** The power preference tfjs-backend-webgpu asks for (WEBGPU_USE_LOW_POWER_GPU is false by default). */
const ADAPTER_OPTIONS = { powerPreference: 'high-performance' } as const;

interface DawnModule {
  create(flags: string[]): { requestAdapter(options?: object): Promise<{ info: AdapterInfo } | null> };
  globals: Record<string, unknown>;
}

/**
 * Loads Dawn, installs the WebGPU globals (GPUBufferUsage...) and `navigator.gpu` on globalThis,
 * which tfjs-backend-webgpu reads when it is first loaded, and returns the adapter it will get, or
 * undefined when Dawn finds none (no GPU driver). Idempotent per thread.
 *
 * @throws Error when the `webgpu` package or its binary for this platform cannot be loaded.
 */
export async function installWebgpu(): Promise<WebgpuAdapter | undefined> {
  const scope = globalThis as { navigator?: { gpu?: ReturnType<DawnModule['create']> } };
  if (scope.navigator?.gpu === undefined) {
    // `webgpu` is an ES module and a native addon: loaded at run time, never bundled.
    const dawn = (await import('webgpu')) as unknown as DawnModule;
    Object.assign(globalThis, dawn.globals);
    // Node 21+ defines a read-only navigator; define ours over it.
    Object.defineProperty(globalThis, 'navigator', {
      value: { ...scope.navigator, gpu: dawn.create([]) },
      configurable: true,
      writable: true,
    });
  }
  const adapter = await scope.navigator!.gpu!.requestAdapter(ADAPTER_OPTIONS);
  if (adapter === null) return undefined;
  // GPUAdapterInfo's fields are getters on its prototype: copy them into a plain object.
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
  const info: AdapterInfo = { vendor, architecture, device, description, isFallbackAdapter };
  return { info, software: isSoftwareAdapter(info), label: adapterLabel(info) };
}
