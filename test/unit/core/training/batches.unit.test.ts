import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchFiller, measureNormalization } from '../../../../src/core/training/batches';
import { Random } from '../../../../src/core/training/random';
import { concatBytes } from '../../../../src/core/shared/collections';
import type { ImageSet } from '../../../../src/core/shared/types';
import { realImages } from '../../../helpers/realImages';

const COUNT = 64;
const { images, labels } = realImages(COUNT, { seed: 3 });
const imageSet: ImageSet = { size: 28, channels: 1, count: COUNT, pixels: concatBytes(images) };
const labelIds = Int32Array.from(labels);
const order = Int32Array.from({ length: COUNT }, (_, i) => i);
const length = 28 * 28;

test('normalization centres the dataset: the standardised pixels have mean 0 and std 1', () => {
  const filler = new BatchFiller(imageSet, labelIds, 10);
  const x = new Float32Array(COUNT * length);
  filler.fill(order, 0, COUNT, x);
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  assert.ok(Math.abs(mean) < 1e-4, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 1e-3, `variance ${variance}`);
});

test('an ERM batch holds the images in the given order with one-hot given labels', () => {
  const filler = new BatchFiller(imageSet, labelIds, 10);
  const table = measureNormalization(imageSet)[0];
  const x = new Float32Array(4 * length);
  const y = new Float32Array(4 * 10);
  const picked = Int32Array.from([5, 17, 2, 40]);
  filler.fill(picked, 0, 4, x, y);
  for (let b = 0; b < 4; b++) {
    assert.equal(x[b * length + 300], table[images[picked[b]][300]]);
    const row = Array.from(y.subarray(b * 10, b * 10 + 10));
    assert.deepEqual(
      row.map((v, k) => (v === 1 ? k : -1)).filter((k) => k >= 0),
      [labels[picked[b]]],
    );
  }
});

test('a mixup batch is λ·xi + (1−λ)·xj of two batch images; targets mix the same way and sum to 1', () => {
  const filler = new BatchFiller(imageSet, labelIds, 10);
  const table = measureNormalization(imageSet)[0];
  const x = new Float32Array(COUNT * length);
  const y = new Float32Array(COUNT * 10);
  const { partners, lambdas } = filler.fillMixup(order, 0, COUNT, 8, new Random(1), x, y);
  assert.deepEqual(
    [...partners].sort((a, b) => a - b),
    [...order],
    'partners are a permutation of the batch',
  );
  for (let b = 0; b < COUNT; b++) {
    const j = partners[b];
    const lambda = lambdas[b];
    assert.ok(lambda > 0 && lambda < 1);
    for (let k = 0; k < length; k += 37) {
      const expected = lambda * table[images[b][k]] + (1 - lambda) * table[images[j][k]];
      assert.ok(Math.abs(x[b * length + k] - expected) < 1e-5, `pixel ${k} of row ${b}`);
    }
    const target = Array.from(y.subarray(b * 10, b * 10 + 10));
    const expectedTarget = new Array(10).fill(0);
    expectedTarget[labels[b]] += lambda;
    expectedTarget[labels[j]] += 1 - lambda;
    target.forEach((v, k) => assert.ok(Math.abs(v - expectedTarget[k]) < 1e-6, `target ${k} of row ${b}`));
    assert.ok(Math.abs(target.reduce((a, v) => a + v, 0) - 1) < 1e-6, 'targets sum to 1');
  }
});

test('λ ~ Beta(α, α): α = 8 concentrates around 0.5, α = 0.2 near 0 and 1', () => {
  const random = new Random(7);
  const draws = (alpha: number) => Array.from({ length: 20_000 }, () => random.beta(alpha, alpha));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const variance = (v: number[]) => mean(v.map((x) => (x - mean(v)) ** 2));
  for (const alpha of [0.2, 1, 8]) {
    const v = draws(alpha);
    // Beta(α, α) has mean 1/2 and variance 1 / (4(2α + 1)).
    assert.ok(Math.abs(mean(v) - 0.5) < 0.01, `mean for α=${alpha}`);
    assert.ok(Math.abs(variance(v) - 1 / (4 * (2 * alpha + 1))) < 0.005, `variance for α=${alpha}`);
  }
  const extremes = draws(0.2).filter((x) => x < 0.05 || x > 0.95).length / 20_000;
  assert.ok(extremes > 0.5, `α=0.2 mostly near 0 or 1 (${extremes})`);
});
