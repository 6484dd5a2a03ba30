/**
 * The first two principal components of a set of embedding rows, by subspace iteration: the map of a
 * dataset too small for UMAP, and UMAP's starting layout (a structured start converges faster and
 * keeps the clusters' global arrangement better than a random one; Kobak & Linderman 2021).
 */

import { Random } from '../../training/random';

/** Subspace iterations: enough for a starting layout, where an exact eigenvector buys nothing. */
const ITERATIONS = 12;

/**
 * `(rows.length, 2)` coordinates of `rows` on their first two principal axes.
 * @param embeddings Row-major `(N, dim)`.
 */
export function principalComponents(
  embeddings: Float32Array,
  dim: number,
  rows: Int32Array,
  seed: number,
): Float32Array {
  const n = rows.length;
  const mean = new Float64Array(dim);
  for (const row of rows) for (let d = 0; d < dim; d++) mean[d] += embeddings[row * dim + d] / n;
  const random = new Random(seed);
  let axes = Float64Array.from({ length: dim * 2 }, () => random.normal());
  orthonormalise(axes, dim);
  const projected = new Float64Array(n * 2);
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    project(embeddings, dim, rows, mean, axes, projected);
    // axes ← Xᵀ·(X·axes), then orthonormalised: one step of the power method on both axes at once.
    const next = new Float64Array(dim * 2);
    for (let i = 0; i < n; i++) {
      const base = rows[i] * dim;
      const p0 = projected[i * 2];
      const p1 = projected[i * 2 + 1];
      for (let d = 0; d < dim; d++) {
        const centred = embeddings[base + d] - mean[d];
        next[d * 2] += centred * p0;
        next[d * 2 + 1] += centred * p1;
      }
    }
    axes = next;
    orthonormalise(axes, dim);
  }
  project(embeddings, dim, rows, mean, axes, projected);
  return Float32Array.from(projected);
}

/** `into[i] = (rows[i] − mean) · axes`, both axes. */
function project(
  embeddings: Float32Array,
  dim: number,
  rows: Int32Array,
  mean: Float64Array,
  axes: Float64Array,
  into: Float64Array,
): void {
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i] * dim;
    let p0 = 0;
    let p1 = 0;
    for (let d = 0; d < dim; d++) {
      const centred = embeddings[base + d] - mean[d];
      p0 += centred * axes[d * 2];
      p1 += centred * axes[d * 2 + 1];
    }
    into[i * 2] = p0;
    into[i * 2 + 1] = p1;
  }
}

/** Gram–Schmidt on the two interleaved columns of a `(dim, 2)` matrix. */
function orthonormalise(axes: Float64Array, dim: number): void {
  const norm = (column: number) => {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += axes[d * 2 + column] ** 2;
    const scale = 1 / (Math.sqrt(sum) || 1);
    for (let d = 0; d < dim; d++) axes[d * 2 + column] *= scale;
  };
  norm(0);
  let dot = 0;
  for (let d = 0; d < dim; d++) dot += axes[d * 2] * axes[d * 2 + 1];
  for (let d = 0; d < dim; d++) axes[d * 2 + 1] -= dot * axes[d * 2];
  norm(1);
}
