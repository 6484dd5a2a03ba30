import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { REPO } from '../../helpers/repo';
import { AUDIT_DIR } from '../../../src/core/report';
import { readReport, reportPath } from '../../../src/core/reportFile';

// The CLI as a user runs it: the built bundle, on a copy of the bundled sample dataset.
const CLI = join(REPO, 'bin', 'label-audit.js');
let work: string;
let dataset: string;
let answerKey: Map<string, string>;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  options: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function folderDigest(folder: string): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(folder, { recursive: true })).filter((f) => f.endsWith('.png')).sort();
  for (const file of files) hash.update(file).update(await readFile(join(folder, file)));
  return hash.digest('hex');
}

before(async () => {
  await stat(join(REPO, 'dist', 'cli.js')).catch(() =>
    assert.fail('dist/cli.js is missing: run `npm run build` first'),
  );
  work = await mkdtemp(join(tmpdir(), 'label-audit-cli-'));
  dataset = join(work, 'digits');
  await cp(join(REPO, 'sample-data', 'digits'), dataset, {
    recursive: true,
    filter: (src) => !src.includes('.label-audit'),
  });
  const key = parse(await readFile(join(REPO, 'sample-data', 'digits-answer-key.csv'), 'utf8'), { columns: true }) as {
    path: string;
    true_label: string;
  }[];
  answerKey = new Map(key.map((row) => [row.path, row.true_label]));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test("audit finds most of the sample dataset's deliberately wrong labels among its top suspects", async () => {
  const before = await folderDigest(dataset);
  const result = await run(['audit', dataset, '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /backend: wasm/);
  const summary = JSON.parse(result.stdout) as {
    report: string;
    audited: number;
    suspects: { path: string; suggestedLabel: string }[];
    duplicates: { exact: { groups: number }; conflicting: { groups: number } };
  };
  assert.equal(summary.audited, 400);
  // The sample digits are 400 distinct images: no copies, so no conflicts either.
  assert.equal(summary.duplicates.exact.groups, 0);
  assert.equal(summary.duplicates.conflicting.groups, 0);
  const report = await readReport(summary.report);
  const top = report.samples.slice(0, answerKey.size);
  const found = top.filter((s) => answerKey.has(s.path));
  assert.ok(
    found.length >= 15,
    `${found.length} of the ${answerKey.size} wrong labels are in the top ${answerKey.size}`,
  );
  const rightSuggestions = found.filter((s) => answerKey.get(s.path) === s.suggestedLabel).length;
  assert.ok(
    rightSuggestions >= found.length * 0.8,
    `${rightSuggestions} of ${found.length} suggestions are the true digit`,
  );
  assert.equal(await folderDigest(dataset), before, 'the images are untouched');
});

test("--method fused prints the estimated class swaps and each suspect's signals", async () => {
  // A tiny budget: this checks the CLI's plumbing; test/unit/core/audit.unit.test.ts checks the ranking.
  const result = await run([
    'audit',
    dataset,
    '--method',
    'fused',
    '--folds',
    '2',
    '--epochs',
    '2',
    '--quiet',
    '--top',
    '5',
    '--scored-by',
    'mixup',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /fused with 2-fold out-of-sample probabilities/);
  assert.match(result.stdout, /Estimated label noise [\d.]+% \(confident learning, out-of-sample\)/);
  assert.match(result.stdout, /^given\\true +0 +1 +2 .* 9$/m);
  assert.match(result.stdout, /signals: E = ERM fits/);
  // Each suspect's ERM trajectory, and its legend.
  assert.match(result.stdout, /^1 .* {2}AUM [−+]\d+\.\d, (never learned|learned \d+\/\d+)(, forgot \d+×)?$/m);
  assert.match(result.stdout, /^ERM trajectory: AUM = area under the margin/m);
  const report = await readReport(reportPath(dataset));
  assert.equal(report.settings.method, 'fused');
  assert.equal(report.settings.flag.scoredBy, 'mixup');
  assert.ok(report.samples.every((s) => s.reasons));
});

test('a second audit reuses the decode cache, and --max-suspect-rate gates CI with exit code 4', async () => {
  // --judge: the old name of --scored-by, still accepted.
  const result = await run(['audit', dataset, '--json', '--quiet', '--max-suspect-rate', '0.01', '--judge', 'mixup']);
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /above --max-suspect-rate 1\.0%/);
  const report = JSON.parse(await readFile(join(dataset, AUDIT_DIR, 'report.json'), 'utf8')) as {
    decode: { cacheHits: number };
    settings: { flag: { scoredBy: string } };
  };
  assert.equal(report.decode.cacheHits, 400);
  assert.equal(report.settings.flag.scoredBy, 'mixup');
});

test('export --accept-suggestions writes a cleaned manifest and a decision log beside the dataset', async () => {
  const result = await run(['export', dataset, '--accept-suggestions']);
  assert.equal(result.code, 0, result.stderr);
  const rows = parse(await readFile(join(dataset, 'labels.cleaned.csv'), 'utf8'), { columns: true }) as {
    path: string;
    label: string;
  }[];
  assert.equal(rows.length, 400);
  const report = await readReport(reportPath(dataset));
  const labelOf = new Map(rows.map((r) => [r.path, r.label]));
  for (const s of report.samples.filter((s) => s.flagged)) assert.equal(labelOf.get(s.path), s.suggestedLabel, s.path);
  const log = await readFile(join(dataset, 'labels.cleaned.decisions.csv'), 'utf8');
  assert.match(log.split('\n')[0], /^path,given_label,action,final_label/);
  const again = await run(['export', dataset, '--accept-suggestions']);
  assert.equal(again.code, 3);
  assert.match(again.stderr, /labels\.cleaned\.csv/);
});

test("export --format cleanlab writes the report as Datalab's columns, row for row", async () => {
  const out = join(work, 'label_issues.csv');
  const result = await run(['export', dataset, '--format', 'cleanlab', '--out', out, '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { labelIssuesPath: out, rows: 400 });
  const report = await readReport(reportPath(dataset));
  const rows = parse(await readFile(out, 'utf8'), { columns: true }) as Record<string, string>[];
  // Written in chunks (cleanlabCsvChunks): one header, every sample once, in the report's order.
  assert.deepEqual(
    rows.map((r) => [r.path, r.is_label_issue, r.given_label, r.predicted_label]),
    report.samples.map((s) => [s.path, s.flagged ? 'True' : 'False', s.givenLabel, s.suggestedLabel]),
  );
  const again = await run(['export', dataset, '--format', 'cleanlab', '--out', out]);
  assert.equal(again.code, 3);
  assert.match(again.stderr, /label_issues\.csv exists: pass --force/);
});

test('dataset health: planted dark images are in the report and the summary, and --fail-on gates CI with exit code 5', async () => {
  const planted = join(work, 'digits-health');
  await cp(dataset, planted, {
    recursive: true,
    filter: (src) => !src.includes('.label-audit') && !src.includes('cleaned'),
  });
  const dark = ['0', '2', '4', '6', '8'].map((label) => `${label}/${readdirFirst(planted, label)}`);
  for (const path of dark) {
    const file = join(planted, path);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const dimmed = Uint8Array.from(data, (v) => v * 0.2);
    await sharp(dimmed, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .png()
      .toFile(`${file}.tmp.png`);
    await rename(`${file}.tmp.png`, file);
  }
  const result = await run(['audit', planted, '--quiet', '--max-steps', '4000', '--fail-on', 'dark>1%,blurry>50%']);
  assert.equal(result.code, 5, result.stderr);
  assert.match(result.stderr, /--fail-on dark>1% broken: 5 images \(1\.3%\)/);
  assert.doesNotMatch(result.stderr, /blurry/);
  assert.match(result.stdout, /Dataset health \([\d.]+ s\):\n(.*\n)* {2}dark: 5 \(1\.3%, score < 0\.32\), e\.g\. /);
  const report = await readReport(reportPath(planted));
  assert.ok(report.health?.outliers, 'the health section with its outliers');
  const types = report.health.imageQuality.types;
  assert.deepEqual(types.dark.flagged.map((at) => report.samples[at].path).sort(), dark.sort());
  assert.equal(types.dark.scores.length, report.samples.length);
  assert.equal(report.health.outliers.space, 'mixup');
  assert.equal(report.health.outliers.k, 10);
  const off = await run(['audit', planted, '--quiet', '--max-steps', '4000', '--no-health', '--fail-on', 'dark>1%']);
  assert.equal(off.code, 0, off.stderr);
});

/** The first file name (sorted) in a class folder. */
function readdirFirst(root: string, label: string): string {
  return readdirSync(join(root, label))
    .filter((f) => f.endsWith('.png'))
    .sort()[0];
}

test('bad input exits with a clear message and the documented code', async () => {
  const missing = await run(['audit', join(work, 'nope')]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope/);
  const oneClass = join(work, 'one-class');
  await cp(join(dataset, '3'), join(oneClass, '3'), { recursive: true });
  const single = await run(['audit', oneClass]);
  assert.equal(single.code, 3);
  assert.match(single.stderr, /class/i);
  const badGate = await run(['audit', dataset, '--fail-on', 'fuzzy>1%']);
  assert.equal(badGate.code, 2);
  assert.match(badGate.stderr, /unknown type "fuzzy"; known: dark, light/);
  const badOption = await run(['audit', dataset, '--alpha', '-1']);
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /--alpha/);
  await writeFile(join(work, 'broken.csv'), 'path,label\n"a.png,cat\n');
  const broken = await run(['audit', join(work, 'broken.csv')]);
  assert.equal(broken.code, 3);
  assert.match(broken.stderr, /broken\.csv/);
});

test('Ctrl+C during training stops the audit with code 130 and writes no report', async () => {
  const fresh = join(work, 'fresh');
  await cp(dataset, fresh, { recursive: true, filter: (src) => !src.includes('.label-audit') });
  const result = await run(['audit', fresh], {
    onStderr: (text, child) => {
      if (/Training|epoch/.test(text) && !child.killed) child.kill('SIGINT');
    },
  });
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /cancelled/);
  await assert.rejects(stat(join(fresh, AUDIT_DIR, 'report.json')), /ENOENT/);
});

test('the built CLI audits on the pure-JavaScript cpu backend too (it is registered in the bundle)', async () => {
  // 5 digits per class: the cpu backend is ~100× slower than wasm, and this checks only that it runs.
  const small = join(work, 'digits-cpu');
  // Only the class folders: other tests leave exports and .label-audit/ beside them.
  const classes = (await readdir(dataset, { withFileTypes: true })).filter(
    (e) => e.isDirectory() && !e.name.startsWith('.'),
  );
  for (const { name: folder } of classes) {
    const names = (await readdir(join(dataset, folder))).filter((n) => n.endsWith('.png')).slice(0, 5);
    for (const name of names) await cp(join(dataset, folder, name), join(small, folder, name));
  }
  const result = await run(['audit', small, '--backend', 'cpu', '--epochs', '0.1', '--quiet', '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as { backend: string }).backend, 'cpu');
});
