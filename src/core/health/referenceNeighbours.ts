/**
 * Each image's nearest neighbours among a reference set of images, in the embeddings: the one
 * search behind the outlier scores (outliers.ts) and the embedding map (embeddingMap.ts), so the map
 * costs no second pass over N × reference dot products.
 */

import { forEachSimilarityBlock } from '../detection/similarityBlocks';
import { Random } from '../training/random';

/**
 * Most images every image is compared with. Past this the neighbours are searched among a seeded
 * random sample of this many images: the search then costs N × 10 000 dot products instead of N²
 * (60 000 images: 6·10⁸ instead of 3.6·10⁹), and the outlier threshold, set from the distances'
 * own quartiles, adapts to the sparser reference.
 */
export const MAX_REFERENCE = 10_000;

/** What {@link referenceNeighbours} returns. */
export interface ReferenceNeighbours {
  /** Rows that have an embedding, ascending. */
  readonly rows: Int32Array;
  /** Rows searched as neighbours: all of `rows` up to {@link MAX_REFERENCE}, else a seeded sample, ascending. */
  readonly reference: Int32Array;
  /** Neighbours kept per row. */
  readonly k: number;
  /** `(N, k)` rows of each row's nearest reference images, nearest first, never itself; -1 past the end or for rows without an embedding. */
  readonly indices: Int32Array;
  /** `(N, k)` their cosine similarities. */
  readonly similarities: Float32Array;
}

/**
 * The `k` nearest reference images of every row of `embeddings`.
 *
 * @param embeddings Row-major `(N, dim)` unit-length vectors (a dot product is the cosine similarity).
 * @param options `covered`: `(N,)`, 0 for rows without an embedding (no neighbours, no one's
 *   neighbour); `maxReference`, `seed` as in {@link MAX_REFERENCE}.
 */
export function referenceNeighbours(
  embeddings: Float32Array,
  dim: number,
  k: number,
  options: { covered?: Uint8Array; maxReference?: number; seed?: number } = {},
): ReferenceNeighbours {
  const count = embeddings.length / dim;
  if (!Number.isInteger(count)) throw new RangeError(`embeddings: ${embeddings.length} values is not N × ${dim}`);
  const covered = options.covered;
  const rows = Int32Array.from({ length: count }, (_, i) => i).filter((i) => !covered || covered[i] === 1);
  const reference = sampleRows(rows, options.maxReference ?? MAX_REFERENCE, options.seed ?? 1);
  const kept = Math.max(1, Math.min(k, reference.length - 1));
  const indices = new Int32Array(count * kept).fill(-1);
  const similarities = new Float32Array(count * kept).fill(-Infinity);
  if (rows.length > 1) {
    forEachSimilarityBlock(embeddings, dim, rows, reference, (values, part) => {
      for (let j = 0; j < part.length; j++) {
        const at0 = part[j] * kept;
        const base = j * reference.length;
        for (let m = 0; m < reference.length; m++) {
          const value = values[base + m];
          // An insertion into the sorted top k: cheap, as most candidates fail the first test.
          if (value <= similarities[at0 + kept - 1] || reference[m] === part[j]) continue;
          let at = kept - 1;
          while (at > 0 && similarities[at0 + at - 1] < value) {
            similarities[at0 + at] = similarities[at0 + at - 1];
            indices[at0 + at] = indices[at0 + at - 1];
            at--;
          }
          similarities[at0 + at] = value;
          indices[at0 + at] = reference[m];
        }
      }
    });
  }
  return { rows, reference, k: kept, indices, similarities };
}

/** Cosine distance of a similarity, clamped to [0, 2] against rounding. */
export function cosineDistance(similarity: number): number {
  return Math.min(2, Math.max(0, 1 - similarity));
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
