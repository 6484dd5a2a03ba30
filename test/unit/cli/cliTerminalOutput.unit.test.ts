import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { terminalJson, terminalSafe } from '../../../src/cli/terminalText';
import { hasTerminalControl, TERMINAL_NAMES, writeHostileFolderDataset } from '../../helpers/hostileReview';
import { REPO } from '../../helpers/repo';
import { readReport } from '../../../src/core/reportFile';

// Regression for issue 11 item 7: the CLI printed file and class names raw, so ESC/CR sequences in
// them cleared the screen, set the window title or forged links. Real digits, files and classes
// (and the dataset folder itself) named with such sequences; Linux allows them all.
const CLI = join(REPO, 'bin', 'label-audit.js');
let work: string;
let dataset: string;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const FAST = ['--epochs', '1', '--min-steps', '100', '--top', '100'];

before(async () => {
  await stat(join(REPO, 'dist', 'cli.js')).catch(() =>
    assert.fail('dist/cli.js is missing: run `npm run build` first'),
  );
  work = await mkdtemp(join(tmpdir(), 'label-audit-cli-escapes-'));
  dataset = join(work, '\x1b]0;dataset-title\x07digits');
  await writeHostileFolderDataset(dataset, TERMINAL_NAMES, TERMINAL_NAMES, 6);
});
after(() => rm(work, { recursive: true, force: true }));

function assertNoControl(text: string, what: string): void {
  const at = [...text].findIndex((c) => hasTerminalControl(c));
  assert.equal(at, -1, `${what} holds a raw control character near ${JSON.stringify(text.slice(at - 20, at + 20))}`);
}

test('audit: progress, summary and table show names escaped, never raw', async () => {
  const result = await run(['audit', dataset, ...FAST]);
  assert.equal(result.code, 0, result.stderr);
  assertNoControl(result.stdout, 'stdout');
  assertNoControl(result.stderr, 'stderr (progress)');
  assert.match(result.stdout, /\\x1B\]0;pwned\\x07title/, 'the class name is shown, escaped');
  assert.match(result.stdout, /real\\x0DFORGED/);
  assert.match(result.stderr, /reading labels from .*\\x1B\]0;dataset-title\\x07digits/);
});

test('audit --json: exact JSON (names parse back to their raw bytes) and nothing a terminal obeys', async () => {
  const result = await run(['audit', dataset, ...FAST, '--json', '--quiet']);
  assert.equal(result.code, 0, result.stderr);
  assertNoControl(result.stdout, '--json stdout');
  const summary = JSON.parse(result.stdout) as { report: string; suspects: { path: string }[] };
  const report = await readReport(summary.report);
  assert.equal(summary.report, join(dataset, '.label-audit', 'report.json'));
  const flagged = report.samples.filter((s) => s.flagged).map((s) => s.path);
  assert.deepEqual(summary.suspects.map((s) => s.path).sort(), flagged.sort());
  assert.ok(
    flagged.some((path) => hasTerminalControl(path)),
    'the corpus put hostile names among the suspects',
  );
});

test('export and errors: paths in messages are escaped, --json export stays exact', async () => {
  // Accepting the suggestions either writes or refuses (a class named with control characters
  // cannot be a label); either way what it prints is escaped.
  const suggested = await run(['export', dataset, '--accept-suggestions', '--out', join(dataset, 'suggested.csv')]);
  assert.ok(suggested.code === 0 || suggested.code === 3, suggested.stderr);
  assertNoControl(suggested.stdout + suggested.stderr, 'export --accept-suggestions');

  const decisionsFile = join(work, 'decisions.json');
  const removed = { action: 'remove' };
  const hostilePaths = (await readdir(join(dataset, TERMINAL_NAMES[1]))).map((f) => `${TERMINAL_NAMES[1]}/${f}`);
  await writeFile(
    decisionsFile,
    JSON.stringify({ version: 2, decisions: Object.fromEntries(hostilePaths.map((p) => [p, removed])) }),
  );
  const exported = await run(['export', dataset, '--decisions', decisionsFile]);
  assert.equal(exported.code, 0, exported.stderr);
  assertNoControl(exported.stdout, 'export stdout');
  assert.match(exported.stdout, /Cleaned labels: .*\\x1B\]0;dataset-title\\x07digits/);
  assert.match(exported.stdout, /6 removed/);

  const again = await run(['export', dataset, '--decisions', decisionsFile]);
  assert.equal(again.code, 3);
  assertNoControl(again.stderr, 'export error');
  assert.match(again.stderr, /already exists; pass --force to replace/);

  const json = await run(['export', dataset, '--decisions', decisionsFile, '--force', '--json']);
  assert.equal(json.code, 0, json.stderr);
  assertNoControl(json.stdout, 'export --json');
  assert.equal((JSON.parse(json.stdout) as { labelsPath: string }).labelsPath, join(dataset, 'labels.cleaned.csv'));

  const missing = await run(['audit', join(work, '\x1b[2J\x1b[Hnope')]);
  assert.equal(missing.code, 3);
  assertNoControl(missing.stderr, 'error message');
  assert.match(missing.stderr, /\\x1B\[2J\\x1B\[Hnope/);

  const usage = await run(['audit', dataset, '--bogus-\x1b]0;x\x07']);
  assert.equal(usage.code, 2);
  assertNoControl(usage.stderr, "commander's message");
});

test('terminalSafe escapes C0, DEL, C1 and bidi controls but keeps newlines; terminalJson stays exact', () => {
  assert.equal(terminalSafe('a\x1b[2Jb\r\n\t\x7f\u009b\u202e'), 'a\\x1B[2Jb\\x0D\n\\x09\\x7F\\x9B\\u202E');
  const value = { name: 'x\x1b]0;t\x07\u009b\u2028\u202e', n: 1 };
  const text = terminalJson(value);
  assertNoControl(text.replace(/\n/g, ''), 'terminalJson');
  assert.ok(!/[\u2028\u202e]/.test(text));
  assert.deepEqual(JSON.parse(text), value);
});
