import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { REPO } from '../../helpers/repo';
import { writeCopiesDatasets, type CopiesDatasets } from '../../helpers/copiesDataset';
import type { AuditReport } from '../../../src/core/report';
import { readReport, reportPath } from '../../../src/core/reportFile';

// Issue #18 end to end: the built CLI audits 1 000 real digits, then the same digits plus 20 000
// byte-identical copies of one of them (10 of the copies under another class). Peak memory is
// measured in each child at exit (test/helpers/peakRss.mjs), so report writing counts too.
const CLI = join(REPO, 'bin', 'label-audit.js');
const PEAK_RSS = pathToFileURL(join(REPO, 'test', 'helpers', 'peakRss.mjs')).href;
const COPIES = 20_000;
const MISLABELED = 10;
// A short audit with the same training budget on both sides: the copies train as one unit, so a
// fixed budget makes the two runs train alike and the comparison is about the copies alone.
const SHORT = ['--epochs', '1', '--min-steps', '2000', '--max-steps', '2000', '--quiet'];
/**
 * Issue #18 asks for 10%. Measured 2026-12-02 at load 2–4.5 on 2 shared cores, over six pairs of
 * runs (this test three times, `npm run bench:speed -- --copies-only --repeats 3`): ×1.04 to ×1.05.
 * What remains is per-file bookkeeping (reading and hashing 21 000 files, their dataset entries),
 * not pixels or anything per copy pair: before the fix this audit peaked at 5.7 GiB. The bound
 * leaves room for the up to 8% that either side's peak moved between runs at load 7–15
 * (docs/hardening.md).
 */
const MAX_PEAK_RATIO = 1.15;

let work: string;
let data: CopiesDatasets;

/** Runs the built CLI with the peak-RSS hook preloaded. */
function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PEAK_RSS, CLI, ...args], {
      cwd: work,
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
  });
}

async function audit(root: string): Promise<{ report: AuditReport; peakMiB: number; stdout: string }> {
  const rssFile = join(work, `peak-${root.endsWith('distinct') ? 'distinct' : 'copies'}`);
  const { code, stdout, stderr } = await runCli(['audit', root, ...SHORT], {
    LABEL_AUDIT_PEAK_RSS_FILE: rssFile,
  });
  assert.equal(code, 0, stderr);
  const report = await readReport(reportPath(root));
  return { report, peakMiB: Number(await readFile(rssFile, 'utf8')) / 1024, stdout };
}

before(async () => {
  await stat(join(REPO, 'dist', 'cli.js')).catch(() =>
    assert.fail('dist/cli.js is missing: run `npm run build` first'),
  );
  work = await mkdtemp(join(tmpdir(), 'label-audit-copies-'));
  data = await writeCopiesDatasets(work, { distinct: 1000, copies: COPIES, mislabeledCopies: MISLABELED });
});

after(() => rm(work, { recursive: true, force: true }));

test(
  '20 000 copies of one real digit: the audit lists the copies once with their size, at the memory of the audit without them',
  { timeout: 300_000 },
  async () => {
    const alone = await audit(data.distinct);
    const withCopies = await audit(data.withCopies);
    const { report } = withCopies;
    assert.equal(report.dataset.audited, 1000 + COPIES);
    assert.equal(report.samples.length, 1000 + COPIES, 'every file keeps its own row (and its verdict)');

    // One copy group, with its size and its labels, and a handful of paths rather than 20 001.
    assert.equal(report.copyGroups?.length, 1);
    const [group] = report.copyGroups!;
    assert.equal(group.files, COPIES + 1);
    assert.deepEqual(group.labels, [
      { label: data.original.label, files: COPIES - MISLABELED + 1 },
      { label: report.samples.find((s) => s.path.includes('copy-00000'))!.givenLabel, files: MISLABELED },
    ]);
    assert.ok(group.paths.length <= 5 && group.paths.includes(data.original.path));
    assert.equal(report.samples.filter((s) => s.copyGroup === 0).length, COPIES + 1);
    // The clash is one conflict group of two members (one per label), each with its count.
    assert.equal(report.conflicts?.length, 1);
    assert.deepEqual(
      report.conflicts![0].members.map((m) => [m.label, m.copies]),
      group.labels.map((l) => [l.label, l.files]).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    assert.deepEqual(report.duplicates?.exact, { groups: 1, images: COPIES + 1 });
    // Copies share their verdict: all the copies with one label are flagged alike.
    for (const label of group.labels.map((l) => l.label)) {
      const verdicts = new Set(
        report.samples.filter((s) => s.copyGroup === 0 && s.givenLabel === label).map((s) => `${s.flagged} ${s.score}`),
      );
      assert.equal(verdicts.size, 1, `one verdict for the copies labeled ${label}`);
    }
    // No neighbour strip is a row of copies.
    for (const s of report.samples.filter((x) => x.neighbours)) {
      const sets = s.neighbours!.given.samples.map((at) => report.samples[at].copyGroup).filter((g) => g !== undefined);
      assert.ok(sets.length <= 1, `${s.path}: at most one copy in its strip`);
    }
    // The summary names the copies.
    assert.match(
      withCopies.stdout,
      new RegExp(`^20,001 files are copies of one image: \`${data.original.path}\`, `, 'm'),
    );
    // One decision on the card of the 10 mislabeled copies ("remove all") reaches all 10 in the export.
    const mislabeled = report.conflicts![0].members.find((m) => m.copies === MISLABELED)!;
    const decisionsFile = join(work, 'decisions.json');
    await writeFile(
      decisionsFile,
      JSON.stringify({ version: 2, decisions: { [mislabeled.path]: { action: 'remove' } } }),
    );
    const exported = await runCli(['export', data.withCopies, '--decisions', decisionsFile, '--format', 'csv']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`0 relabeled, ${MISLABELED} removed`));
    const cleaned = await readFile(join(data.withCopies, 'labels.cleaned.csv'), 'utf8');
    assert.equal(cleaned.trim().split('\n').length - 1, 1000 + COPIES - MISLABELED);
    assert.ok(!cleaned.includes(`${mislabeled.label}/copy-`), 'no mislabeled copy is left');

    const ratio = withCopies.peakMiB / alone.peakMiB;
    console.log(
      `# peak RSS: ${alone.peakMiB.toFixed(0)} MiB for 1 000 digits, ${withCopies.peakMiB.toFixed(0)} MiB with 20 000 copies (×${ratio.toFixed(2)})`,
    );
    assert.ok(ratio <= MAX_PEAK_RATIO, `peak RSS ×${ratio.toFixed(2)} with the copies`);
  },
);
