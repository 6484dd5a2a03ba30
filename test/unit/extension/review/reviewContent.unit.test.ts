import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildReviewContent,
  changeProblem,
  renderReviewContent,
  reviewImagePaths,
  selectReviewContent,
} from '../../../../src/extension/review/reviewContent';
import { swapMatrix } from '../../../../src/extension/review/swapMatrix';
import { sampleAnswerKey, sampleDigitsReport } from '../../../helpers/sampleReport';

test('the review lists flagged suspects first, most suspect first, with their image URIs', async () => {
  const report = await sampleDigitsReport();
  const content = buildReviewContent(report, 1000, (path) => `https://webview/${path}`);
  assert.equal(content.status, 'ready');
  if (content.status !== 'ready') return;
  const answers = sampleAnswerKey();
  assert.equal(content.flaggedTotal, answers.size);
  assert.equal(content.auditedTotal, 400);
  assert.equal(content.hiddenCount, 0);
  assert.deepEqual(new Set(content.suspects.slice(0, answers.size).map((s) => s.path)), new Set(answers.keys()));
  assert.ok(content.suspects.slice(answers.size).every((s) => !s.flagged));
  const first = content.suspects[0];
  assert.equal(first.imageUri, `https://webview/${first.path}`);
  assert.equal(first.suggestedLabel, answers.get(first.path));
  assert.deepEqual(content.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('maxSuspectsShown caps the list and counts what it hides', async () => {
  const report = await sampleDigitsReport();
  const content = buildReviewContent(report, 30, (p) => p);
  assert.equal(content.status === 'ready' && content.suspects.length, 30);
  assert.equal(content.status === 'ready' && content.hiddenCount, 370);
  const tiny = buildReviewContent(report, 10, (p) => p);
  assert.ok(tiny.status === 'ready' && tiny.suspects.every((s) => s.flagged), 'the limit cuts unflagged samples first');
  const fallback = buildReviewContent(report, -5, (p) => p);
  assert.equal(
    fallback.status === 'ready' && fallback.suspects.length,
    400,
    'a nonsense limit falls back to the default',
  );
});

test('changes from the webview must name a sample and a class of the report', () => {
  const report = { samplePaths: new Set(['0/00005.png']), classes: ['0', '3'] };
  assert.equal(changeProblem({ path: '0/00005.png', decision: { action: 'relabel', label: '3' } }, report), undefined);
  assert.equal(changeProblem({ path: '0/00005.png', decision: null }, report), undefined);
  assert.match(changeProblem({ path: '../etc/passwd', decision: { action: 'remove' } }, report) ?? '', /not a sample/);
  assert.match(
    changeProblem({ path: '0/00005.png', decision: { action: 'relabel', label: '9' } }, report) ?? '',
    /not a class/,
  );
});

test('conflicting duplicates reach the webview with their image URIs; older reports have none', async () => {
  const report = await sampleDigitsReport();
  const old = buildReviewContent(report, 1000, (p) => p);
  assert.ok(old.status === 'ready' && old.conflicts === undefined);
  const [a, b] = report.samples;
  const conflicts = [
    {
      kind: 'exact' as const,
      members: [
        { path: a.path, label: a.givenLabel },
        { path: b.path, label: b.givenLabel },
      ],
    },
  ];
  const content = buildReviewContent({ ...report, conflicts }, 1000, (p) => `uri:${p}`);
  assert.ok(content.status === 'ready');
  assert.deepEqual(content.conflicts, [
    {
      kind: 'exact',
      members: [
        { path: a.path, label: a.givenLabel, imageUri: `uri:${a.path}` },
        { path: b.path, label: b.givenLabel, imageUri: `uri:${b.path}` },
      ],
    },
  ]);
  // A copy set (issue #18) reaches the panel as one member with its count and a few paths.
  const set = { path: a.path, label: a.givenLabel, copies: 20_000, morePaths: [b.path] };
  const collapsed = buildReviewContent(
    { ...report, conflicts: [{ kind: 'exact', members: [set, { path: b.path, label: 'other' }] }] },
    1000,
    (p) => `uri:${p}`,
  );
  assert.ok(collapsed.status === 'ready');
  assert.deepEqual(collapsed.conflicts?.[0].members[0], { ...set, imageUri: `uri:${a.path}` });
});

test("the swap heatmap counts flagged given → suggested labels, and prefers the report's noise matrix", async () => {
  const report = await sampleDigitsReport();
  const answers = sampleAnswerKey();
  const counted = swapMatrix(report);
  assert.equal(counted?.source, 'flagged');
  const counts = counted?.counts ?? [];
  let offDiagonal = 0;
  counts.forEach((row, g) => row.forEach((n, s) => (offDiagonal += g === s ? 0 : n)));
  assert.equal(offDiagonal, answers.size, 'one off-diagonal count per flagged sample');
  const flagged = report.samples.find((s) => s.flagged);
  assert.ok(flagged);
  const cell = counts[Number(flagged.givenLabel)][Number(flagged.suggestedLabel)];
  assert.equal(
    cell,
    report.samples.filter(
      (s) => s.flagged && s.givenLabel === flagged.givenLabel && s.suggestedLabel === flagged.suggestedLabel,
    ).length,
  );
  assert.equal(
    counts.flat().reduce((x, y) => x + y, 0),
    report.samples.length,
  );

  // An out-of-sample noise matrix in another class order is reordered to the dataset's; a misfit one
  // or the mixup method's rougher 'in-sample' estimate gives way to the flagged counts.
  const classes = [...report.dataset.classes].reverse();
  const estimate = classes.map((_, g) => classes.map((__, t) => (g === 0 && t === 1 ? 7 : 0)));
  const noiseMatrix = { source: 'out-of-sample' as const, classes, counts: estimate, noiseRate: 0.001 };
  const preferred = swapMatrix({ ...report, noiseMatrix });
  assert.equal(preferred?.source, 'noiseMatrix');
  assert.equal(preferred?.counts[9][8], 7, 'given "9" → true "8"');
  assert.equal(
    swapMatrix({
      ...report,
      noiseMatrix: {
        ...noiseMatrix,
        classes: ['a', 'b'],
        counts: [
          [1, 0],
          [0, 1],
        ],
      },
    })?.source,
    'flagged',
  );
  assert.equal(swapMatrix({ ...report, noiseMatrix: { ...noiseMatrix, source: 'in-sample' } })?.source, 'flagged');
});

test("the picker gets each class's most typical unflagged images, the spot check a seeded sample of every unflagged one", async () => {
  const report = await sampleDigitsReport();
  const content = buildReviewContent(report, 30, (path) => `https://webview/${path}`);
  assert.ok(content.status === 'ready' && content.classExamples && content.spotCheck);
  assert.deepEqual(Object.keys(content.classExamples), report.dataset.classes);
  for (const [label, examples] of Object.entries(content.classExamples)) {
    assert.equal(examples.length, 4);
    for (const example of examples) {
      const sample = report.samples.find((s) => s.path === example.path);
      assert.ok(sample && !sample.flagged && sample.givenLabel === label);
      assert.equal(example.imageUri, `https://webview/${example.path}`);
    }
  }
  const unflagged = report.samples.filter((s) => !s.flagged).length;
  assert.equal(content.spotCheck.unflaggedTotal, unflagged);
  assert.equal(content.spotCheck.samples.length, unflagged, 'up to 500: all 376 here');
  assert.ok(content.spotCheck.samples.every((s) => !s.flagged));
  // Drawn from the whole report, not the 30 listed: most of the sample is beyond the cap.
  const listed = new Set(content.suspects.map((s) => s.path));
  assert.ok(content.spotCheck.samples.slice(0, 100).filter((s) => !listed.has(s.path)).length > 80);
  const again = buildReviewContent(report, 30, (path) => `https://webview/${path}`);
  assert.deepEqual(
    again.status === 'ready' && again.spotCheck?.samples.map((s) => s.path),
    content.spotCheck.samples.map((s) => s.path),
    'the same report, the same draw',
  );
});

test('samples held back by the flag cap are no part of the spot check: the models rejected them', async () => {
  const report = await sampleDigitsReport();
  // The 20 most suspect unflagged images, as the flag cap would hold them back.
  const heldBack = new Set(
    report.samples
      .filter((s) => !s.flagged)
      .sort((a, b) => b.score - a.score)
      .slice(0, 20)
      .map((s) => s.path),
  );
  const capped = {
    ...report,
    samples: report.samples.map((s) => (heldBack.has(s.path) ? { ...s, heldBack: true } : s)),
  };
  const content = buildReviewContent(capped, 1000, (p) => p);
  assert.ok(content.status === 'ready' && content.spotCheck);
  const unflagged = report.samples.filter((s) => !s.flagged).length;
  assert.equal(content.spotCheck.unflaggedTotal, unflagged - 20);
  assert.equal(content.spotCheck.samples.length, unflagged - 20);
  assert.deepEqual(
    content.spotCheck.samples.filter((s) => heldBack.has(s.path)),
    [],
  );
  assert.ok(content.suspects.filter((s) => heldBack.has(s.path)).length === 20, 'still listed in the grid');
});

test("flagged suspects carry their neighbours' paths, URIs and distances; positions that name no sample are dropped", async () => {
  const report = await sampleDigitsReport();
  const content = buildReviewContent(report, 1000, (p) => `uri:${p}`);
  assert.ok(content.status === 'ready');
  const flagged = content.suspects.filter((s) => s.flagged);
  assert.ok(flagged.every((s) => s.neighbours?.given.length === 6 && s.neighbours.suggested.length === 6));
  assert.ok(content.suspects.filter((s) => !s.flagged).every((s) => s.neighbours === undefined));
  const first = flagged[0];
  const inReport = report.samples.find((s) => s.path === first.path)!.neighbours!;
  assert.deepEqual(
    first.neighbours!.suggested,
    inReport.suggested.samples.map((at, i) => {
      const path = report.samples[at].path;
      return { path, imageUri: `uri:${path}`, distance: inReport.suggested.distances[i] };
    }),
  );
  assert.ok(
    first.neighbours!.given.every((n) => n.path.startsWith(`${first.givenLabel}/`)),
    "folder-per-class: a neighbour sits in the label's folder",
  );
  // A hand-edited report: a position past the end and a bad distance are left out; a v2 report without neighbours has none.
  const edited = report.samples.map((s) =>
    s.path === first.path
      ? {
          ...s,
          neighbours: {
            given: { samples: [9999, 0, 1], distances: [0.1, Number.NaN, 0.2] },
            suggested: inReport.suggested,
          },
        }
      : s,
  );
  const shown = buildReviewContent({ ...report, samples: edited }, 1000, (p) => p);
  assert.ok(shown.status === 'ready');
  assert.deepEqual(shown.suspects.find((s) => s.path === first.path)!.neighbours!.given, [
    { path: report.samples[1].path, imageUri: report.samples[1].path, distance: 0.2 },
  ]);
  const older = buildReviewContent(
    { ...report, samples: report.samples.map(({ neighbours: _, ...s }) => s) },
    1000,
    (p) => p,
  );
  assert.ok(older.status === 'ready' && older.suspects.every((s) => s.neighbours === undefined));
});

test('a class named "__proto__" keeps its typical images for the relabel picker', async () => {
  const report = await sampleDigitsReport();
  const rename = (label: string) => (label === '0' ? '__proto__' : label === '1' ? 'constructor' : label);
  const renamed = {
    ...report,
    dataset: { ...report.dataset, classes: report.dataset.classes.map(rename) },
    samples: report.samples.map((s) => ({
      ...s,
      givenLabel: rename(s.givenLabel),
      suggestedLabel: rename(s.suggestedLabel),
    })),
  };
  const content = buildReviewContent(renamed, 1000, (p) => p);
  assert.ok(content.status === 'ready' && content.classExamples);
  assert.ok(Object.hasOwn(content.classExamples, '__proto__'), 'an own entry, not the prototype');
  const zeros = content.classExamples['__proto__'];
  assert.equal(zeros.length, 4);
  assert.ok(
    zeros.every((e) => e.path.startsWith('0/')),
    'the images of the class that was "0"',
  );
  assert.ok(
    Array.isArray(content.classExamples.constructor) &&
      content.classExamples.constructor.every((e) => e.path.startsWith('1/')),
  );
  assert.equal(
    Object.getPrototypeOf(JSON.parse(JSON.stringify(content.classExamples))),
    Object.prototype,
    'survives the message as JSON',
  );
});

test("a sample's ERM trajectory reaches the preview with the run's epoch count; older reports have none", async () => {
  const report = await sampleDigitsReport();
  const plain = buildReviewContent(report, 1000, (p) => p);
  assert.ok(plain.status === 'ready' && plain.suspects.every((s) => s.dynamics === undefined));
  const dynamics = { aum: -2.5, learnedEpoch: 0, forgotten: 1, margins: [-1, 0.5, -2, -3] };
  const [first, ...rest] = report.samples;
  const content = buildReviewContent({ ...report, samples: [{ ...first, dynamics }, ...rest] }, 1000, (p) => p);
  assert.equal(content.status, 'ready');
  if (content.status !== 'ready') return;
  const shown = content.suspects.find((s) => s.path === first.path)!;
  assert.deepEqual(shown.dynamics, { ...dynamics, epochs: report.training.erm.epochs });
  assert.equal(content.suspects.filter((s) => s.dynamics).length, 1);
});

test('the content asks for the images reviewImagePaths lists and no others: cards, neighbours, examples, conflicts', async () => {
  const digits = await sampleDigitsReport();
  const [a, b] = digits.samples.slice(-2);
  const report = {
    ...digits,
    conflicts: [
      {
        kind: 'near' as const,
        members: [
          { path: a.path, label: '1' },
          { path: b.path, label: '7' },
        ],
      },
    ],
  };
  const selection = selectReviewContent(report, 30);
  const listed = new Set(reviewImagePaths(selection));
  const asked = new Set<string>();
  const content = renderReviewContent(selection, (path) => (asked.add(path), `uri:${path}`));
  assert.deepEqual(asked, listed);
  assert.ok(content.status === 'ready');
  const neighbour = content.suspects.find((s) => s.neighbours)?.neighbours?.given[0];
  assert.ok(neighbour && listed.has(neighbour.path), 'a neighbour strip image is listed');
  assert.ok(listed.has(a.path) && listed.has(b.path), 'conflict members are listed');
  assert.ok(listed.has(content.classExamples?.['3'][0].path ?? ''), 'class examples are listed');
});
