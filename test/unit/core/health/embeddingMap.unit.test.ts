import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { embeddingMap, type EmbeddingMap } from '../../../../src/core/health/map/embeddingMap';
import { principalComponents } from '../../../../src/core/health/map/principalComponents';
import { fuzzyGraph, memberships } from '../../../../src/core/health/map/umapLayout';
import { referenceNeighbours } from '../../../../src/core/health/referenceNeighbours';
import { isCancellation } from '../../../../src/core/errors';
import { chooseBackend } from '../../../../src/engine/backend';
import { realImages } from '../../../helpers/realImages';

before(async () => {
  await chooseBackend('wasm');
});

/** Real images as unit-length, mean-centred pixel vectors: a space where the classes cluster. */
function unitPixels(images: readonly Uint8Array[]): Float32Array {
  const dim = images[0].length;
  const mean = new Float64Array(dim);
  for (const image of images) for (let d = 0; d < dim; d++) mean[d] += image[d] / images.length;
  const out = new Float32Array(images.length * dim);
  images.forEach((image, i) => {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += (image[d] - mean[d]) ** 2;
    for (let d = 0; d < dim; d++) out[i * dim + d] = (image[d] - mean[d]) / (Math.sqrt(norm) || 1);
  });
  return out;
}

/** Share of points whose 10 nearest points in 2-D carry their own label: how well the map keeps the classes apart. */
function mapAgreement(points: ArrayLike<number>, labels: readonly number[]): number {
  const n = labels.length;
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const distances: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j !== i)
        distances.push([(points[i * 2] - points[j * 2]) ** 2 + (points[i * 2 + 1] - points[j * 2 + 1]) ** 2, j]);
    }
    distances.sort((a, b) => a[0] - b[0]);
    agree += distances.slice(0, 10).filter(([, j]) => labels[j] === labels[i]).length / 10;
  }
  return agree / n;
}

const { images, labels } = realImages(600, { seed: 5 });
const dim = images[0].length;

/** The same share among the 10 nearest in the embeddings themselves: what a map can at best keep. */
function spaceAgreement(neighbours: ReturnType<typeof referenceNeighbours>): number {
  let agree = 0;
  for (const i of neighbours.rows) {
    for (let j = 0; j < 10; j++) agree += labels[neighbours.indices[i * neighbours.k + j]] === labels[i] ? 0.1 : 0;
  }
  return agree / neighbours.rows.length;
}

test('UMAP keeps the neighbourhoods of real MNIST digits, far better than the first two principal components', async () => {
  const embeddings = unitPixels(images);
  const neighbours = referenceNeighbours(embeddings, dim, 15);
  const map = await embeddingMap(embeddings, dim, neighbours, { seed: 3 });
  assert.equal(map.method, 'umap');
  assert.equal(map.laidOut, 600);
  assert.equal(map.epochs, 500);
  assert.ok(map.points.every((v) => v >= 0 && v <= 1));
  // The longer side spans [0, 1].
  const xs = map.points.filter((_, i) => i % 2 === 0);
  const ys = map.points.filter((_, i) => i % 2 === 1);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  assert.ok(Math.abs(span - 1) < 1e-5, `span ${span}`);
  const umap = mapAgreement(map.points, labels);
  const pca = mapAgreement(principalComponents(embeddings, dim, neighbours.rows, 3), labels);
  const space = spaceAgreement(neighbours);
  // Measured 2026-12-02: 0.722 on the map, 0.724 in the space, 0.310 for PCA.
  assert.ok(
    umap >= 0.95 * space,
    `UMAP: ${umap.toFixed(3)} of the 10 nearest on the map share the label, ${space.toFixed(3)} in the space`,
  );
  assert.ok(umap > pca + 0.2, `UMAP ${umap.toFixed(3)} against PCA ${pca.toFixed(3)}`);
  // Seeded: the same map on every run.
  const again = await embeddingMap(embeddings, dim, neighbours, { seed: 3 });
  assert.deepEqual(again.points, map.points);
});

test('past the reference size the others are placed among their nearest laid-out images; rows without an embedding get no point', async () => {
  const embeddings = unitPixels(images);
  const covered = Uint8Array.from(images, (_, i) => (i === 7 ? 0 : 1));
  const neighbours = referenceNeighbours(embeddings, dim, 15, { covered, maxReference: 250 });
  const map: EmbeddingMap = await embeddingMap(embeddings, dim, neighbours, { seed: 3 });
  assert.equal(map.laidOut, 250);
  assert.ok(Number.isNaN(map.points[14]) && Number.isNaN(map.points[15]), 'row 7 has no point');
  const placed = Array.from({ length: 600 }, (_, i) => i).filter((i) => i !== 7 && !neighbours.reference.includes(i));
  assert.equal(placed.length, 349);
  const rows = Array.from({ length: 600 }, (_, i) => i).filter((i) => i !== 7);
  const points = rows.flatMap((i) => [map.points[i * 2], map.points[i * 2 + 1]]);
  const agreement = mapAgreement(
    points,
    rows.map((i) => labels[i]),
  );
  // Against the space's own agreement among the 250 reference images (measured: 0.556 and 0.589).
  const space = spaceAgreement(neighbours);
  assert.ok(
    agreement >= 0.9 * space,
    `${agreement.toFixed(3)} with 349 of 599 placed, ${space.toFixed(3)} in the space`,
  );
});

test('a dataset too small for a neighbour graph gets its principal components; a cancel stops the layout', async () => {
  const few = unitPixels(images.slice(0, 12));
  const small = await embeddingMap(few, dim, referenceNeighbours(few, dim, 15));
  assert.equal(small.method, 'pca');
  assert.equal(small.epochs, 0);
  assert.ok(small.points.every((v) => v >= 0 && v <= 1));

  const embeddings = unitPixels(images);
  const controller = new AbortController();
  const layout = embeddingMap(embeddings, dim, referenceNeighbours(embeddings, dim, 15), {
    signal: controller.signal,
    onProgress: (fraction) => fraction >= 0.1 && controller.abort(),
  });
  await assert.rejects(layout, (error: unknown) => isCancellation(error));
});

test("UMAP's memberships: 1 for the nearest, summing to log2(k) with the point itself counted, as umap-learn's smooth_knn_dist", () => {
  const distances = Float64Array.from([0.1, 0.15, 0.3, 0.32, 0.5, NaN]);
  const strengths = memberships(distances, new Float64Array(distances.length));
  assert.equal(strengths[0], 1, 'the nearest neighbour is at rho');
  assert.equal(strengths[5], 0, 'no neighbour, no membership');
  // umap-learn sums the k − 1 neighbours after the point itself against log2(k): here 5 against log2(6).
  const sum = strengths.reduce((total, v) => total + v, 0);
  assert.ok(Math.abs(sum - Math.log2(6)) < 1e-4, `sum ${sum}`);
  for (let j = 1; j < 5; j++) assert.ok(strengths[j] < strengths[j - 1], 'farther, weaker');
  // The fuzzy union of two directed memberships a and b is a + b − a·b, each undirected edge listed both ways.
  const graph = fuzzyGraph(Int32Array.from([1, 0]), Float32Array.from([0.2, 0.2]), 2, 1);
  assert.deepEqual([...graph.heads], [0, 1]);
  assert.deepEqual([...graph.tails], [1, 0]);
  assert.deepEqual([...graph.weights], [1, 1]);
});
