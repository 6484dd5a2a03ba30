import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadDataset } from '../../../../src/core/data/dataset';
import { exportCleanedLabels } from '../../../../src/core/export/exportLabels';
import { spreadsheetSafe } from '../../../../src/core/export/spreadsheetSafe';
import { readReviewLog } from '../../../../src/core/review/reviewLog';
import { FORMULA_NAMES, writeHostileFolderDataset, writeHostileReviewLog } from '../../../helpers/hostileReview';

// Regression for issue 11 item 5: labels, paths and the review log's `user` that start with
// = + - @ tab or CR were written raw into the logs, where a spreadsheet runs them as formulas.
let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'label-audit-formulas-'));
});
after(() => rm(root, { recursive: true, force: true }));

const startsLikeFormula = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^[+-]?\d+(\.\d+)?$/.test(cell);

test('the decisions log and review-log table neutralise formula cells; the cleaned labels keep exact values', async () => {
  // Class folders named like formulas (no leading tab/CR: those are file names), files too.
  const classNames = FORMULA_NAMES.filter((name) => !/^[\t\r]/.test(name));
  const paths = await writeHostileFolderDataset(root, classNames, FORMULA_NAMES);
  const dataset = await loadDataset(root);
  assert.equal(dataset.samples.length, paths.length, 'every hostile name loads');
  const relabelTo = '=2+5';
  const decided = dataset.samples.filter((_, i) => i % 3 === 0);
  const decisions = Object.fromEntries(decided.map((s) => [s.path, { action: 'relabel' as const, label: relabelTo }]));
  await writeHostileReviewLog(
    root,
    decided.map((s) => s.path),
    '=cmd|" /C calc"!A0',
  );
  const reviewLog = await readReviewLog(join(root, '.label-audit', 'review-log.jsonl'));
  const result = await exportCleanedLabels(dataset, decisions, { reviewLog });

  for (const file of [result.logPath, result.reviewLogPath as string]) {
    const rows = parse(await readFile(file, 'utf8')) as string[][];
    const bad = rows.flat().filter(startsLikeFormula);
    assert.deepEqual(bad, [], `${file}: no cell starts like a formula`);
  }
  const log = parse(await readFile(result.logPath, 'utf8'), { columns: true }) as Record<string, string>[];
  const relabels = log.filter((row) => row.action === 'relabel');
  assert.equal(relabels.length, decided.length);
  for (const row of relabels) {
    assert.equal(row.final_label, `'${relabelTo}`);
    assert.ok(
      decided.some((s) => spreadsheetSafe(s.path) === row.path && spreadsheetSafe(s.label) === row.given_label),
    );
  }
  const table = parse(await readFile(result.reviewLogPath as string, 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  assert.ok(table.every((row) => row.user === `'=cmd|" /C calc"!A0`));

  // The cleaned manifest is data: exact labels and paths, so it loads back to the decided dataset.
  const manifest = parse(await readFile(result.labelsPath, 'utf8'), { columns: true }) as {
    path: string;
    label: string;
  }[];
  const expected = dataset.samples.map((s) => ({ path: s.path, label: decisions[s.path] ? relabelTo : s.label }));
  assert.deepEqual(manifest, expected);
  const reloaded = await loadDataset(result.labelsPath);
  const roundTrip = new Map(reloaded.samples.map((s) => [s.path, s.label]));
  for (const { path, label } of expected.filter((e) => !/^[\t\r]/.test(e.path)))
    assert.equal(roundTrip.get(path), label, path);
});

test('plain numbers stay numbers; everything formula-like gets a quote', () => {
  assert.equal(spreadsheetSafe('-1'), '-1');
  assert.equal(spreadsheetSafe('+3.5'), '+3.5');
  assert.equal(spreadsheetSafe('-1+2'), "'-1+2");
  for (const name of FORMULA_NAMES) assert.equal(spreadsheetSafe(name), `'${name}`);
  assert.equal(spreadsheetSafe('cat'), 'cat');
});
