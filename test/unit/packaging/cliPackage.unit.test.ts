import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { copySampleDigits, REPO } from '../../helpers/repo';
import { readReport } from '../../../src/core/reportFile';

// The CLI as a package, installed as a new user would: `npm pack`, then `npm install -g` of the
// tarball into an empty prefix, then `label-audit audit` on a copy of the sample digits. Needs the
// npm registry (the tarball's dependencies: sharp and webgpu) and the built dist/ (`npm run build`,
// which `npm test` runs first; `npm pack` itself would run it through `prepare`, which is skipped here
// so the other tests' bundles are not rewritten under them).
const MINUTES = 60_000;
let work: string;
let tarball: string;
let packed: string[];

/** npm with none of the npm_* variables of the `npm test` that started us: a user's own shell. */
function npm(args: string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return spawnSync('npm', args, { cwd, env: { ...clean, ...env }, encoding: 'utf8' });
}

function succeeded(result: SpawnSyncReturns<string>, what: string): void {
  assert.equal(result.status, 0, `${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

before(async () => {
  assert.ok(existsSync(join(REPO, 'dist', 'cli.js')), 'dist/cli.js missing: run npm run build first');
  work = await mkdtemp(join(tmpdir(), 'label-audit-package-'));
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO);
  succeeded(pack, 'npm pack');
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info.filename);
  packed = info.files.map((file) => file.path).sort();
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('npm pack gives a tarball with the CLI, its bundles and wasm binaries, and nothing else', async () => {
  const version = (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  assert.match(tarball, new RegExp(`label-audit-${version.replace(/\./g, '\\.')}\\.tgz$`));
  assert.deepEqual(packed, [
    'CHANGELOG.md',
    'LICENSE',
    'README.md',
    'bin/label-audit.js',
    'dist/cli.js',
    'dist/tfjs-backend-wasm-simd.wasm',
    'dist/tfjs-backend-wasm-threaded-simd.wasm',
    'dist/tfjs-backend-wasm.wasm',
    'dist/trainWorker.js',
    'package.json',
  ]);
});

test(
  'npm install -g of the tarball into an empty prefix gives a label-audit command that audits a dataset',
  { timeout: 15 * MINUTES },
  async () => {
    const prefix = join(work, 'prefix');
    // Outside the repository, so no project .npmrc or package.json is in play.
    const install = npm(['install', '-g', '--no-audit', '--no-fund', tarball], work, { npm_config_prefix: prefix });
    succeeded(install, 'npm install -g');
    const bin = join(prefix, process.platform === 'win32' ? 'label-audit.cmd' : join('bin', 'label-audit'));
    assert.ok(existsSync(bin), `no label-audit command at ${bin}`);

    const dataset = join(work, 'digits');
    await copySampleDigits(dataset);
    // One pass over the 400 digits: this checks the installed package runs, not the detection.
    const audit = spawnSync(bin, ['audit', dataset, '--epochs', '1', '--json', '--quiet'], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
    });
    assert.equal(audit.status, 0, `label-audit audit failed (exit ${audit.status}):\n${audit.stdout}\n${audit.stderr}`);
    const summary = JSON.parse(audit.stdout) as { report: string; audited: number; backend: string };
    assert.equal(summary.audited, 400);
    assert.equal(summary.backend, 'wasm', 'the wasm binaries were found next to the installed bundle');
    assert.equal(summary.report, join(dataset, '.label-audit', 'report.json'));
    assert.equal((await readReport(summary.report)).samples.length, 400, 'the report and its samples file');
  },
);
