import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { EMBEDDING_SIZE } from '../../../../src/core/training/model';
import { findNeighbours, neighboursOfSuspects, type NeighbourQuery } from '../../../../src/core/detection/neighbours';
import { injectLabelNoise } from '../../../../src/core/detection/noise';
import { predict } from '../../../../src/core/training/predict';
import { Random } from '../../../../src/core/training/random';
import { trainModel } from '../../../../src/core/training/train';
import type { ImageSet } from '../../../../src/core/shared/types';
import { chooseBackend } from '../../../../src/engine/backend';
import { realImages, SOURCE_SIZE } from '../../../helpers/realImages';

before(async () => {
  await chooseBackend('wasm');
});

/** Real digits as unit-length pixel vectors: an embedding anyone can check by hand. */
function pixelEmbeddings(count: number, seed: number): { embeddings: Float32Array; labels: Int32Array; dim: number } {
  const { images, labels } = realImages(count, { seed });
  const dim = SOURCE_SIZE * SOURCE_SIZE;
  const embeddings = new Float32Array(count * dim);
  images.forEach((pixels, i) => {
    const norm = Math.hypot(...pixels);
    for (let d = 0; d < dim; d++) embeddings[i * dim + d] = pixels[d] / norm;
  });
  return { embeddings, labels: Int32Array.from(labels), dim };
}

function cosineDistance(embeddings: Float32Array, dim: number, a: number, b: number): number {
  let dot = 0;
  for (let d = 0; d < dim; d++) dot += embeddings[a * dim + d] * embeddings[b * dim + d];
  return 1 - dot;
}

test('the neighbours are exactly the k closest candidates of each class, by brute force over real digits', () => {
  const { embeddings, labels, dim } = pixelEmbeddings(500, 5);
  const random = new Random(3);
  const excluded = new Uint8Array(labels.length);
  const queries: NeighbourQuery[] = [];
  for (const row of random.permutation(labels.length).slice(0, 40)) {
    excluded[row] = 1;
    queries.push({ row, given: labels[row], suggested: (labels[row] + 1 + random.int(9)) % 10 });
  }
  // Two more excluded rows that are nobody's query.
  excluded[queries[0].row + 1] = 1;
  excluded[queries[1].row + 1] = 1;
  const found = findNeighbours(embeddings, dim, labels, 10, queries, excluded, 6);
  assert.equal(found.length, queries.length);
  queries.forEach((q, i) => {
    for (const side of ['given', 'suggested'] as const) {
      const cls = q[side];
      const brute = [...labels.keys()]
        .filter((row) => labels[row] === cls && !excluded[row] && row !== q.row)
        .map((row) => ({ row, distance: cosineDistance(embeddings, dim, q.row, row) }))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, 6);
      const list = found[i][side];
      assert.equal(list.rows.length, 6);
      // float32 products may swap two near-equal distances, so compare the distances, then each row's own.
      list.distances.forEach((d, j) =>
        assert.ok(Math.abs(d - brute[j].distance) < 1e-5, `query ${i} ${side} #${j}: ${d} vs ${brute[j].distance}`),
      );
      list.rows.forEach((row, j) => {
        assert.equal(labels[row], cls, 'a neighbour carries the searched label');
        assert.equal(excluded[row], 0, "flagged samples are nobody's neighbour");
        assert.ok(Math.abs(cosineDistance(embeddings, dim, q.row, row) - list.distances[j]) < 1e-5);
      });
      assert.deepEqual(new Set(list.rows), new Set(brute.map((b) => b.row)));
    }
  });
});

test('a class with fewer candidates than k gives what it has; a class with none gives empty lists', () => {
  const { embeddings, labels, dim } = pixelEmbeddings(60, 8);
  const excluded = Uint8Array.from(labels, (label) => (label === 9 ? 1 : 0));
  // Class 9 is all excluded; class 8 keeps 3 of its 6 members.
  let kept = 0;
  labels.forEach((label, row) => {
    if (label === 8 && kept++ >= 3) excluded[row] = 1;
  });
  const row = labels.indexOf(4);
  const [only] = findNeighbours(embeddings, dim, labels, 10, [{ row, given: 8, suggested: 9 }], excluded, 6);
  assert.equal(only.given.rows.length, 3);
  assert.deepEqual(
    [...only.given.distances],
    [...only.given.distances].sort((a, b) => a - b),
    'nearest first',
  );
  assert.equal(only.suggested.rows.length, 0);
  assert.equal(only.suggested.distances.length, 0);
  // A query that is itself a candidate is never its own neighbour.
  const [self] = findNeighbours(
    embeddings,
    dim,
    labels,
    10,
    [{ row, given: 4, suggested: 4 }],
    new Uint8Array(labels.length),
    2,
  );
  assert.ok(!self.given.rows.includes(row) && self.given.rows.length === 2);
});

test('bad arguments are refused with the shape or the query at fault', () => {
  const { embeddings, labels, dim } = pixelEmbeddings(20, 1);
  const none = new Uint8Array(labels.length);
  assert.throws(() => findNeighbours(embeddings, dim + 1, labels, 10, [], none), /shape \(20, 785\)/);
  assert.throws(() => findNeighbours(embeddings, dim, labels, 10, [], new Uint8Array(3)), /20 exclusion flags/);
  assert.throws(
    () => findNeighbours(embeddings, dim, labels, 10, [{ row: 20, given: 0, suggested: 1 }], none),
    /Bad neighbour query .*"row":20/,
  );
  assert.throws(
    () => findNeighbours(embeddings, dim, labels, 10, [{ row: 0, given: 0, suggested: 10 }], none),
    /"suggested":10/,
  );
  assert.throws(() => findNeighbours(embeddings, dim, labels, 10, [], none, 0), /positive whole number/);
});

test("a trained mixup model's embeddings place a mislabeled digit among its true class", async () => {
  const count = 400;
  const { images, labels } = realImages(count, { seed: 12 });
  const pixels = new Uint8Array(count * SOURCE_SIZE * SOURCE_SIZE);
  images.forEach((image, i) => pixels.set(image, i * image.length));
  const imageSet: ImageSet = { size: SOURCE_SIZE, channels: 1, count, pixels };
  const truth = Int32Array.from(labels);
  const noisy = injectLabelNoise(truth, 10, { rate: 0.1, kind: 'symmetric', seed: 6 });
  const trained = await trainModel(imageSet, noisy.labels, 10, {
    kind: 'mixup',
    alpha: 8,
    sampleSteps: 8 * count,
    batchSize: 32,
    learningRate: 0.01,
    schedule: 'one-cycle',
    seed: 4,
  });
  try {
    const tensorsBefore = tf.memory().numTensors;
    const plain = await predict(trained.model, imageSet, trained.normalization);
    const both = await predict(trained.model, imageSet, trained.normalization, { embeddings: true, batchSize: 96 });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the scoring pass frees every tensor');
    assert.equal(plain.embeddings, undefined);
    assert.deepEqual(both.probabilities, plain.probabilities, 'asking for embeddings changes no probability');
    const embeddings = both.embeddings!;
    assert.equal(embeddings.length, count * EMBEDDING_SIZE);
    for (let i = 0; i < count; i++) {
      const norm = Math.hypot(...embeddings.subarray(i * EMBEDDING_SIZE, (i + 1) * EMBEDDING_SIZE));
      assert.ok(Math.abs(norm - 1) < 1e-4 || norm === 0, `row ${i} has length ${norm}`);
    }
    // The wrong labels as the audit would flag them, each with its true digit as the suggestion.
    const wrong = [...truth.keys()].filter((i) => noisy.flipped[i]);
    const verdicts = wrong.map((index) => ({
      index,
      givenLabel: noisy.labels[index],
      suggestedLabel: truth[index],
      flagged: true,
    }));
    const found = neighboursOfSuspects(verdicts, noisy.labels, 10, embeddings, EMBEDDING_SIZE);
    assert.equal(found.size, wrong.length);
    const closerToTruth = wrong.filter(
      (i) => found.get(i)!.suggested.distances[0] < found.get(i)!.given.distances[0],
    ).length;
    assert.ok(
      closerToTruth >= 0.8 * wrong.length,
      `${closerToTruth} of ${wrong.length} mislabeled digits are nearer their true class than their given one`,
    );
    // The given-label neighbours really are labelled so, and none of them is a flagged sample.
    const flaggedRows = new Set(wrong);
    for (const [row, n] of found) {
      assert.ok([...n.given.rows].every((r) => noisy.labels[r] === noisy.labels[row] && !flaggedRows.has(r)));
      assert.ok([...n.suggested.rows].every((r) => noisy.labels[r] === truth[row] && !flaggedRows.has(r)));
    }
    // The limit keeps the most suspect first.
    assert.deepEqual(
      [...neighboursOfSuspects(verdicts, noisy.labels, 10, embeddings, EMBEDDING_SIZE, { limit: 3 }).keys()],
      wrong.slice(0, 3),
    );
  } finally {
    trained.model.dispose();
  }
});

test('copies of one image fill one place in a strip, and a copy of the query none (issue #18)', () => {
  const { embeddings: distinct, labels: distinctLabels, dim } = pixelEmbeddings(200, 11);
  // 500 copies of row 0's vector under row 0's label, and 3 copies of the query's under its label.
  const query = [...distinctLabels].findIndex((label, row) => row > 0 && label === distinctLabels[0]);
  const copies = 500;
  const count = distinct.length / dim + copies + 3;
  const embeddings = new Float32Array(count * dim);
  embeddings.set(distinct);
  const labels = new Int32Array(count);
  labels.set(distinctLabels);
  const copyOf = new Int32Array(count).fill(-1);
  copyOf[0] = 0;
  copyOf[query] = 1;
  for (let i = 0; i < copies + 3; i++) {
    const row = distinctLabels.length + i;
    const source = i < copies ? 0 : query;
    embeddings.set(distinct.subarray(source * dim, (source + 1) * dim), row * dim);
    labels[row] = distinctLabels[source];
    copyOf[row] = i < copies ? 0 : 1;
  }
  const excluded = new Uint8Array(count);
  const q = [{ row: query, given: labels[query], suggested: (labels[query] + 1) % 10 }];
  const [collapsed] = findNeighbours(embeddings, dim, labels, 10, q, excluded, 6, copyOf);
  const sets = [...collapsed.given.rows].map((row) => (copyOf[row] >= 0 ? `set ${copyOf[row]}` : `row ${row}`));
  assert.equal(new Set(sets).size, sets.length, `one file per copy set: ${sets.join(', ')}`);
  assert.ok(!sets.includes('set 1'), "the query's own copies are not its neighbours");
  assert.equal(collapsed.given.rows.length, 6);
  // Without the copy sets the same search returns the query's copies first (distance 0).
  const [plain] = findNeighbours(embeddings, dim, labels, 10, q, excluded, 6);
  assert.ok([...plain.given.rows].filter((row) => copyOf[row] === 1).length === 3);
  // The collapsed list is the plain search over the distinct rows only, minus the query's copies.
  const distinctOnly = Uint8Array.from({ length: count }, (_, row) => (row >= distinctLabels.length ? 1 : 0));
  const [reference] = findNeighbours(embeddings, dim, labels, 10, q, distinctOnly, 6);
  assert.deepEqual([...collapsed.given.distances], [...reference.given.distances]);
});
