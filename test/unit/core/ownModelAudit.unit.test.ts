import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { runAudit } from '../../../src/core/audit';
import { AuditError } from '../../../src/core/errors';
import { cleanlabCsvChunks, CLEANLAB_COLUMNS } from '../../../src/core/export/cleanlabCsv';
import { auroc } from '../../../src/core/detection/metrics';
import { injectLabelNoise } from '../../../src/core/detection/noise';
import { chooseBackend } from '../../../src/engine/backend';
import { buildReviewContent } from '../../../src/extension/review/reviewContent';
import { realImages, writeDataset } from '../../helpers/realImages';

// 200 real digits, 10% in a wrong folder, audited with the outputs of a stand-in "own model":
// probabilities that know the true class (0.82 on it) and the raw pixels as embeddings.
const COUNT = 200;
const SMALL_BUDGET = { epochs: 4, minSampleSteps: 0, batchSize: 32, imageSize: 28 } as const;
let root: string;
let dir: string;
let paths: string[];
let wrong: Uint8Array;
let probsFile: string;
let embeddingsFile: string;
const MISSING = 5;

before(async () => {
  await chooseBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'label-audit-own-model-'));
  root = join(dir, 'digits');
  const { images, labels } = realImages(COUNT, { seed: 31 });
  const noisy = injectLabelNoise(labels, 10, { rate: 0.1, kind: 'symmetric', seed: 5 });
  wrong = noisy.flipped;
  paths = await writeDataset(root, { images, labels: Array.from(noisy.labels, String) }, 'folder');
  const classes = Array.from({ length: 10 }, (_, c) => String(c));
  // The last MISSING images get no row; one row names an image that does not exist.
  const probRows = paths
    .slice(0, COUNT - MISSING)
    .map((path, i) => [path, ...classes.map((_, c) => (c === labels[i] ? 0.82 : 0.02))].join(','));
  probsFile = join(dir, 'pred_probs.csv');
  await writeFile(
    probsFile,
    [
      `path,${[...classes].reverse().join(',')}`,
      ...probRows.map(reverseCells),
      '9/absent.png,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1',
    ].join('\n'),
  );
  embeddingsFile = join(dir, 'embeddings.csv');
  const header = ['path', ...Array.from({ length: 784 }, (_, j) => `f${j}`)];
  await writeFile(
    embeddingsFile,
    [header.join(','), ...paths.map((path, i) => [path, ...images[i]].join(','))].join('\n'),
  );
});
after(() => rm(dir, { recursive: true, force: true }));

/** Puts the probability cells in the header's (reversed) class order. */
function reverseCells(row: string): string {
  const [path, ...cells] = row.split(',');
  return [path, ...cells.reverse()].join(',');
}

test('with --pred-probs and --embeddings the fused audit trains no fold models, shows every signal and finds the wrong labels', async () => {
  const { report } = await runAudit(root, {
    backend: 'wasm',
    ...SMALL_BUDGET,
    ownModel: { predProbs: probsFile, embeddings: embeddingsFile },
  });
  assert.equal(report.settings.method, 'fused', '--pred-probs makes fused the default');
  assert.equal(report.training.crossFit, undefined, 'the user model replaces the fold models');
  assert.deepEqual(report.ownModel, {
    predProbs: { covered: COUNT - MISSING, missing: MISSING },
    embeddings: { covered: COUNT, missing: 0, dimensions: 784 },
    skippedRows: 1,
  });
  assert.deepEqual(
    report.skipped.map((s) => [s.file, s.kind]),
    [['9/absent.png', 'notInDataset']],
  );
  const uncovered = new Set(paths.slice(COUNT - MISSING));
  for (const s of report.samples) {
    assert.ok(s.reasons, `${s.path} has reasons`);
    assert.equal(s.reasons.noOutOfSampleRow ?? false, uncovered.has(s.path), `${s.path}: marked when it had no row`);
    assert.ok(s.reasons.neighbours, `${s.path} has the kNN signal`);
    assert.ok(s.reasons.neighbours.agreement >= 0 && s.reasons.neighbours.agreement <= 1);
  }
  const isWrong = new Map(paths.map((p, i) => [p, wrong[i]]));
  const flags = report.samples.map((s) => isWrong.get(s.path)!);
  const area = auroc(
    report.samples.map((s) => s.score),
    flags,
  );
  assert.ok(area > 0.97, `fused AUROC ${area}`);
  const caught = report.samples.filter((s) => s.flagged && isWrong.get(s.path)).length;
  const total = wrong.reduce((a, b) => a + b, 0);
  assert.ok(caught >= 0.8 * total, `caught ${caught} of ${total}`);
  // The flagged ones show their neighbours in the user's embedding space (784 raw pixels).
  assert.ok(report.samples.some((s) => s.flagged && s.neighbours));

  // The review panel shows the user's model's figures beside ours: its probability of the given label
  // and its suggestion where its file had a row, and the kNN agreement for every image.
  const content = buildReviewContent(report, COUNT, (path) => `file:///${path}`);
  assert.equal(content.status, 'ready');
  const shown = [...content.suspects, ...(content.spotCheck?.samples ?? [])];
  assert.ok(
    shown.some((view) => uncovered.has(view.path)),
    'some images without a pred_probs row are shown',
  );
  for (const view of shown) {
    const reasons = report.samples.find((s) => s.path === view.path)!.reasons!;
    assert.deepEqual(
      view.userModel?.predProbs,
      uncovered.has(view.path)
        ? undefined
        : { given: reasons.outOfSampleGiven, suggestion: reasons.suggestions.confidentLearning },
      view.path,
    );
    assert.deepEqual(view.userModel?.neighbours, {
      agreement: reasons.neighbours!.agreement,
      suggestion: reasons.neighbours!.suggestion,
    });
  }
  // The stand-in knows the true class: on a caught wrong label it gives the given label 2% and suggests the truth.
  const caughtView = content.suspects.find((v) => v.flagged && isWrong.get(v.path) && !uncovered.has(v.path))!;
  assert.ok(caughtView.userModel!.predProbs!.given < 0.05, `${caughtView.userModel!.predProbs!.given}`);
  assert.notEqual(caughtView.userModel!.predProbs!.suggestion, caughtView.givenLabel);

  // In chunks of 7 rows, as the CLI streams them: the pieces join into one CSV with one header.
  const rows = parse([...cleanlabCsvChunks(report, 7)].join(''), { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]), [...CLEANLAB_COLUMNS]);
  assert.equal(rows.length, COUNT);
  assert.equal(rows.filter((r) => r.is_label_issue === 'True').length, report.summary.flagged);
  for (const [r, s] of rows.map((row, i) => [row, report.samples[i]] as const)) {
    assert.equal(r.path, s.path);
    assert.ok(Math.abs(Number(r.label_score) - (1 - s.score)) < 1e-4);
    assert.equal(r.given_label, s.givenLabel);
    assert.equal(r.predicted_label, s.suggestedLabel);
  }
});

test('a bad --pred-probs file stops the audit before decoding, naming the file and row', async () => {
  const bad = join(dir, 'bad.csv');
  await writeFile(
    bad,
    `path,${Array.from({ length: 10 }, (_, c) => c).join(',')}\n${paths[0]},0.5,0.5,0.5,0,0,0,0,0,0,0\n`,
  );
  const phases: string[] = [];
  await assert.rejects(
    runAudit(
      root,
      { backend: 'wasm', ...SMALL_BUDGET, ownModel: { predProbs: bad } },
      { onProgress: (p) => phases.push(p.phase) },
    ),
    (error: unknown) =>
      AuditError.is(error, 'modelOutputsMalformed') &&
      /bad\.csv: line 2: the probabilities sum to 1\.50000/.test((error as Error).message),
  );
  assert.ok(!phases.includes('decoding'));
});
