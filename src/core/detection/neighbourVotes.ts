/**
 * kNN label agreement: for each image, the labels of its `k` nearest images in an embedding space
 * (the user's model's features). In a space where classes form clusters, an image whose neighbours
 * mostly carry another label is likely mislabeled (cf. SimiFeat, Zhu et al. 2022, and Encord
 * Active's classification quality); the share of neighbours carrying the given label is the signal.
 */
import { nearest } from './neighbours';
import { forEachSimilarityBlock } from './similarityBlocks';

/** Neighbours that vote: measured in bench/ownModel.ts (docs/own-model.md). */
export const DEFAULT_VOTERS = 10;

/** What the neighbours say about each image. */
export interface NeighbourVotes {
  /** `(N, K)` share of each image's `k` nearest neighbours carrying each class (rows sum to 1). */
  readonly votes: Float32Array;
  /** `(N,)` share of them carrying the image's given label. */
  readonly agreement: Float32Array;
  /** `(N,)` cosine distance to the nearest other image (NaN where the image has no embedding). */
  readonly nearestDistance: Float32Array;
  /** `(N,)` row of that nearest image, or -1. */
  readonly nearestRow: Int32Array;
  /**
   * `(N,)` 1 where the image got votes: covered, with at least one other covered image that is not
   * its own copy. The judge weighs kNN evidence only there (an all-zero row is no evidence).
   */
  readonly voted: Uint8Array;
}

/**
 * Label votes of each covered image's `k` nearest covered images (cosine, exact, by blocks of
 * matMul on the current tfjs backend). Uncovered images neither vote nor get votes: their row of
 * `votes` is all zeros and their agreement NaN.
 *
 * @param embeddings `(N, dim)` unit-length rows (zero rows where `covered` is 0).
 * @param labels Given class ids, `(N,)`.
 * @param covered `(N,)` 1 where the image has an embedding.
 * @param copyOf `(N,)` exact-copy set of each row, -1 for none: copies vote once, and never for
 *   themselves (20 000 copies of one image would otherwise fill each other's ballots, issue #18).
 */
export function neighbourVotes(
  embeddings: Float32Array,
  dim: number,
  labels: Int32Array,
  numClasses: number,
  covered: Uint8Array,
  k = DEFAULT_VOTERS,
  copyOf?: Int32Array,
): NeighbourVotes {
  const count = labels.length;
  if (embeddings.length !== count * dim)
    throw new RangeError(`Expected embeddings of shape (${count}, ${dim}), but got ${embeddings.length} values.`);
  const rows = Int32Array.from(Array.from({ length: count }, (_, i) => i).filter((i) => covered[i]));
  const votes = new Float32Array(count * numClasses);
  const agreement = new Float32Array(count).fill(NaN);
  const nearestDistance = new Float32Array(count).fill(NaN);
  const nearestRow = new Int32Array(count).fill(-1);
  const voted = new Uint8Array(count);
  const voters = Math.min(k, rows.length - 1);
  if (voters < 1) return { votes, agreement, nearestDistance, nearestRow, voted };
  forEachSimilarityBlock(embeddings, dim, rows, rows, (block, part) => {
    part.forEach((self, j) => {
      const found = nearest(block.subarray(j * rows.length, (j + 1) * rows.length), rows, voters, self, copyOf);
      if (found.rows.length === 0) return;
      voted[self] = 1;
      for (const row of found.rows) votes[self * numClasses + labels[row]] += 1 / found.rows.length;
      agreement[self] = votes[self * numClasses + labels[self]];
      nearestDistance[self] = found.distances[0];
      nearestRow[self] = found.rows[0];
    });
  });
  return { votes, agreement, nearestDistance, nearestRow, voted };
}
