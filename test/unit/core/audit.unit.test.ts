import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runAudit } from '../../../src/core/audit';
import { AuditError } from '../../../src/core/errors';
import { auroc } from '../../../src/core/detection/metrics';
import { injectLabelNoise } from '../../../src/core/detection/noise';
import { type ReportSample, AUDIT_DIR } from '../../../src/core/report';
import { readReport, reportPath } from '../../../src/core/reportFile';
import { chooseBackend } from '../../../src/engine/backend';
import { realImages, writeDataset } from '../../helpers/realImages';

// 300 real digits, 10% of them moved to a wrong class folder, audited with a small budget.
const COUNT = 300;
const SMALL_BUDGET = { epochs: 12, minSampleSteps: 0, batchSize: 32, imageSize: 28 } as const;
let root: string;
let wrongPaths: Set<string>;

before(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'label-audit-audit-'));
  const { images, labels } = realImages(COUNT, { seed: 21 });
  const noisy = injectLabelNoise(labels, 10, { rate: 0.1, kind: 'symmetric', seed: 4 });
  const paths = await writeDataset(root, { images, labels: Array.from(noisy.labels, String) }, 'folder');
  wrongPaths = new Set(paths.filter((_, i) => noisy.flipped[i]));
});

/** Every flagged sample lists 6 unflagged neighbours under each of its labels, nearest first; no other sample has any. */
function assertNeighbours(samples: readonly ReportSample[]): void {
  const flagged = samples.filter((s) => s.flagged);
  assert.ok(flagged.length > 0);
  for (const s of samples) {
    if (!s.flagged) {
      assert.equal(s.neighbours, undefined, `${s.path} is not flagged and has no neighbours`);
      continue;
    }
    for (const [side, label] of [
      ['given', s.givenLabel],
      ['suggested', s.suggestedLabel],
    ] as const) {
      const list = s.neighbours![side];
      assert.equal(list.samples.length, 6, `${s.path}: six neighbours under the ${side} label`);
      assert.deepEqual(
        list.distances,
        [...list.distances].sort((a, b) => a - b),
        'nearest first',
      );
      for (const at of list.samples) {
        assert.equal(samples[at].givenLabel, label, `${s.path}: a ${side} neighbour is labelled ${label}`);
        assert.equal(samples[at].flagged, false, 'flagged samples are no evidence');
      }
    }
  }
}

/**
 * ERM's trajectory is recorded for every sample: one margin per epoch (up to 16), an area under the
 * margin that ranks the wrong labels first, and wrong labels learned later than right ones, or never.
 */
function assertTrajectories(samples: readonly ReportSample[], epochs: number): void {
  for (const s of samples) {
    const d = s.dynamics!;
    assert.equal(d.margins.length, Math.min(epochs, 16), `${s.path}: a margin per epoch`);
    assert.ok(Number.isInteger(d.forgotten) && d.forgotten >= 0 && d.forgotten < epochs);
    assert.ok(Number.isInteger(d.learnedEpoch) && d.learnedEpoch >= 0 && d.learnedEpoch <= epochs);
    // (A last margin that rounds to 0.0 could be either.)
    const last = d.margins.at(-1)!;
    if (last !== 0) assert.equal(d.learnedEpoch === 0, last < 0, `${s.path}: learned iff predicted right at the end`);
  }
  const isWrong = samples.map((s) => wrongPaths.has(s.path));
  const area = auroc(
    samples.map((s) => -s.dynamics!.aum),
    isWrong,
  );
  assert.ok(area > 0.85, `AUROC of −AUM against the wrong labels: ${area}`);
  // Never learned counts as the latest of all.
  const learned = (wrong: boolean) =>
    median(samples.filter((_, i) => isWrong[i] === wrong).map((s) => s.dynamics!.learnedEpoch || epochs + 1));
  assert.ok(learned(true) > learned(false), `learned at median epoch: wrong ${learned(true)}, right ${learned(false)}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('an audit writes a report that ranks the deliberately wrong labels first', async () => {
  const phases = new Set<string>();
  const { report, reportPath: written } = await runAudit(
    root,
    { backend: 'wasm', ...SMALL_BUDGET },
    { onProgress: (p) => phases.add(p.phase) },
  );
  assert.equal(written, reportPath(root));
  assert.deepEqual(await readReport(written), JSON.parse(JSON.stringify(report)));
  assert.deepEqual([...phases], ['loading', 'decoding', 'training', 'writing']);
  assert.equal(report.dataset.audited, COUNT);
  assert.equal(report.samples.length, COUNT);
  assert.deepEqual(report.dataset.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const scores = report.samples.map((s) => s.score);
  assert.deepEqual(
    scores,
    [...scores].sort((a, b) => b - a),
    'most suspect first',
  );
  const area = auroc(
    scores,
    report.samples.map((s) => wrongPaths.has(s.path)),
  );
  assert.ok(area > 0.9, `AUROC of the score against the wrong labels: ${area}`);
  const top = report.samples.slice(0, wrongPaths.size).filter((s) => wrongPaths.has(s.path)).length;
  assert.ok(
    top >= wrongPaths.size / 2,
    `${top} of the ${wrongPaths.size} wrong labels are among the top ${wrongPaths.size}`,
  );
  for (const s of report.samples.filter((s) => s.flagged)) assert.notEqual(s.suggestedLabel, s.givenLabel);
  assertNeighbours(report.samples);
  assertTrajectories(report.samples, report.training.erm.epochs);
  // 300 distinct digits: no exact copies; any near group listed as a conflict really has two labels.
  assert.deepEqual(report.duplicates?.exact, { groups: 0, images: 0 });
  for (const group of report.conflicts ?? []) assert.ok(new Set(group.members.map((m) => m.label)).size > 1);
  assert.equal(report.conflicts?.length, report.duplicates?.conflicting.groups);
});

test('the same seed gives the same report; the second run decodes nothing', async () => {
  const first = await runAudit(root, { backend: 'wasm', ...SMALL_BUDGET, seed: 9 });
  const second = await runAudit(root, { backend: 'wasm', ...SMALL_BUDGET, seed: 9 });
  assert.equal(second.report.decode.cacheHits, COUNT);
  assert.deepEqual(
    second.report.samples.map((s) => [s.path, s.score]),
    first.report.samples.map((s) => [s.path, s.score]),
  );
});

test('cancelling during training rejects with the cancellation error and leaves no report or temp file', async () => {
  const dir = join(root, AUDIT_DIR);
  await rm(dir, { recursive: true, force: true });
  const controller = new AbortController();
  const audit = runAudit(
    root,
    { backend: 'wasm', ...SMALL_BUDGET },
    {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'training') controller.abort();
      },
    },
  );
  await assert.rejects(audit, (error: unknown) => AuditError.is(error, 'cancelled'));
  await assert.rejects(stat(reportPath(root)), /ENOENT/);
  const left = await readdir(dir, { recursive: true });
  assert.deepEqual(
    left.filter((name) => name.includes('report') || name.endsWith('.tmp')),
    [],
  );
});

test('a deep audit trains ERM until it memorizes and shows the wrong labels were learned late', async () => {
  // Batch 128: with few images, small batches give mixup's doubled deep budget enough steps to memorize too.
  const { report } = await runAudit(root, {
    backend: 'wasm',
    ...SMALL_BUDGET,
    batchSize: 128,
    mode: 'deep',
    deepMaxEpochs: 60,
    seed: 2,
  });
  assert.equal(report.settings.flag.scoredBy, 'mixup', 'a memorizing ERM model does not score');
  assert.ok(
    report.training.erm.fitsGivenLabels >= 0.95,
    `ERM fits ${report.training.erm.fitsGivenLabels} of the given labels`,
  );
  assert.ok(report.samples.every((s) => typeof s.ermLearnedEpoch === 'number'));
  const learned = (wrong: boolean) =>
    median(report.samples.filter((s) => wrongPaths.has(s.path) === wrong).map((s) => s.ermLearnedEpoch!));
  assert.ok(
    learned(true) > 2 * learned(false),
    `wrong labels learned at median epoch ${learned(true)}, right ones at ${learned(false)}`,
  );
  assert.ok(report.summary.medianLearnedEpoch!.flagged > report.summary.medianLearnedEpoch!.others);
  assert.equal(report.samples[0].dynamics!.margins.length, 16, 'a long run is sampled to 16 points');
  // Memorized in the end, the wrong labels still have the lower area under the margin.
  const aum = (wrong: boolean) =>
    median(report.samples.filter((s) => wrongPaths.has(s.path) === wrong).map((s) => s.dynamics!.aum));
  assert.ok(aum(true) < aum(false), `median AUM: wrong labels ${aum(true)}, right ones ${aum(false)}`);
  const memorizedWrong = report.samples.filter((s) => s.flagged && s.ermFits && wrongPaths.has(s.path)).length;
  assert.ok(
    memorizedWrong >= wrongPaths.size / 4,
    `${memorizedWrong} wrong labels flagged although ERM memorized them`,
  );
});

test('a bad option is refused before any work, naming the option', async () => {
  await assert.rejects(runAudit(root, { backend: 'wasm', alpha: -1 }), /alpha/);
  await assert.rejects(runAudit(join(root, 'missing'), { backend: 'wasm' }), (error: unknown) =>
    AuditError.is(error, 'pathNotFound'),
  );
});

test("the 'fused' method cross-fits, gives every sample its reasons, and estimates the class swaps", async () => {
  // Half the budget of the tests above (each fold model trains as long as a main model here): the
  // test checks the second opinion's plumbing and that each signal ranks, not the best figures.
  const { report } = await runAudit(root, { backend: 'wasm', ...SMALL_BUDGET, epochs: 6, method: 'fused', folds: 2 });
  assert.equal(report.training.crossFit?.folds, 2);
  assert.equal(report.noiseMatrix.source, 'out-of-sample');
  assert.deepEqual(report.noiseMatrix.classes, report.dataset.classes);
  const total = report.noiseMatrix.counts.flat().reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - COUNT) <= 10, `the estimated counts cover the ${COUNT} samples (${total})`);
  assert.ok(
    report.samples.every((s) => s.reasons),
    'every sample has its reasons',
  );
  assertNeighbours(report.samples);
  // Each signal on its own still ranks the wrong labels first.
  for (const signal of ['ermMixup', 'confidentLearning'] as const) {
    const area = auroc(
      report.samples.map((s) => s.reasons!.scores[signal]),
      report.samples.map((s) => wrongPaths.has(s.path)),
    );
    assert.ok(area > 0.8, `AUROC of the ${signal} score: ${area}`);
  }
  const area = auroc(
    report.samples.map((s) => s.score),
    report.samples.map((s) => wrongPaths.has(s.path)),
  );
  assert.ok(area > 0.9, `AUROC of the fused score: ${area}`);
  for (const s of report.samples.filter((s) => s.flagged)) assert.notEqual(s.suggestedLabel, s.givenLabel);
});
