import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ermMixupVerdicts } from '../../../../src/core/detection/flag';
import { judgeSamples } from '../../../../src/core/detection/judge';
import { DEFAULT_AUDIT_OPTIONS } from '../../../../src/core/options';

// Three classes, six samples: 0–3 clean, 4 wrong (a 1 labelled 0), 5 wrong (a 2 labelled 1).
const labels = Int32Array.from([0, 0, 1, 2, 0, 1]);
// ERM (in sample, has partly fit the labels) and mixup see sample 4's error; only the
// out-of-sample model sees sample 5's.
const erm = Float32Array.from([
  0.9, 0.05, 0.05, 0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.4, 0.5, 0.1, 0.1, 0.8, 0.1,
]);
const mixup = Float32Array.from([
  0.8, 0.1, 0.1, 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.2, 0.7, 0.1, 0.1, 0.6, 0.3,
]);
const outOfSample = Float32Array.from([
  0.9, 0.05, 0.05, 0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8,
]);
const options = (method: 'mixup' | 'confident-learning' | 'fused') => ({ method, flag: DEFAULT_AUDIT_OPTIONS.flag });
const byIndex = <T extends { index: number }>(verdicts: readonly T[]) =>
  [...verdicts].sort((a, b) => a.index - b.index);

test("'mixup' without cross-fitting is ermMixupVerdicts, with an in-sample noise estimate", () => {
  const judged = judgeSamples(labels, { erm, mixup }, 3, options('mixup'));
  assert.deepEqual(judged.verdicts, ermMixupVerdicts(labels, erm, mixup, 3, DEFAULT_AUDIT_OPTIONS.flag));
  assert.equal(judged.noise.source, 'in-sample');
  assert.ok(judged.verdicts.every((v) => v.reasons === undefined));
  assert.throws(() => judgeSamples(labels, { erm, mixup }, 3, options('fused')), /needs out-of-sample probabilities/);
});

test("'confident-learning' flags what prune-by-noise-rate finds and suggests the out-of-sample choice", () => {
  const judged = judgeSamples(labels, { erm, mixup, outOfSample }, 3, options('confident-learning'));
  const verdicts = byIndex(judged.verdicts);
  assert.deepEqual(
    verdicts.map((v) => v.flagged),
    [false, false, false, false, true, true],
  );
  assert.deepEqual([verdicts[4].suggestedLabel, verdicts[5].suggestedLabel], [1, 2]);
  // Score = (1 + p(best other) − p(given)) / 2 out of sample: sample 5 → (1 + .8 − .1) / 2.
  assert.ok(Math.abs(verdicts[5].score - 0.85) < 1e-6);
  assert.equal(judged.noise.source, 'out-of-sample');
  assert.equal(Math.round(judged.noise.noiseRate * 6), 2, 'two of six labels estimated wrong');
  // The signals one by one: mixup misses sample 5 (it prefers the given 1), the out-of-sample model does not.
  const five = verdicts[5].reasons!;
  assert.deepEqual([five.mixupRejects, five.outOfSampleRejects, five.ermMemorized], [false, true, true]);
  assert.equal(five.ermMixupSuggestion, 2);
  assert.equal(five.suggestionsAgree, true);
  const four = verdicts[4].reasons!;
  assert.deepEqual([four.mixupRejects, four.outOfSampleRejects, four.ermMemorized], [true, true, false]);
});

test("'fused' ranks by the averaged probabilities and catches the error only one signal sees", () => {
  const fused = byIndex(judgeSamples(labels, { erm, mixup, outOfSample }, 3, options('fused')).verdicts);
  const alone = byIndex(ermMixupVerdicts(labels, erm, mixup, 3));
  assert.equal(alone[5].flagged, false, 'the ERM-vs-mixup judge alone misses sample 5');
  assert.deepEqual(
    fused.map((v) => v.flagged),
    [false, false, false, false, true, true],
  );
  // Fused probabilities: half the ERM-vs-mixup judge (their mean), half the out-of-sample model.
  const p = [0, 1, 2].map((k) => ((erm[15 + k] + mixup[15 + k]) / 2) * 0.5 + outOfSample[15 + k] * 0.5);
  assert.ok(Math.abs(fused[5].score - (1 + p[2] - p[1]) / 2) < 1e-6);
  assert.equal(fused[5].margin, 2 * fused[5].score - 1);
});

test('verdicts come most suspect first under every method', () => {
  for (const method of ['mixup', 'confident-learning', 'fused'] as const) {
    const scores = judgeSamples(labels, { erm, mixup, outOfSample }, 3, options(method)).verdicts.map((v) => v.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      method,
    );
  }
});

test('kNN label shares join the fused probabilities and the reasons; uncovered rows fall back to the judge', () => {
  // The neighbours of sample 3 (labelled 2) all carry label 0: only the kNN signal doubts it.
  const votes = Float32Array.from([1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const neighbourCovered = Uint8Array.from([1, 1, 1, 1, 1, 0]);
  const withVotes = byIndex(
    judgeSamples(labels, { erm, mixup, outOfSample, neighbourVotes: votes, neighbourCovered }, 3, options('fused'))
      .verdicts,
  );
  const without = byIndex(judgeSamples(labels, { erm, mixup, outOfSample }, 3, options('fused')).verdicts);
  assert.equal(withVotes[3].reasons?.neighbourAgreement, 0);
  assert.equal(withVotes[3].reasons?.neighbourSuggestion, 0);
  assert.ok(withVotes[3].score > without[3].score, 'the disagreeing neighbours raise the suspicion');
  assert.equal(withVotes[0].reasons?.neighbourAgreement, 1);
  // Sample 5 has no embedding: no kNN reasons, and its fused score is as if there were no votes.
  assert.equal(withVotes[5].reasons?.neighbourScore, undefined);
  assert.ok(Math.abs(withVotes[5].score - without[5].score) < 1e-6);
});

test('out-of-sample rows the user file lacks are the judge probabilities, marked in the reasons', () => {
  const outOfSampleCovered = Uint8Array.from([1, 1, 1, 1, 1, 0]);
  const verdicts = byIndex(
    judgeSamples(labels, { erm, mixup, outOfSample, outOfSampleCovered }, 3, options('confident-learning')).verdicts,
  );
  assert.equal(verdicts[5].reasons?.noOutOfSampleRow, true);
  assert.equal(verdicts[4].reasons?.noOutOfSampleRow, undefined);
  // Only the out-of-sample model saw sample 5's error; without its row the judge (which does not) decides.
  assert.equal(verdicts[5].reasons?.outOfSampleRejects, false);
  assert.ok(Math.abs(verdicts[5].reasons!.outOfSampleGiven - (0.6 + 0.8) / 2) < 1e-6);
});
