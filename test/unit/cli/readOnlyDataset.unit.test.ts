import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO } from '../../helpers/repo';
import { realImages, writeDataset } from '../../helpers/realImages';
import { readReport } from '../../../src/core/reportFile';

// Issue #11, item 2: a read-only dataset stops the audit at once (exit 3, a plain message naming the
// folder), not after the whole training run with a stack trace; --out then is the only file written.
// Root writes anywhere, so the CLI runs as the unprivileged user `nobody` (uid/gid 65534).
const CLI = join(REPO, 'bin', 'label-audit.js');
const NOBODY = 65534;
let temp: string;
let dataset: string;

/** Why the test cannot run here, or undefined. */
function unprivilegedProblem(): string | undefined {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return 'no POSIX users on this platform';
  if (process.getuid() !== 0)
    return 'not root: cannot start a process as another user (and chmod does not stop the owner)';
  const probe = spawnSync(process.execPath, ['-e', 'process.exit(process.getuid() === 65534 ? 0 : 1)'], {
    uid: NOBODY,
    gid: NOBODY,
  });
  if (probe.status !== 0) return `cannot run node as uid ${NOBODY} (${probe.error?.message ?? `exit ${probe.status}`})`;
  const reads = spawnSync(process.execPath, [CLI, '--help'], { uid: NOBODY, gid: NOBODY });
  if (reads.status !== 0) return `uid ${NOBODY} cannot read the repository at ${REPO}`;
  return undefined;
}
const skip = unprivilegedProblem();

function runAsNobody(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: temp,
      env: { ...process.env, HOME: temp },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

before(async () => {
  if (skip) return;
  await stat(join(REPO, 'dist', 'cli.js')).catch(() =>
    assert.fail('dist/cli.js is missing: run `npm run build` first'),
  );
  temp = await mkdtemp(join(tmpdir(), 'label-audit-readonly-'));
  await chmod(temp, 0o755);
  dataset = join(temp, 'digits');
  const data = realImages(40, { seed: 4, classes: [0, 1] });
  await writeDataset(dataset, { images: data.images, labels: data.labels.map((l) => data.classNames[l]) }, 'folder');
  // Read-only for everyone but root (like `chmod -R a-w`): nobody may read, never write.
  for (const entry of ['', ...(await readdir(dataset, { recursive: true }))]) {
    const path = join(dataset, entry);
    await chmod(path, (await stat(path)).isDirectory() ? 0o555 : 0o444);
  }
});

after(() => (temp ? rm(temp, { recursive: true, force: true }) : undefined));

test(
  'a read-only dataset: exit 3 at once, naming .label-audit and the reason, no stack trace, nothing written',
  { skip },
  async () => {
    const result = await runAsNobody(['audit', dataset, '--quiet']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`cannot write in ${join(dataset, '.label-audit')} \\(permission denied, EACCES\\)`),
    );
    assert.match(result.stderr, /Nothing was trained/);
    assert.match(result.stderr, /--out <file>/);
    assert.doesNotMatch(result.stderr, /unexpected error|\n\s+at /);
    assert.deepEqual((await readdir(dataset)).sort(), ['0', '1']);
  },
);

test('a read-only dataset with --out: the report is written there only, no decode cache', { skip }, async () => {
  const outFolder = join(temp, 'reports');
  await rm(outFolder, { recursive: true, force: true });
  const out = join(outFolder, 'report.json');
  // The folder is made by nobody: give it a writable parent.
  await chown(temp, NOBODY, NOBODY);
  const result = await runAsNobody(['audit', dataset, '--out', out, '--epochs', '1', '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /the report goes to .*reports\/report\.json only/);
  const summary = JSON.parse(result.stdout) as { report: string; audited: number };
  assert.equal(summary.report, out);
  assert.equal(summary.audited, 40);
  assert.equal((await readReport(out)).samples.length, 40, "the header and its samples file, both in --out's folder");
  assert.deepEqual((await readdir(dataset)).sort(), ['0', '1'], 'nothing was written in the dataset');
});

test('an --out that cannot be written is refused before training', { skip }, async () => {
  const result = await runAsNobody(['audit', dataset, '--out', join(dataset, 'report.json'), '--quiet']);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /cannot write the report to .*digits\/report\.json \(permission denied, EACCES\)/);
  assert.match(result.stderr, /Nothing was trained/);
});
