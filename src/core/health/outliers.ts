/**
 * Outliers: images unlike the rest of the dataset, from the embeddings the audit already has, scored
 * as cleanlab's OutOfDistribution scores feature vectors (cleanlab/outlier.py) and flagged as
 * Datalab's OutlierIssueManager flags them.
 *
 * - Distance: each image's mean cosine distance to its k = 10 nearest other images (cleanlab's k).
 * - Score: exp(−d / median d), in (0, 1], lower is more unusual (cleanlab's transform with t = 1).
 * - Flag: d > Q3 + (1/0.37 − 1)·IQR of the distances (Datalab's default threshold 0.37 for features),
 *   stated in the report as the equivalent score threshold.
 */

import { quantile } from './issueFlags';
import { cosineDistance, referenceNeighbours, type ReferenceNeighbours } from './referenceNeighbours';

/** cleanlab's default number of neighbours for out-of-distribution scores. */
export const OUTLIER_NEIGHBOURS = 10;

/** Datalab's default outlier threshold for features: the IQR scale is 1/0.37 − 1 ≈ 1.70. */
export const OUTLIER_THRESHOLD = 0.37;

/** What {@link outlierScores} returns. */
export interface OutlierScores {
  /** `(N,)` mean cosine distance to the k nearest reference images. */
  readonly distances: Float32Array;
  /** `(N,)` exp(−distance / median distance), lower is more unusual. */
  readonly scores: Float32Array;
  /** Score below which an image is an outlier (the distance threshold, transformed). */
  readonly threshold: number;
  /** The distance above which an image is an outlier. */
  readonly distanceThreshold: number;
  /** Neighbours averaged, and the number of reference images searched. */
  readonly k: number;
  readonly reference: number;
}

/**
 * Scores every row of `embeddings` by its distance to its nearest neighbours.
 *
 * @param embeddings Row-major `(N, dim)` unit-length vectors (a dot product is the cosine similarity).
 * @param dim Width of a vector.
 * @param options `covered`, `maxReference`, `seed` as in {@link referenceNeighbours}; `k` neighbours averaged.
 */
export function outlierScores(
  embeddings: Float32Array,
  dim: number,
  options: { covered?: Uint8Array; k?: number; maxReference?: number; seed?: number } = {},
): OutlierScores {
  const { k = OUTLIER_NEIGHBOURS, ...search } = options;
  return outlierScoresOf(referenceNeighbours(embeddings, dim, k, search), k);
}

/**
 * The scores from a search already made (with at least `k` neighbours; the first `k` are averaged),
 * so the outlier check and the embedding map share one search.
 */
export function outlierScoresOf(neighbours: ReferenceNeighbours, k = OUTLIER_NEIGHBOURS): OutlierScores {
  const { rows, similarities } = neighbours;
  const count = neighbours.indices.length / neighbours.k;
  const used = Math.min(k, neighbours.k);
  const distances = new Float32Array(count);
  if (rows.length > 1) {
    for (const row of rows) {
      let sum = 0;
      for (let n = 0; n < used; n++) sum += cosineDistance(similarities[row * neighbours.k + n]);
      distances[row] = sum / used;
    }
  }
  const measured = Float32Array.from(rows, (row) => distances[row]).sort();
  const median = Math.max(quantile(measured, 0.5), 1e-6);
  const q1 = quantile(measured, 0.25);
  const q3 = quantile(measured, 0.75);
  const distanceThreshold = q3 + (1 / OUTLIER_THRESHOLD - 1) * (q3 - q1);
  const scores = new Float32Array(count).fill(1);
  for (const row of rows) scores[row] = Math.exp(-distances[row] / median);
  return {
    distances,
    scores,
    threshold: Math.exp(-distanceThreshold / median),
    distanceThreshold,
    k: used,
    reference: neighbours.reference.length,
  };
}
