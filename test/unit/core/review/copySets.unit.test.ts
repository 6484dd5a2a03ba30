import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSuspects } from '../../../../src/cli/summary';
import { typicalExamples } from '../../../../src/core/review/classExamples';
import { distinctImages, withCopyDecisions } from '../../../../src/core/review/copySets';
import type { ReportSample } from '../../../../src/core/shared/types';
import { buildReviewContent } from '../../../../src/extension/review/reviewContent';
import { sampleDigitsReport } from '../../../helpers/sampleReport';

/** The sample report with its first `copies` unflagged digits turned into copies of one placeholder. */
async function reportWithCopies(copies: number) {
  const report = await sampleDigitsReport();
  const unflagged = report.samples.map((s, at) => ({ s, at })).filter(({ s }) => !s.flagged);
  const chosen = new Set(unflagged.slice(0, copies).map(({ at }) => at));
  const samples: ReportSample[] = report.samples.map((s, at) =>
    chosen.has(at) ? { ...s, givenLabel: at % 2 ? '1' : '7', copyGroup: 0, ermGiven: 1, mixupGiven: 1 } : s,
  );
  const paths = samples.filter((s) => s.copyGroup === 0).map((s) => s.path);
  const sorted = [...paths].sort();
  const ones = samples.filter((s) => s.copyGroup === 0 && s.givenLabel === '1').length;
  return {
    ...report,
    samples,
    copyGroups: [
      {
        files: copies,
        labels: [
          { label: '7', files: copies - ones },
          { label: '1', files: ones },
        ],
        paths: sorted.slice(0, 5),
      },
    ],
  };
}

test('a decision on the first path of a copy set reaches every copy with its label, and no other file', async () => {
  const report = await reportWithCopies(40);
  const copies = report.samples.filter((s) => s.copyGroup === 0);
  const sevens = copies
    .filter((s) => s.givenLabel === '7')
    .map((s) => s.path)
    .sort();
  const ones = copies
    .filter((s) => s.givenLabel === '1')
    .map((s) => s.path)
    .sort();
  const other = report.samples.find((s) => s.copyGroup === undefined)!;
  const decisions = {
    [sevens[0]]: { action: 'remove' as const },
    // A copy with a decision of its own keeps it.
    [sevens[3]]: { action: 'keep' as const },
    [other.path]: { action: 'keep' as const },
  };
  const spread = withCopyDecisions(decisions, report.samples);
  for (const path of sevens)
    assert.deepEqual(spread[path], path === sevens[3] ? { action: 'keep' } : { action: 'remove' });
  for (const path of ones) assert.equal(Object.hasOwn(spread, path), false, 'the copies labeled 1 are another member');
  assert.equal(Object.keys(spread).length, sevens.length + 1);
  // A decision on any other copy speaks for that file only.
  const single = withCopyDecisions({ [ones[1]]: { action: 'relabel', label: '7' } }, report.samples);
  assert.deepEqual(Object.keys(single), [ones[1]]);
  // Reports without copy groups change nothing (the same object back).
  const plain = await sampleDigitsReport();
  assert.equal(withCopyDecisions(decisions, plain.samples), decisions);
});

test('copies count once: class examples, the spot-check pool, the CLI suspects table; the summary names the set', async () => {
  const report = await reportWithCopies(60);
  // The copies are the surest of all (1, 1): without collapsing, class 7's examples would be four copies.
  const examples = typicalExamples(report.samples, report.dataset.classes, 4);
  for (const [label, list] of examples) {
    assert.ok(list.filter((s) => s.copyGroup === 0).length <= 1, `class ${label}: at most one copy`);
    assert.equal(list.length, 4);
  }
  assert.equal(examples.get('7')?.[0].copyGroup, 0, 'the placeholder is still the most typical 7, once');
  const unflagged = report.samples.filter((s) => !s.flagged && !s.heldBack);
  assert.equal(distinctImages(unflagged).length, unflagged.length - 59);
  const content = buildReviewContent(report, 1000, (p) => p);
  assert.ok(content.status === 'ready' && content.spotCheck);
  assert.equal(content.spotCheck.unflaggedTotal, unflagged.length - 59);
  const drawn = new Set(content.spotCheck.samples.map((s) => s.path));
  assert.ok(report.samples.filter((s) => s.copyGroup === 0 && drawn.has(s.path)).length <= 1);

  const text = formatSuspects(report, 5);
  assert.match(
    text,
    new RegExp(
      `^60 files are copies of one image: \`${report.copyGroups[0].paths[0]}\`, .*, … \\(labels: 7 \\d+, 1 \\d+\\)\\.$`,
      'm',
    ),
  );
  // A flagged copy set is one row of the table, with its count.
  const flaggedCopies = report.samples.map((s) => (s.flagged ? { ...s, copyGroup: 0 } : s));
  const table = formatSuspects({ ...report, samples: flaggedCopies }, 5);
  assert.equal(table.match(/copies\)/g)?.length, 1);
  assert.match(table, /\(\+59 copies\)/);
  assert.doesNotMatch(formatSuspects(await sampleDigitsReport(), 5), /copies of one image/);
});

test('a flagged copy set is one card in the grid, its first path, with the number of files it decides for', async () => {
  const report = await reportWithCopies(30);
  // Flag the copies labeled 7 (they share one verdict, as the audit gives them).
  const samples = report.samples.map((s) =>
    s.copyGroup === 0 && s.givenLabel === '7' ? { ...s, flagged: true, score: 0.99 } : s,
  );
  const sevens = samples.filter((s) => s.copyGroup === 0 && s.givenLabel === '7').map((s) => s.path);
  const ones = samples.filter((s) => s.copyGroup === 0 && s.givenLabel === '1');
  const content = buildReviewContent({ ...report, samples }, 100_000, (p) => p);
  assert.ok(content.status === 'ready');
  const cards = content.suspects.filter((s) => s.copies !== undefined);
  assert.deepEqual(
    cards.map((c) => [c.path, c.copies]).sort(),
    [
      [[...sevens].sort()[0], sevens.length],
      [ones.map((s) => s.path).sort()[0], ones.length],
    ].sort(),
  );
  assert.equal(content.suspects.length, samples.length - 30 + 2, 'every other file is its own card');
  assert.equal(content.hiddenCount, 0);
  assert.equal(content.suspects[0].copies, sevens.length, 'most suspect first');
  // Its decision reaches the whole set at export.
  const spread = withCopyDecisions({ [content.suspects[0].path]: { action: 'remove' } }, samples);
  assert.ok(sevens.every((path) => spread[path]?.action === 'remove'));
});
