// Builds one VSIX per platform: `node scripts/packaging/packageTargets.mjs --all | <target>…`
// (`npm run package:all`). Each carries only its own native binaries: npm installs sharp and webgpu for
// that platform (`--os/--cpu/--libc`) in a staging folder under .package/, never in the repository's
// node_modules, which stays the host's; the extension's files are staged next to it and vsce packages
// the stage with `--target`. Output: vsix/label-audit-<version>-<target>.vsix. `--ci`: the host's target
// and the foreign ones CI checks (targets.json).
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { copyRuntimePackages, RUNTIME_ROOTS } from './runtimePackages.mjs';
import { CI_TARGETS, TARGETS, hostTarget, installedVersion, targetNamed } from './targets.mjs';

const REPO = resolve(import.meta.dirname, '..', '..');
const STAGING = join(REPO, '.package');
const VSIX_DIR = join(REPO, 'vsix');
/** What a VSIX is made of besides dist/ (.vscodeignore then decides, as for `npm run package`). */
const EXTENSION_FILES = ['README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore', 'media'];

const args = process.argv.slice(2);
const targets = args.includes('--all')
  ? TARGETS
  : args.includes('--ci')
    ? [...new Set([hostTarget().name, ...CI_TARGETS])].map(targetNamed)
    : args.map(targetNamed);
if (targets.length === 0) {
  console.error(`usage: packageTargets.mjs --all | --ci | <target>…  (${TARGETS.map((t) => t.name).join(', ')})`);
  process.exit(2);
}

run('node', ['esbuild.mjs', '--production'], REPO);
const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
await mkdir(VSIX_DIR, { recursive: true });
for (const target of targets) {
  const started = Date.now();
  const modules = await installForTarget(target);
  const stage = await stageExtension(target, manifest);
  await copyRuntimePackages({ from: modules, to: join(stage, 'dist', 'node_modules'), target });
  const out = join(VSIX_DIR, `${manifest.name}-${manifest.version}-${target.name}.vsix`);
  run(
    join(REPO, 'node_modules', '.bin', 'vsce'),
    [
      'package',
      '--target',
      target.name,
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '--out',
      out,
    ],
    stage,
  );
  const megabytes = (await stat(out)).size / 1e6;
  console.log(`${relative(REPO, out)}: ${megabytes.toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * npm installs the runtime packages, at the versions the lock file gave the repository, for the
 * target's platform into .package/npm/<target>/node_modules (kept between runs: a second build
 * installs nothing). `--ignore-scripts`: sharp needs none, webgpu's only clears a macOS attribute.
 */
async function installForTarget(target) {
  const folder = join(STAGING, 'npm', target.name);
  const dependencies = Object.fromEntries(
    RUNTIME_ROOTS.map((name) => [name, installedVersion(name, join(REPO, 'node_modules'))]),
  );
  const wanted = JSON.stringify({ name: 'label-audit-staging', private: true, dependencies }, null, 2);
  const stamp = join(folder, '.installed');
  if ((await readText(stamp)) === wanted) return join(folder, 'node_modules');
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'package.json'), wanted);
  const platform = [`--os=${target.os}`, `--cpu=${target.cpu}`, ...(target.libc ? [`--libc=${target.libc}`] : [])];
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...platform], folder);
  await writeFile(stamp, wanted);
  return join(folder, 'node_modules');
}

/** A copy of the extension's files in .package/<target>/, with the built bundles and without node_modules. */
async function stageExtension(target, manifest) {
  const stage = join(STAGING, target.name);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  // No scripts: vsce would run `vscode:prepublish` (the build) in the stage, which has no sources.
  const { scripts: _scripts, devDependencies: _devDependencies, ...shipped } = manifest;
  await writeFile(join(stage, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
  for (const name of EXTENSION_FILES) await cp(join(REPO, name), join(stage, name), { recursive: true });
  await cp(join(REPO, 'dist'), join(stage, 'dist'), {
    recursive: true,
    filter: (source) => !relative(join(REPO, 'dist'), source).startsWith('node_modules'),
  });
  return stage;
}

function run(command, commandArgs, cwd) {
  const result = spawnSync(command, commandArgs, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `${command} ${commandArgs.join(' ')} (in ${relative(REPO, cwd) || '.'}) failed with exit code ${result.status}`,
    );
    process.exit(1);
  }
}

async function readText(file) {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
