import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { defaultDecisionsPath, writeDecisions } from '../../../../src/core/review/decisions';
import { AuditError } from '../../../../src/core/errors';
import { writeReport } from '../../../../src/core/reportFile';
import { appendReviewLog, defaultReviewLogPath, reviewLogEntries } from '../../../../src/core/review/reviewLog';
import type { Decisions } from '../../../../src/core/shared/types';
import { exportDataset, type ExportPrompts } from '../../../../src/extension/export/exportFlow';
import { copySampleDigits } from '../../../helpers/repo';
import { sampleDigitsReport } from '../../../helpers/sampleReport';

// The Export command's flow on a real copy of the sample dataset, with a scripted user.
let work: string;

/** A user who answers from a script and remembers what they were asked. */
function scriptedUser(answers: {
  noDecisions?: boolean;
  format?: 'csv' | 'json';
  overwrite?: boolean;
}): ExportPrompts & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    confirmNoDecisions: async () => {
      asked.push('noDecisions');
      return answers.noDecisions ?? false;
    },
    pickFolderFormat: async () => {
      asked.push('format');
      return answers.format;
    },
    confirmOverwrite: async (path) => {
      asked.push(`overwrite ${path}`);
      return answers.overwrite ?? false;
    },
  };
}

async function auditedCopy(name: string): Promise<{ root: string; paths: string[] }> {
  const root = join(work, name);
  await copySampleDigits(root);
  const report = await sampleDigitsReport(root);
  await writeReport(report);
  return { root, paths: report.samples.map((s) => s.path) };
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'label-audit-export-flow-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('a folder-per-class dataset is exported in the format the user picks, with the decisions applied', async () => {
  const { root, paths } = await auditedCopy('folder');
  const [relabeled, removed, kept] = paths;
  const decisions: Decisions = {
    [relabeled]: { action: 'relabel', label: 'seven-ish' },
    [removed]: { action: 'remove' },
    [kept]: { action: 'keep' },
  };
  await writeDecisions(defaultDecisionsPath(root), decisions);
  const user = scriptedUser({ format: 'json' });
  const result = await exportDataset(root, user);
  assert.deepEqual(user.asked, ['format']);
  assert.equal(result?.labelsPath, join(root, 'labels.cleaned.json'));
  assert.deepEqual(
    { relabeled: result?.relabeled, removed: result?.removed, kept: result?.kept, unchanged: result?.unchanged },
    { relabeled: 1, removed: 1, kept: 1, unchanged: 397 },
  );
  const labels = JSON.parse(await readFile(result!.labelsPath, 'utf8')) as { path: string; label: string }[];
  assert.equal(labels.length, 399);
  assert.equal(labels.find((l) => l.path === relabeled)?.label, 'seven-ish');
  assert.equal(
    labels.find((l) => l.path === removed),
    undefined,
  );
  assert.equal(labels.find((l) => l.path === kept)?.label, kept.split('/')[0]);
  assert.ok((await stat(result!.logPath)).isFile());
});

test('the review log (who changed what and when, undos included) is written next to the cleaned labels', async () => {
  const { root, paths } = await auditedCopy('review-log');
  const [a, b] = paths;
  const time = (minute: number) => new Date(Date.UTC(2026, 10, 30, 9, minute));
  // The history the panel would have logged: relabel a, remove b, undo the removal.
  const steps = [
    ...reviewLogEntries({}, [{ path: a, decision: { action: 'relabel', label: '3' } }], {
      user: 'ada',
      time: time(1),
      undo: false,
    }),
    ...reviewLogEntries({}, [{ path: b, decision: { action: 'remove' } }], { user: 'ada', time: time(2), undo: false }),
    ...reviewLogEntries({ [b]: { action: 'remove' } }, [{ path: b, decision: null }], {
      user: 'bob',
      time: time(3),
      undo: true,
    }),
  ];
  await appendReviewLog(defaultReviewLogPath(root), steps);
  await writeDecisions(defaultDecisionsPath(root), { [a]: { action: 'relabel', label: '3' } });
  const result = await exportDataset(root, scriptedUser({ format: 'csv' }));
  assert.equal(result?.reviewLogPath, join(root, 'labels.cleaned.review-log.csv'));
  const rows = parse(await readFile(result!.reviewLogPath!, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    rows.map((r) => [r.timestamp, r.user, r.sample, r.given_label, r.action, r.from, r.to, r.to_label]),
    [
      ['2026-11-30T09:01:00.000Z', 'ada', a, a.split('/')[0], 'relabel', 'pending', 'relabel', '3'],
      ['2026-11-30T09:02:00.000Z', 'ada', b, b.split('/')[0], 'remove', 'pending', 'remove', ''],
      ['2026-11-30T09:03:00.000Z', 'bob', b, b.split('/')[0], 'undo', 'remove', 'pending', ''],
    ],
  );
  // A second export asks before replacing the previous one (labels, decisions and review log).
  const again = scriptedUser({ format: 'csv', overwrite: false });
  assert.equal(await exportDataset(root, again), undefined);
  assert.equal(again.asked.filter((q) => q.startsWith('overwrite')).length, 1);
  const leftovers = (await readdir(root)).filter((f) => f.includes('.tmp'));
  assert.deepEqual(leftovers, [], 'no temp files left behind');
});

test('a damaged review log does not block the export: the bad line is skipped with a warning naming the file and line', async () => {
  const { root, paths } = await auditedCopy('damaged-review-log');
  const [a, b] = paths;
  const time = (minute: number) => new Date(Date.UTC(2026, 10, 30, 9, minute));
  const file = defaultReviewLogPath(root);
  await appendReviewLog(
    file,
    reviewLogEntries({}, [{ path: a, decision: { action: 'relabel', label: '3' } }], {
      user: 'ada',
      time: time(1),
      undo: false,
    }),
  );
  // A hand edit that broke a line in the middle, as a torn line followed by later entries would be.
  await appendFile(file, '{"time":"2026-11-30T09:01:30.000Z","user":"ada","pa\n');
  await appendReviewLog(
    file,
    reviewLogEntries({}, [{ path: b, decision: { action: 'remove' } }], { user: 'ada', time: time(2), undo: false }),
  );
  await writeDecisions(defaultDecisionsPath(root), {
    [a]: { action: 'relabel', label: '3' },
    [b]: { action: 'remove' },
  });
  const result = await exportDataset(root, scriptedUser({ format: 'csv' }));
  assert.deepEqual(result?.warnings, [
    `Review log ${file}, line 2: not valid JSON. The line was left out of the review-log table.`,
  ]);
  assert.deepEqual({ relabeled: result?.relabeled, removed: result?.removed }, { relabeled: 1, removed: 1 });
  const rows = parse(await readFile(result!.reviewLogPath!, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    rows.map((r) => [r.sample, r.action]),
    [
      [a, 'relabel'],
      [b, 'remove'],
    ],
  );
});

test('a previous export is replaced only when the user says so', async () => {
  const { root, paths } = await auditedCopy('overwrite');
  await writeDecisions(defaultDecisionsPath(root), { [paths[0]]: { action: 'remove' } });
  const first = await exportDataset(root, scriptedUser({ format: 'csv' }));
  const firstText = await readFile(first!.labelsPath, 'utf8');

  await writeDecisions(defaultDecisionsPath(root), {
    [paths[0]]: { action: 'remove' },
    [paths[1]]: { action: 'remove' },
  });
  const declining = scriptedUser({ format: 'csv', overwrite: false });
  assert.equal(await exportDataset(root, declining), undefined);
  assert.deepEqual(declining.asked, ['format', `overwrite ${first!.labelsPath}`]);
  assert.equal(await readFile(first!.labelsPath, 'utf8'), firstText, 'declined: the previous export is untouched');

  const accepting = scriptedUser({ format: 'csv', overwrite: true });
  const second = await exportDataset(root, accepting);
  assert.equal(second?.removed, 2);
  const rows = parse(await readFile(second!.labelsPath, 'utf8'), { columns: true }) as { path: string }[];
  assert.equal(rows.length, 398);
  assert.ok(!rows.some((r) => r.path === paths[1]));
});

test('without any decision the user is asked first, and backing out of a question writes nothing', async () => {
  const { root } = await auditedCopy('undecided');
  const before = await readdir(root);
  const user = scriptedUser({ noDecisions: false });
  assert.equal(await exportDataset(root, user), undefined);
  assert.deepEqual(user.asked, ['noDecisions']);
  assert.equal(
    await exportDataset(root, scriptedUser({ noDecisions: true, format: undefined })),
    undefined,
    'no format picked',
  );
  assert.deepEqual(await readdir(root), before);
  const unchanged = await exportDataset(root, scriptedUser({ noDecisions: true, format: 'csv' }));
  assert.deepEqual(
    { relabeled: unchanged?.relabeled, removed: unchanged?.removed, unchanged: unchanged?.unchanged },
    { relabeled: 0, removed: 0, unchanged: 400 },
  );
});

test('a CSV label file with a name of its own is exported next to it in CSV, the original byte for byte unchanged', async () => {
  const { root, paths } = await auditedCopy('csv');
  // The same images listed in train.csv: the report says the audit read that file.
  const original = `path,label,source\r\n${paths.map((p) => `${p},${p.split('/')[0]},scan`).join('\r\n')}\r\n`;
  await writeFile(join(root, 'train.csv'), original);
  const report = await sampleDigitsReport(root);
  await writeReport({ ...report, dataset: { ...report.dataset, format: 'csv', manifest: 'train.csv' } });
  await writeDecisions(defaultDecisionsPath(root), { [paths[5]]: { action: 'relabel', label: '1' } });
  const user = scriptedUser({});
  const result = await exportDataset(root, user);
  assert.deepEqual(user.asked, [], 'no format question for a CSV dataset');
  assert.equal(result?.labelsPath, join(root, 'train.cleaned.csv'));
  const text = await readFile(result!.labelsPath, 'utf8');
  assert.ok(text.includes(`${paths[5]},1,scan\r\n`), 'relabeled, other columns and CRLF kept');
  assert.equal(await readFile(join(root, 'train.csv'), 'utf8'), original);
});

test('a dataset that was never audited gets a message that says what to do', async () => {
  const root = join(work, 'never-audited');
  await copySampleDigits(root);
  await assert.rejects(exportDataset(root, scriptedUser({})), (e: unknown) => {
    return AuditError.is(e, 'reportMissing') && e.message.includes(root) && /Run Audit/.test(e.message);
  });
});
