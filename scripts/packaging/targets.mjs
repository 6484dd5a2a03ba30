// The VSIX targets (targets.json, also read by the VSIX test) and which one this machine is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} Target
 * @property {string} name      vsce's `--target`, also the VSIX file name's suffix
 * @property {'win32' | 'darwin' | 'linux'} os    npm's `--os`
 * @property {'x64' | 'arm64'} cpu                npm's `--cpu`
 * @property {'glibc' | 'musl' | null} libc       npm's `--libc` (Linux only)
 * @property {string} sharp     suffix of sharp's platform packages
 * @property {string | null} webgpu  the webgpu package's `dist/` folder for this target, or null
 */

const table = JSON.parse(readFileSync(join(import.meta.dirname, 'targets.json'), 'utf8'));

/** @type {Target[]} */
export const TARGETS = table.targets;

/** The targets CI packages besides the host's own. */
export const CI_TARGETS = table.ciTargets;

/** The target by its vsce name; throws naming the known ones. */
export function targetNamed(name) {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`unknown target "${name}"; known: ${TARGETS.map((t) => t.name).join(', ')}`);
  return target;
}

/** The target this machine is (musl Linux counts as Alpine). */
export function hostTarget() {
  if (process.platform === 'linux') {
    const musl = !process.report.getReport().header.glibcVersionRuntime;
    return targetNamed(musl ? `alpine-${process.arch}` : `linux-${process.arch}`);
  }
  return targetNamed(`${process.platform}-${process.arch}`);
}

/** The exact version of a package installed in `nodeModules`, so the lock file pins what ships. */
export function installedVersion(name, nodeModules) {
  return JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')).version;
}
