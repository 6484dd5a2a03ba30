import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { flagIssues } from '../../../../src/core/health/issueFlags';
import { outlierScores } from '../../../../src/core/health/outliers';
import { chooseBackend } from '../../../../src/engine/backend';
import { EMBEDDING_SIZE } from '../../../../src/core/training/model';
import { predict } from '../../../../src/core/training/predict';
import { trainModel } from '../../../../src/core/training/train';
import type { ImageSet } from '../../../../src/core/shared/types';
import { realImages, SOURCE_SIZE } from '../../../helpers/realImages';

before(async () => {
  await chooseBackend('wasm');
});

/** Real images as unit-length pixel vectors: a space where clothes are far from digits. */
function unitPixels(images: Uint8Array[]): Float32Array {
  const dim = images[0].length;
  const out = new Float32Array(images.length * dim);
  images.forEach((image, i) => {
    const norm = Math.sqrt(image.reduce((sum, v) => sum + v * v, 0)) || 1;
    for (let d = 0; d < dim; d++) out[i * dim + d] = image[d] / norm;
  });
  return out;
}

test("clothes score as unusual in the embeddings of a model trained on digits, and cleanlab's rule flags the far tail", async () => {
  const count = 300;
  const digits = realImages(count, { seed: 31 });
  const clothes = realImages(6, { source: 'fashion', seed: 32 }).images;
  const all = [...digits.images, ...clothes];
  const pixels = new Uint8Array(all.length * SOURCE_SIZE * SOURCE_SIZE);
  all.forEach((image, i) => pixels.set(image, i * image.length));
  const trainSet: ImageSet = { size: SOURCE_SIZE, channels: 1, count, pixels: pixels.subarray(0, count * 784) };
  const trained = await trainModel(trainSet, Int32Array.from(digits.labels), 10, {
    kind: 'mixup',
    alpha: 8,
    sampleSteps: 6 * count,
    batchSize: 32,
    learningRate: 0.01,
    schedule: 'one-cycle',
    seed: 4,
  });
  let embeddings: Float32Array;
  try {
    const imageSet: ImageSet = { size: SOURCE_SIZE, channels: 1, count: all.length, pixels };
    embeddings = (await predict(trained.model, imageSet, trained.normalization, { embeddings: true })).embeddings!;
  } finally {
    trained.model.dispose();
  }
  const before = tf.memory().numTensors;
  const found = outlierScores(embeddings, EMBEDDING_SIZE);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  assert.equal(found.k, 10);
  // Ranking: the share of (digit, cloth) pairs where the cloth scores lower (AUROC of the score).
  let below = 0;
  for (let c = 0; c < clothes.length; c++)
    for (let d = 0; d < count; d++) below += found.scores[count + c] < found.scores[d] ? 1 : 0;
  const auroc = below / (clothes.length * count);
  const flags = flagIssues(found.scores, found.threshold);
  const flagged = new Set(flags.flagged);
  const clothesFound = clothes.filter((_, i) => flagged.has(count + i)).length;
  const scores = clothes.map((_, i) => found.scores[count + i].toFixed(3)).join(' ');
  assert.ok(auroc >= 0.8, `AUROC ${auroc.toFixed(3)} of the score, clothes against digits`);
  // cleanlab's rule is strict: it flags the far tail, which here holds the most unusual clothes only.
  assert.ok(
    clothesFound >= 1,
    `${clothesFound} of 6 clothes flagged (${scores}; threshold ${found.threshold.toFixed(3)}, AUROC ${auroc.toFixed(3)})`,
  );
  const digitsFlagged = [...flagged].filter((row) => row < count).length;
  assert.ok(digitsFlagged <= 9, `${digitsFlagged} of ${count} digits flagged`);
  // The threshold is Datalab's: Q3 + (1/0.37 − 1)·IQR of the mean distances, as a score.
  const sorted = Float64Array.from(found.distances).sort();
  const at = (q: number) => {
    const i = q * (sorted.length - 1);
    return sorted[Math.floor(i)] + (i - Math.floor(i)) * (sorted[Math.ceil(i)] - sorted[Math.floor(i)]);
  };
  const cut = at(0.75) + (1 / 0.37 - 1) * (at(0.75) - at(0.25));
  assert.ok(Math.abs(found.distanceThreshold - cut) < 1e-5);
  assert.ok(Math.abs(found.threshold - Math.exp(-cut / at(0.5))) < 1e-4);
  // Worst first, each score cleanlab's exp(−d / median d).
  assert.ok(found.scores[flags.flagged[0]] <= found.scores[flags.flagged.at(-1)!]);
  assert.ok(found.threshold > 0 && found.threshold < 1);
});

test('rows without an embedding are scored 1 and are no one’s neighbour; a reference sample caps the search', () => {
  const digits = realImages(60, { seed: 33 }).images;
  const embeddings = unitPixels(digits);
  const covered = Uint8Array.from(digits, (_, i) => (i === 5 ? 0 : 1));
  embeddings.fill(0, 5 * 784, 6 * 784);
  const found = outlierScores(embeddings, 784, { covered, k: 4 });
  assert.equal(found.scores[5], 1);
  assert.equal(found.reference, 59);
  const sampled = outlierScores(embeddings, 784, { maxReference: 20 });
  assert.equal(sampled.reference, 20);
  assert.ok(sampled.distances.every((d) => d >= 0 && d <= 2));
});
