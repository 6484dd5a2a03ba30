// Copies the packages the bundles load at run time (native modules cannot be bundled) from a
// node_modules folder to dist/node_modules, for one target platform. The build uses it for the host
// (esbuild.mjs), the packaging script for every VSIX target, from a staging folder holding that
// target's npm install.
import { cp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The packages the bundles `require` at run time; esbuild.mjs keeps them external. */
export const RUNTIME_ROOTS = ['sharp', 'webgpu'];

/**
 * Copies `roots` and everything they load at run time from `from` (a node_modules folder) to `to`.
 * sharp: the package, its dependencies and whichever of its optional platform packages
 * (`@img/sharp-<platform>`, `@img/sharp-libvips-<platform>`) npm installed in `from`: an optional
 * dependency for another platform is simply not there. webgpu: its loader and only the target's
 * `dist/<platform>/` folder (the package ships all five platforms' dawn.node, 140 MB); its own
 * dependencies are types and a debug logger its loader never imports. A root that is not installed is
 * skipped. Packages already in `to` at the same version are left alone, so a rebuild copies nothing.
 *
 * @param {{ from: string, to: string, target: import('./targets.mjs').Target, roots?: string[] }} options
 */
export async function copyRuntimePackages({ from, to, target, roots = RUNTIME_ROOTS }) {
  const seen = new Set();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const source = join(from, name);
    const manifest = await readPackageJson(source);
    if (!manifest) continue;
    if (name === 'webgpu' && !target.webgpu) continue;
    const destination = join(to, name);
    if ((await readPackageJson(destination))?.version !== manifest.version) {
      await rm(destination, { recursive: true, force: true });
      if (name === 'webgpu') await copyWebgpu(source, destination, target.webgpu);
      else await cp(source, destination, { recursive: true, dereference: true });
    }
    if (name !== 'webgpu') pending.push(...Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }));
  }
}

/** webgpu's loader (index.js picks `dist/<platform>-<arch>/dawn.node`, `universal` on macOS) and one platform's binaries. */
async function copyWebgpu(source, destination, platformFolder) {
  await mkdir(destination, { recursive: true });
  for (const name of await readdir(source)) {
    if (name === 'package.json' || name === 'index.js' || name === 'types.d.ts' || /^license/i.test(name)) {
      await cp(join(source, name), join(destination, name), { dereference: true });
    }
  }
  const binaries = join(source, 'dist', platformFolder);
  await cp(binaries, join(destination, 'dist', platformFolder), { recursive: true, dereference: true });
}

async function readPackageJson(folder) {
  try {
    return JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}
