/**
 * The embedding map: a 2-D position for every image, so the review panel can show the whole dataset
 * at once (docs/dataset-health.md#the-embedding-map).
 *
 * UMAP lays out the reference images of the neighbour search the outlier check already made (all
 * images up to 10 000, else a seeded sample of 10 000), from their neighbours among each other; every
 * other image is placed at the membership-weighted mean of its nearest reference images, as UMAP's
 * `transform` starts new points. The map costs no second search, and its layout stays bounded at
 * any dataset size. Datasets too small for a neighbour graph get their first two principal
 * components instead.
 */

import { cosineDistance, type ReferenceNeighbours } from '../referenceNeighbours';
import { Random } from '../../training/random';
import { principalComponents } from './principalComponents';
import { fuzzyGraph, memberships, optimiseLayout } from './umapLayout';

/** umap-learn's default n_neighbors: the neighbour search keeps at least this many. */
export const MAP_NEIGHBOURS = 15;
/**
 * UMAP's epochs: a budget of 2 million point-epochs, within umap-learn's counts (500 for small data,
 * 200 for large): 500 up to 4 000 images, 200 from 10 000. More epochs barely move a map this size,
 * and each costs ~0.5 µs per point-epoch on one core.
 */
const POINT_EPOCHS = 2_000_000;
const MOST_EPOCHS = 500;
const FEWEST_EPOCHS = 200;
/** Fewer reference images than this and a neighbour graph says little: the map is PCA. */
const MIN_UMAP_POINTS = 2 * MAP_NEIGHBOURS;

/** What {@link embeddingMap} returns. */
export interface EmbeddingMap {
  readonly method: 'umap' | 'pca';
  /** `(N, 2)` positions, scaled into [0, 1] with the aspect ratio kept; NaN for rows without an embedding. */
  readonly points: Float32Array;
  /** Images UMAP laid out; the others were placed among their neighbours. */
  readonly laidOut: number;
  /** UMAP's epochs (0 for PCA). */
  readonly epochs: number;
  readonly seconds: number;
}

/**
 * Lays out every row of `embeddings`.
 * @param neighbours The outlier check's search (referenceNeighbours.ts) over the same embeddings.
 */
export async function embeddingMap(
  embeddings: Float32Array,
  dim: number,
  neighbours: ReferenceNeighbours,
  options: { seed?: number; signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<EmbeddingMap> {
  const started = performance.now();
  const seed = options.seed ?? 1;
  const count = embeddings.length / dim;
  const points = new Float32Array(count * 2).fill(NaN);
  const { reference, rows } = neighbours;
  if (reference.length < MIN_UMAP_POINTS) {
    const components = principalComponents(embeddings, dim, rows, seed);
    rows.forEach((row, i) => points.set(components.subarray(i * 2, i * 2 + 2), row * 2));
    return finished('pca', points, rows.length, 0, started);
  }
  const epochs = Math.min(MOST_EPOCHS, Math.max(FEWEST_EPOCHS, Math.round(POINT_EPOCHS / reference.length)));
  const layout = startingLayout(principalComponents(embeddings, dim, reference, seed), seed);
  const local = localIndices(reference, count);
  const { indices, distances } = referenceGraph(neighbours, local);
  await optimiseLayout(layout, fuzzyGraph(indices, distances, reference.length, neighbours.k), epochs, {
    seed,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  reference.forEach((row, i) => points.set(layout.subarray(i * 2, i * 2 + 2), row * 2));
  placeAmongNeighbours(points, neighbours, local, layout);
  return finished('umap', points, reference.length, epochs, started);
}

/** umap-learn's scaling of a starting layout: largest coordinate 10, plus a little noise against ties. */
function startingLayout(components: Float32Array, seed: number): Float32Array {
  let largest = 0;
  for (const v of components) largest = Math.max(largest, Math.abs(v));
  const scale = 10 / (largest || 1);
  // Seeded, so identical images do not start on one spot and the map is the same on every run.
  const random = new Random(seed + 1);
  return components.map((v) => v * scale + random.normal() * 1e-4);
}

/** `local[row]`: the row's position in `reference`, -1 for rows outside it. */
function localIndices(reference: Int32Array, count: number): Int32Array {
  const local = new Int32Array(count).fill(-1);
  reference.forEach((row, i) => (local[row] = i));
  return local;
}

/** The reference images' neighbour lists in local indices, with cosine distances. */
function referenceGraph(
  neighbours: ReferenceNeighbours,
  local: Int32Array,
): { indices: Int32Array; distances: Float32Array } {
  const { reference, k } = neighbours;
  const indices = new Int32Array(reference.length * k);
  const distances = new Float32Array(reference.length * k);
  reference.forEach((row, i) => {
    for (let j = 0; j < k; j++) {
      const other = neighbours.indices[row * k + j];
      indices[i * k + j] = other < 0 ? -1 : local[other];
      distances[i * k + j] = cosineDistance(neighbours.similarities[row * k + j]);
    }
  });
  return { indices, distances };
}

/** Each row outside the reference at the membership-weighted mean of its nearest reference images. */
function placeAmongNeighbours(
  points: Float32Array,
  neighbours: ReferenceNeighbours,
  local: Int32Array,
  layout: Float32Array,
): void {
  const { k } = neighbours;
  const distances = new Float64Array(k);
  const strength = new Float64Array(k);
  for (const row of neighbours.rows) {
    if (local[row] >= 0) continue;
    for (let j = 0; j < k; j++) {
      const other = neighbours.indices[row * k + j];
      distances[j] = other < 0 ? NaN : cosineDistance(neighbours.similarities[row * k + j]);
    }
    memberships(distances, strength);
    let x = 0;
    let y = 0;
    let total = 0;
    for (let j = 0; j < k; j++) {
      if (strength[j] <= 0) continue;
      const at = local[neighbours.indices[row * k + j]] * 2;
      x += strength[j] * layout[at];
      y += strength[j] * layout[at + 1];
      total += strength[j];
    }
    if (total > 0) points.set([x / total, y / total], row * 2);
  }
}

/** Scales the finite points into [0, 1] (the longer side spans it, the shorter is centred). */
function finished(
  method: EmbeddingMap['method'],
  points: Float32Array,
  laidOut: number,
  epochs: number,
  started: number,
): EmbeddingMap {
  const low = [Infinity, Infinity];
  const high = [-Infinity, -Infinity];
  for (let i = 0; i < points.length; i++) {
    const v = points[i];
    if (!Number.isFinite(v)) continue;
    low[i % 2] = Math.min(low[i % 2], v);
    high[i % 2] = Math.max(high[i % 2], v);
  }
  const span = Math.max(high[0] - low[0], high[1] - low[1]) || 1;
  const offset = [(span - (high[0] - low[0])) / 2, (span - (high[1] - low[1])) / 2];
  for (let i = 0; i < points.length; i++) {
    if (Number.isFinite(points[i])) points[i] = (points[i] - low[i % 2] + offset[i % 2]) / span;
  }
  return { method, points, laidOut, epochs, seconds: (performance.now() - started) / 1000 };
}
