import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateMisses, wilsonInterval } from '../../../webview/state/missRate';

const close = (actual: number, expected: number, digits = 4) =>
  assert.ok(Math.abs(actual - expected) < 0.5 * 10 ** -digits, `${actual} ≈ ${expected}`);

// Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
// methods", Statistics in Medicine 17:857–872, Table II, method 3 (Wilson score, no continuity correction).
const NEWCOMBE: readonly [number, number, number, number][] = [
  [81, 263, 0.2553, 0.3662],
  [15, 148, 0.0624, 0.1605],
  [0, 20, 0, 0.1611],
  [1, 29, 0.0061, 0.1718],
];

test('Wilson intervals match the published values of Newcombe (1998)', () => {
  for (const [x, n, low, high] of NEWCOMBE) {
    const interval = wilsonInterval(x, n);
    close(interval.estimate, x / n, 10);
    close(interval.low, low);
    close(interval.high, high);
  }
});

test('Wilson intervals at the edges: 0 and n successes reach 0 and 1 exactly, and are mirror images', () => {
  const none = wilsonInterval(0, 10);
  assert.equal(none.low, 0);
  close(none.high, 0.2775);
  const all = wilsonInterval(10, 10);
  assert.equal(all.high, 1);
  close(all.low, 1 - none.high, 12);
  const half = wilsonInterval(5, 10);
  close(half.low, 0.2366);
  close(half.high, 0.7634);
  // A 90% interval (z = 1.645) is narrower than the 95% one.
  const narrow = wilsonInterval(5, 10, 1.6448536269514722);
  assert.ok(narrow.low > half.low && narrow.high < half.high);
});

test('Wilson intervals name the bad argument', () => {
  assert.throws(() => wilsonInterval(1, 0), /trials.*positive integer, but got 0/);
  assert.throws(() => wilsonInterval(3, 2), /successes.*\[0, 2\], but got 3/);
  assert.throws(() => wilsonInterval(0.5, 2), /successes/);
  assert.throws(() => wilsonInterval(1, 2, 0), /z to be positive/);
});

test('the miss estimate extrapolates the spot check to the unflagged set, counting found errors as certain', () => {
  assert.equal(estimateMisses(0, 0, 1000), undefined, 'nothing checked yet: no estimate');
  const estimate = estimateMisses(2, 100, 9_900);
  assert.ok(estimate);
  assert.equal(estimate.checked, 100);
  assert.equal(estimate.errors, 2);
  close(estimate.rate.estimate, 0.02, 10);
  // Wilson 95% for 2/100: 0.0055–0.0700.
  close(estimate.rate.low, 0.0055);
  close(estimate.rate.high, 0.07);
  close(estimate.missed.estimate, 2 + 9_800 * 0.02, 6);
  close(estimate.missed.low, 2 + 9_800 * estimate.rate.low, 6);
  close(estimate.missed.high, 2 + 9_800 * estimate.rate.high, 6);
  // No error in 50 still leaves room for up to 7.1% (about 700 of 10 000) missed.
  const clean = estimateMisses(0, 50, 10_000);
  assert.ok(clean);
  assert.equal(clean.missed.low, 0);
  close(clean.rate.high, 0.0713);
  assert.throws(() => estimateMisses(1, 50, 10), /unflaggedTotal.*at least 50/);
});
