import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignFolds, foldJobs, gatherOutOfSample } from '../../../../src/core/training/crossFit';
import type { ModelOutput } from '../../../../src/core/training/modelRunner';

const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 60 ? 0 : i < 100 ? 1 : 2));
const images = { size: 8, channels: 1 as const, pixels: new Uint8Array(103 * 64), count: 103 };
const config = { kind: 'erm', alpha: 8, batchSize: 32, learningRate: 0.01, schedule: 'one-cycle', seed: 5 } as const;

test('folds are stratified: every fold holds about 1/k of every class, and the seed fixes them', () => {
  const fold = assignFolds(labels, 4, 1);
  for (const [label, size] of [
    [0, 60],
    [1, 40],
    [2, 3],
  ] as const) {
    const perFold = [0, 1, 2, 3].map((f) => labels.filter((l, i) => l === label && fold[i] === f).length);
    assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${label} spread ${perFold}`);
    assert.equal(
      perFold.reduce((a, b) => a + b),
      size,
    );
  }
  assert.deepEqual(assignFolds(labels, 4, 1), fold);
  assert.notDeepEqual(assignFolds(labels, 4, 2), fold);
  assert.throws(() => assignFolds(labels, 1, 1), /k to be an integer ≥ 2/);
});

test('each fold trains on the other folds and scores its own rows; every row is held out once', () => {
  const fold = assignFolds(labels, 4, 1);
  const jobs = foldJobs(images, labels, 3, fold, 4, config, 2.5);
  assert.equal(jobs.length, 4);
  const heldOut = new Uint8Array(labels.length);
  for (const job of jobs) {
    const { trainRows, heldOutRows } = job.fold!;
    assert.equal(trainRows.length + heldOutRows.length, labels.length);
    assert.ok(!trainRows.some((r) => heldOutRows.includes(r)), 'no row both trained on and held out');
    for (const r of heldOutRows) heldOut[r]++;
    assert.equal(job.config.sampleSteps, Math.round(2.5 * trainRows.length));
    assert.equal(job.images, images, 'folds share the decoded pixels');
  }
  assert.ok(heldOut.every((n) => n === 1));
  assert.equal(new Set(jobs.map((j) => j.config.seed)).size, 4, 'each fold has its own seed');
});

test('held-out probabilities are put back in sample order', () => {
  const fold = assignFolds(labels, 4, 1);
  const jobs = foldJobs(images, labels, 3, fold, 4, config, 1);
  // A fake fold model that "predicts" (row, fold, 0) for each held-out row.
  const outputs = jobs.map((job, f) => ({
    probabilities: Float32Array.from(Array.from(job.fold!.heldOutRows).flatMap((row) => [row, f, 0])),
  })) as unknown as ModelOutput[];
  const gathered = gatherOutOfSample(jobs, outputs, labels.length, 3);
  for (let i = 0; i < labels.length; i++)
    assert.deepEqual(Array.from(gathered.subarray(i * 3, i * 3 + 3)), [i, fold[i], 0]);
});
