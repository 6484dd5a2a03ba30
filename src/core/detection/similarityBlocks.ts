/**
 * Cosine similarities between two sets of embedding rows, one block of queries at a time: the one
 * loop behind the neighbour strips, the kNN label votes, the outlier check and the embedding
 * near-duplicates. Blocked so memory stays bounded at any dataset size; candidates transposed once,
 * so each product is a plain (queries × dim) · (dim × candidates) — the fast path on every backend
 * (wasm's transposed-operand matMul is several times slower, README).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Similarities computed per matMul (4 MiB of float32): bounds the memory of the search. */
export const SIMILARITY_BLOCK = 1 << 20;

/** The vectors of `rows`, copied next to each other so a scan over a class reads memory in order. */
export function packRows(embeddings: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const packed = new Float32Array(rows.length * dim);
  for (let m = 0; m < rows.length; m++) packed.set(embeddings.subarray(rows[m] * dim, (rows[m] + 1) * dim), m * dim);
  return packed;
}

/**
 * Calls `visit` with each block of similarities: `block[j * candidates.length + m]` is the dot
 * product of query row `part[j]` and candidate row `candidates[m]` (cosine, for unit vectors).
 * `start` is `part[0]`'s position in `queries`. `visit` returns false to stop early.
 * The block is only valid during the call. Tensors are freed, also when `visit` throws.
 */
export function forEachSimilarityBlock(
  embeddings: Float32Array,
  dim: number,
  queries: Int32Array,
  candidates: Int32Array,
  visit: (block: Float32Array, part: Int32Array, start: number) => boolean | void,
): void {
  if (queries.length === 0 || candidates.length === 0) return;
  const transposed = tf.tidy(() =>
    tf.transpose(tf.tensor2d(packRows(embeddings, dim, candidates), [candidates.length, dim])),
  );
  try {
    // Enough queries per matMul to keep the kernel busy, few enough that the block stays small.
    const chunk = Math.max(1, Math.floor(SIMILARITY_BLOCK / candidates.length));
    for (let start = 0; start < queries.length; start += chunk) {
      const part = queries.subarray(start, start + chunk);
      const similarity = tf.tidy(() =>
        tf.matMul(tf.tensor2d(packRows(embeddings, dim, part), [part.length, dim]), transposed),
      );
      const block = similarity.dataSync() as Float32Array;
      similarity.dispose();
      if (visit(block, part, start) === false) return;
    }
  } finally {
    transposed.dispose();
  }
}
