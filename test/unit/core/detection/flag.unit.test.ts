import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ermMixupVerdicts } from '../../../../src/core/detection/flag';
import { auroc, detectionQuality } from '../../../../src/core/detection/metrics';
import { bestOtherClass, givenLabelProbability, suspicionScores } from '../../../../src/core/detection/score';

// Three classes, four samples; rows are probabilities.
const labels = Int32Array.from([0, 1, 2, 0]);
const erm = Float32Array.from([
  0.9,
  0.05,
  0.05, // fits its label 0
  0.1,
  0.8,
  0.1, // fits 1
  0.2,
  0.2,
  0.6, // fits 2
  0.3,
  0.6,
  0.1, // does not fit 0
]);
const mixup = Float32Array.from([
  0.8,
  0.1,
  0.1, // agrees with 0
  0.1,
  0.2,
  0.7, // rejects 1, confidently suggests 2
  0.3,
  0.3,
  0.4, // unsure: prefers 2 (its label) weakly
  0.2,
  0.7,
  0.1, // rejects 0, suggests 1
]);

test('scores: given-label probability, best other class, and the margin suspicion', () => {
  assert.deepEqual(Array.from(givenLabelProbability(mixup, labels, 3)).map(round), [0.8, 0.2, 0.4, 0.2]);
  const other = bestOtherClass(mixup, labels, 3);
  assert.deepEqual(Array.from(other.classes), [1, 2, 0, 1]);
  assert.deepEqual(Array.from(suspicionScores(labels, mixup, 3)).map(round), [0.15, 0.75, 0.45, 0.75]);
});

test('judged by mixup alone, a sample is flagged when mixup prefers another class by the margin', () => {
  const verdicts = ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'mixup' });
  const byIndex = [...verdicts].sort((a, b) => a.index - b.index);
  assert.deepEqual(
    byIndex.map((v) => v.flagged),
    [false, true, false, true],
  );
  assert.deepEqual(
    byIndex.map((v) => v.ermFits),
    [true, true, true, false],
  );
  assert.deepEqual(
    byIndex.map((v) => round(v.margin)),
    [-0.7, 0.5, -0.1, 0.5],
  );
  assert.equal(byIndex[1].suggestedLabel, 2);
  // Most suspect first; the tie between samples 1 and 3 keeps input order.
  assert.deepEqual(
    verdicts.map((v) => v.index),
    [1, 3, 2, 0],
  );
});

test('judged by both, the mean of the two models decides', () => {
  const byIndex = ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'both' }).sort((a, b) => a.index - b.index);
  // Sample 1: mean(given) = (0.8 + 0.2) / 2 = 0.5, mean(class 2) = (0.1 + 0.7) / 2 = 0.4: kept.
  // Sample 3: mean(given) = 0.25, mean(class 1) = 0.65: flagged.
  assert.deepEqual(
    byIndex.map((v) => v.flagged),
    [false, false, false, true],
  );
  assert.equal(round(byIndex[3].margin), 0.4);
  assert.equal(byIndex[3].mixupSuggested, Math.fround(0.7));
});

test('the strict rule also requires ERM to fit (memorize) the given label', () => {
  const flagged = ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'mixup', requireErmFit: true })
    .filter((v) => v.flagged)
    .map((v) => v.index);
  assert.deepEqual(flagged, [1]);
});

test('thresholds are honoured and checked', () => {
  // Both mixup-flagged samples win by a margin of 0.5: requiring 0.6 drops them.
  assert.deepEqual(
    ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'mixup', minMargin: 0.6 }).filter((v) => v.flagged),
    [],
  );
  assert.equal(
    ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'mixup', minMargin: 0.5 }).filter((v) => v.flagged).length,
    2,
  );
  assert.throws(() => ermMixupVerdicts(labels, erm, mixup, 3, { minMargin: 2 }), /minMargin/);
  assert.throws(() => ermMixupVerdicts(labels, erm, mixup.subarray(0, 9), 3), /shape \(4, 3\)|one shape/);
});

test('metrics: precision, recall, F1 and AUROC against a known answer', () => {
  const q = detectionQuality([1, 1, 0, 0, 1], [1, 0, 0, 1, 1]);
  assert.equal(q.truePositives, 2);
  assert.equal(round(q.precision), round(2 / 3));
  assert.equal(round(q.recall), round(2 / 3));
  assert.equal(round(q.falsePositiveRate), 0.5);
  assert.equal(auroc([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0]), 1);
  assert.equal(auroc([0.1, 0.2, 0.9, 0.8], [1, 1, 0, 0]), 0);
  assert.equal(auroc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]), 0.5);
});

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

test("ERM's area under the margin moves the score by aumWeight and can tip a tie into a flag", () => {
  // Judged by both: sample 1 is a tie of its given label with class 2 (score 0.55 − 0.05 = 0.45).
  const plain = ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'both' }).sort((a, b) => a.index - b.index);
  // Sample 1's AUM is very negative (the network never preferred its label): suspicion ≈ 1.
  const aum = Float32Array.from([5, -20, 5, 0]);
  const blended = ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'both', aumWeight: 0.25 }, aum).sort(
    (a, b) => a.index - b.index,
  );
  assert.equal(round(blended[1].score), round(0.75 * plain[1].score + 0.25));
  assert.equal(blended[1].flagged, true, 'the trajectory tips it over the margin rule');
  assert.equal(round(blended[3].score), round(0.75 * plain[3].score + 0.25 * 0.5), 'AUM 0 is the neutral 0.5');
  assert.ok(blended[0].score < plain[0].score, 'a high AUM lowers the suspicion');
  assert.deepEqual(
    blended.map((v) => v.suggestedLabel),
    plain.map((v) => v.suggestedLabel),
    'the suggestion stays the models’',
  );
  // Weight 0, or no AUM recorded: the models' score alone.
  assert.deepEqual(
    ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'both', aumWeight: 0 }, aum),
    ermMixupVerdicts(labels, erm, mixup, 3, { scoredBy: 'both' }),
  );
  assert.throws(
    () => ermMixupVerdicts(labels, erm, mixup, 3, { aumWeight: 0.25 }, aum.subarray(0, 2)),
    /one AUM per sample/,
  );
});
