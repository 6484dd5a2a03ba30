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

import { forEachSimilarityBlock } from '../detection/similarityBlocks';
import { quantile } from './issueFlags';
import { Random } from '../training/random';

/** cleanlab's default number of neighbours for out-of-distribution scores. */
export const OUTLIER_NEIGHBOURS = 10;

/** Datalab's default outlier threshold for features: the IQR scale is 1/0.37 − 1 ≈ 1.70. */
export const OUTLIER_THRESHOLD = 0.37;

/**
 * Most images every image is compared with. Past this the neighbours are searched among a seeded
 * random sample of this many images: the search then costs N × 10 000 dot products instead of N²
 * (60 000 images: 6·10⁸ instead of 3.6·10⁹), and the threshold, set from the distances' own
 * quartiles, adapts to the sparser reference.
 */
export const MAX_OUTLIER_REFERENCE = 10_000;

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
 * @param options `covered`: `(N,)`, 0 for rows without an embedding (scored 1, never flagged, no one's
 *   neighbour); `k`, `maxReference`, `seed` as in the constants above.
 */
export function outlierScores(
  embeddings: Float32Array,
  dim: number,
  options: { covered?: Uint8Array; k?: number; maxReference?: number; seed?: number } = {},
): OutlierScores {
  const count = embeddings.length / dim;
  if (!Number.isInteger(count)) throw new RangeError(`embeddings: ${embeddings.length} values is not N × ${dim}`);
  const covered = options.covered;
  const rows = Int32Array.from({ length: count }, (_, i) => i).filter((i) => !covered || covered[i] === 1);
  const reference = sampleRows(rows, options.maxReference ?? MAX_OUTLIER_REFERENCE, options.seed ?? 1);
  const k = Math.max(1, Math.min(options.k ?? OUTLIER_NEIGHBOURS, reference.length - 1));
  const distances = new Float32Array(count);
  if (rows.length > 1) meanNearestDistances(embeddings, dim, rows, reference, k, distances);
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
    k,
    reference: reference.length,
  };
}

/** Fills `into[row]` with the mean distance of each query row to its k nearest reference rows (itself excluded). */
function meanNearestDistances(
  embeddings: Float32Array,
  dim: number,
  queries: Int32Array,
  reference: Int32Array,
  k: number,
  into: Float32Array,
): void {
  const best = new Float64Array(k);
  forEachSimilarityBlock(embeddings, dim, queries, reference, (values, part) => {
    for (let j = 0; j < part.length; j++) {
      best.fill(-Infinity);
      const base = j * reference.length;
      for (let m = 0; m < reference.length; m++) {
        const value = values[base + m];
        if (value <= best[k - 1] || reference[m] === part[j]) continue;
        let at = k - 1;
        while (at > 0 && best[at - 1] < value) {
          best[at] = best[at - 1];
          at--;
        }
        best[at] = value;
      }
      let sum = 0;
      for (let n = 0; n < k; n++) sum += Math.min(2, Math.max(0, 1 - best[n]));
      into[part[j]] = sum / k;
    }
  });
}

/** `rows` when there are at most `max`, else a seeded random `max` of them in ascending order. */
function sampleRows(rows: Int32Array, max: number, seed: number): Int32Array {
  if (rows.length <= max) return rows;
  const random = new Random(seed);
  const picked = Int32Array.from(rows);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random.next() * (picked.length - i));
    [picked[i], picked[j]] = [picked[j], picked[i]];
  }
  return picked.subarray(0, max).sort();
}
