import { test } from 'node:test';
import assert from 'node:assert/strict';
import { injectLabelNoise } from '../../../../src/core/detection/noise';
import { realImages } from '../../../helpers/realImages';

const K = 10;
// Real class ids (balanced, round-robin) from the mnist package; only the labels matter here.
const given = Int32Array.from(realImages(2000, { seed: 3 }).labels);

function countFlipped(flipped: Uint8Array): number {
  return flipped.reduce((sum, f) => sum + f, 0);
}

test('symmetric noise changes exactly round(rate*n) labels, each to another class, and only those', () => {
  for (const n of [2000, 37]) {
    const labels = given.subarray(0, n);
    for (const rate of [0, 0.06, 0.2, 0.5, 0.95]) {
      const before = Int32Array.from(labels);
      const noisy = injectLabelNoise(labels, K, { rate, kind: 'symmetric', seed: 11 });
      assert.equal(countFlipped(noisy.flipped), Math.round(rate * n), `n=${n} rate=${rate}`);
      for (let i = 0; i < n; i++) {
        assert.equal(noisy.labels[i] !== labels[i], noisy.flipped[i] === 1, `index ${i}`);
        assert.ok(noisy.labels[i] >= 0 && noisy.labels[i] < K);
      }
      assert.deepEqual(labels, before, 'input labels must not be modified');
    }
  }
});

test('the same seed gives the same noise, another seed other noise', () => {
  const options = { rate: 0.2, kind: 'symmetric', seed: 5 } as const;
  const a = injectLabelNoise(given, K, options);
  const b = injectLabelNoise(Array.from(given), K, options);
  assert.deepEqual(a.labels, b.labels);
  assert.deepEqual(a.flipped, b.flipped);
  const c = injectLabelNoise(given, K, { ...options, seed: 6 });
  assert.notDeepEqual(c.flipped, a.flipped);
});

test('symmetric noise hits every class about equally and spreads each class over all others', () => {
  const noisy = injectLabelNoise(given, K, { rate: 0.5, kind: 'symmetric', seed: 1 });
  const perClass = Array.from({ length: K }, () => ({ total: 0, flipped: 0, to: new Array<number>(K).fill(0) }));
  given.forEach((c, i) => {
    perClass[c].total++;
    if (noisy.flipped[i]) {
      perClass[c].flipped++;
      perClass[c].to[noisy.labels[i]]++;
    }
  });
  for (const [c, { total, flipped, to }] of perClass.entries()) {
    assert.ok(Math.abs(flipped / total - 0.5) < 0.12, `class ${c}: ${flipped}/${total} flipped`);
    assert.equal(to[c], 0);
    // ~100 flips of each class over 9 targets: ~11 each; a pair-flip or off-by-one bias would put
    // them all in one target and fail this.
    const expected = flipped / (K - 1);
    for (const [d, count] of to.entries()) {
      if (d !== c)
        assert.ok(
          count > expected * 0.3 && count < expected * 2,
          `class ${c} → ${d}: ${count} (expected ~${expected.toFixed(0)})`,
        );
    }
  }
});

test('pairFlip sends class c to c+1 mod K by default', () => {
  const noisy = injectLabelNoise(given, K, { rate: 0.3, kind: 'pairFlip', seed: 2 });
  assert.equal(countFlipped(noisy.flipped), 600);
  given.forEach((c, i) => assert.equal(noisy.labels[i], noisy.flipped[i] ? (c + 1) % K : c));
});

test('pairFlip with a map flips only the mapped classes, to their targets (7→1, 6→0)', () => {
  const pairs = new Map([
    [7, 1],
    [6, 0],
  ]);
  const noisy = injectLabelNoise(given, K, { rate: 0.1, kind: 'pairFlip', seed: 4, pairs });
  assert.equal(countFlipped(noisy.flipped), 200);
  const changedFrom = new Set<number>();
  given.forEach((c, i) => {
    if (!noisy.flipped[i]) return assert.equal(noisy.labels[i], c);
    changedFrom.add(c);
    assert.equal(noisy.labels[i], pairs.get(c));
  });
  assert.deepEqual([...changedFrom].sort(), [6, 7]);
  // 400 samples are 6s or 7s: asking for 500 changes cannot be met.
  assert.throws(() => injectLabelNoise(given, K, { rate: 0.25, kind: 'pairFlip', seed: 4, pairs }), /only 400 samples/);
});

test('pairFlip with an array uses one target per class', () => {
  const reverse = Array.from({ length: K }, (_, c) => K - 1 - c);
  const noisy = injectLabelNoise(given, K, { rate: 0.4, kind: 'pairFlip', seed: 9, pairs: reverse });
  given.forEach((c, i) => assert.equal(noisy.labels[i], noisy.flipped[i] ? K - 1 - c : c));
});

test('bad arguments are refused with a message naming the argument', () => {
  const ok = { rate: 0.1, kind: 'symmetric', seed: 1 } as const;
  assert.throws(() => injectLabelNoise(given, K, { ...ok, rate: 1 }), /^RangeError: rate must be in \[0, 1\), got 1$/);
  assert.throws(() => injectLabelNoise(given, K, { ...ok, rate: -0.1 }), /rate must be/);
  assert.throws(() => injectLabelNoise(given, K, { ...ok, rate: Number.NaN }), /rate must be/);
  assert.throws(() => injectLabelNoise([0, 1], 1, ok), /numClasses must be an integer ≥ 2, got 1/);
  assert.throws(
    () => injectLabelNoise([0, 1, 2, 10], K, ok),
    /labels\[3\] must be an integer class id in 0..9, got 10/,
  );
  assert.throws(() => injectLabelNoise([0, 1.5], K, ok), /labels\[1\]/);
  assert.throws(() => injectLabelNoise([0, 1], K, { ...ok, seed: Number.NaN }), /seed must be/);
  const pairFlip = { ...ok, kind: 'pairFlip' } as const;
  assert.throws(
    () => injectLabelNoise([0, 1], K, { ...pairFlip, pairs: new Map([[3, 3]]) }),
    /pairs: class 3 maps to itself/,
  );
  assert.throws(
    () => injectLabelNoise([0, 1], K, { ...pairFlip, pairs: new Map([[3, 12]]) }),
    /pairs: target 12 is not a class id/,
  );
  assert.throws(
    () => injectLabelNoise([0, 1], K, { ...pairFlip, pairs: [1, 0] }),
    /pairs must have one target per class \(10\), got 2/,
  );
});
