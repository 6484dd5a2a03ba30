import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  confidentJoint,
  confidentLearning,
  estimateNoise,
  perClassThresholds,
  pruneByNoiseRate,
} from '../../../../src/core/detection/confidentLearning';

// Three classes, eight samples; out-of-sample probabilities written by hand so that every figure of
// the paper's procedure can be worked out on paper (the comments do it).
const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2]);
const probabilities = Float32Array.from([
  0.9,
  0.05,
  0.05, // 0: clearly a 0
  0.8,
  0.1,
  0.1, // 1: a 0
  0.1,
  0.8,
  0.1, // 2: labelled 0, looks like a 1 → a label error
  0.1,
  0.8,
  0.1, // 3: a 1
  0.2,
  0.7,
  0.1, // 4: a 1
  0.1,
  0.3,
  0.6, // 5: labelled 1, looks like a 2 → a label error
  0.1,
  0.1,
  0.8, // 6: a 2
  0.3,
  0.2,
  0.5, // 7: a 2, unsure
]);

test('per-class thresholds are the mean self-confidence of each given class', () => {
  // t0 = (.9 + .8 + .1) / 3 = .6, t1 = (.8 + .7 + .3) / 3 = .6, t2 = (.8 + .5) / 2 = .65
  assert.deepEqual(Array.from(perClassThresholds(labels, probabilities, 3)).map(round), [0.6, 0.6, 0.65]);
});

test('the confident joint counts each sample once, in the most probable class above its threshold', () => {
  const { counts, confidentClass } = confidentJoint(labels, probabilities, 3);
  // Sample 7 (p = .3, .2, .5) reaches no threshold; neither does sample 5 (p1 = .3 < .6, p2 = .6 < .65).
  assert.deepEqual(Array.from(confidentClass), [0, 0, 1, 1, 1, -1, 2, -1]);
  assert.deepEqual(Array.from(counts), [2, 1, 0, 0, 2, 0, 0, 0, 1]);
});

test('when two classes pass their thresholds the more probable one wins', () => {
  const twoLabels = Int32Array.from([0, 1, 0]);
  const p = Float32Array.from([0.45, 0.55, 0.1, 0.9, 0.3, 0.7]);
  // With both thresholds at .4, samples 0 and 2 pass both: the larger probability (class 1) wins.
  const { confidentClass, counts } = confidentJoint(twoLabels, p, 2, Float64Array.from([0.4, 0.4]));
  assert.deepEqual(Array.from(confidentClass), [1, 1, 1]);
  assert.deepEqual(Array.from(counts), [0, 2, 0, 1]);
});

test('calibration rescales each row of the confident joint to the given-label count; Q sums to 1', () => {
  const { counts } = confidentJoint(labels, probabilities, 3);
  const estimate = estimateNoise(labels, counts, 3);
  // Row 0: (2, 1, 0) / 3 · 3 labelled 0; row 1: (0, 2, 0) / 2 · 3; row 2: (0, 0, 1) / 1 · 2.
  assert.deepEqual(Array.from(estimate.counts), [2, 1, 0, 0, 3, 0, 0, 0, 2]);
  assert.deepEqual(Array.from(estimate.joint).map(round), [2 / 8, 1 / 8, 0, 0, 3 / 8, 0, 0, 0, 2 / 8].map(round));
  assert.equal(round(estimate.noiseRate), round(1 / 8));
  // Noise matrix P(ỹ = i | y* = j): column 1 holds 1/8 (ỹ = 0) and 3/8 (ỹ = 1) → .25 and .75.
  assert.deepEqual(Array.from(estimate.noiseMatrix).map(round), [1, 0.25, 0, 0, 0.75, 0, 0, 0, 1]);
});

test('a row with no confident sample is assumed clean rather than divided by zero', () => {
  const estimate = estimateNoise(Int32Array.from([0, 0, 1]), Float64Array.from([0, 0, 0, 1]), 2);
  assert.deepEqual(Array.from(estimate.counts), [2, 0, 0, 1]);
  assert.equal(estimate.noiseRate, 0);
});

test('prune by noise rate takes N·Q[i][j] samples per off-diagonal cell, largest margin first', () => {
  const result = confidentLearning(labels, probabilities, 3);
  // Only cell (0, 1) is off-diagonal and non-zero (one sample): among samples labelled 0 the
  // largest p1 − p0 is sample 2's (.7). Sample 5 is not caught: no confident count put it in (1, 2).
  assert.deepEqual(Array.from(result.issues), [0, 0, 1, 0, 0, 0, 0, 0]);
});

test('prune by noise rate follows the estimate it is given and counts a sample once', () => {
  const estimate = estimateNoise(labels, Float64Array.from([1, 1, 1, 0, 2, 1, 0, 0, 2]), 3);
  // Row 0 calibrated to (1, 1, 1): one sample for (0, 1) — sample 2 (p1 − p0 = .7) — and one for
  // (0, 2) — sample 2 again (p2 − p0 = 0, the largest of .0, −.7, −.85); counted once.
  // Row 1 calibrated to (0, 2, 1): one for (1, 2) — sample 5 (p2 − p1 = .3).
  const issues = pruneByNoiseRate(labels, probabilities, 3, estimate);
  assert.deepEqual(Array.from(issues), [0, 0, 1, 0, 0, 1, 0, 0]);
});

test('on clean, confident predictions confident learning finds no issues and an identity noise matrix', () => {
  const n = 60;
  const clean = Int32Array.from({ length: n }, (_, i) => i % 3);
  const p = new Float32Array(n * 3).fill(0.05);
  clean.forEach((label, i) => (p[i * 3 + label] = 0.9));
  const result = confidentLearning(clean, p, 3);
  assert.equal(
    result.issues.reduce((a, b) => a + b, 0),
    0,
  );
  assert.deepEqual(Array.from(result.estimate.noiseMatrix), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
});

test('a known swap rate is recovered: 20 of 100 class-0 samples labelled 1', () => {
  // 100 true 0s and 100 true 1s; 20 of the 0s carry label 1. The model (out of sample) knows the truth.
  const truth = Int32Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1));
  const given = Int32Array.from(truth, (t, i) => (i < 20 ? 1 : t));
  const p = new Float32Array(400);
  // Equally confident on every sample: t0 = .9, so all 20 hidden 0s reach class 0's threshold.
  truth.forEach((t, i) => {
    p[i * 2 + t] = 0.9;
    p[i * 2 + 1 - t] = 0.1;
  });
  const result = confidentLearning(given, p, 2);
  // Given 1, truly 0: 20 samples; given 0, truly 1: none.
  assert.deepEqual(Array.from(result.estimate.counts).map(Math.round), [80, 0, 20, 100]);
  assert.deepEqual(
    [...result.issues.keys()].filter((i) => result.issues[i]),
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test('inputs of the wrong shape are rejected, naming the problem', () => {
  assert.throws(() => confidentLearning(labels, probabilities.subarray(3), 3), /shape \(8, 3\)/);
  assert.throws(() => confidentLearning(Int32Array.from([0, 3]), new Float32Array(6), 3), /labels\[1\]/);
  assert.throws(() => estimateNoise(labels, new Float64Array(4), 3), /3×3/);
});

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
