/**
 * UMAP's layout (McInnes, Healy & Melville 2018, "UMAP: Uniform Manifold Approximation and
 * Projection"), following umap-learn's reference implementation (umap_.py: smooth_knn_dist,
 * fuzzy_simplicial_set, optimize_layout_euclidean) on typed arrays, from a k-nearest-neighbour
 * graph the audit has already searched.
 *
 * Why not umap-js: measured on 10 000 Fashion-MNIST embeddings with the neighbours given
 * (2026-12-02), umap-js took 9.0 s to build its graph (string-keyed sparse matrices, plus a search
 * index only `transform` needs) and 17.4 s for 200 epochs, at 849 MiB RSS: three times the health
 * checks' whole budget. The same algorithm on flat arrays is what this file is.
 */

import { throwIfAborted } from '../../errors';
import { Random } from '../../training/random';

/**
 * The curve 1 / (1 + a·d²) that says how close the layout packs neighbours: umap-learn's
 * find_ab_params fit for its defaults min_dist = 0.1, spread = 1 with b held at 1 (a free fit gives
 * b = 0.895, a = 1.577). With b = 1 the gradients need no `Math.pow`, which took most of the time:
 * UMAP with b = 1 is the kernel Böhm, Berens & Kobak (2022) study as the t-SNE end of its spectrum.
 */
const CURVE_A = 1.558;
/** umap-learn's defaults: negative samples per positive one, repulsion strength, gradient clip. */
const NEGATIVE_SAMPLE_RATE = 5;
const REPULSION = 1;
const GRADIENT_CLIP = 4;
/** Epochs between progress reports and chances to cancel. */
const EPOCHS_PER_YIELD = 10;

/** A symmetric fuzzy graph: each undirected edge twice, (tail → head) and back. */
export interface FuzzyGraph {
  readonly heads: Int32Array;
  readonly tails: Int32Array;
  readonly weights: Float32Array;
}

/**
 * Each point's membership strengths to its neighbours (umap-learn's smooth_knn_dist): 1 for the
 * nearest, decaying with distance so that they sum to log2(k).
 * @param distances The point's `k` neighbour distances, nearest first; NaN where there is none.
 * @returns `into`, filled with the strengths (0 where there is no neighbour).
 */
export function memberships(distances: Float64Array, into: Float64Array): Float64Array {
  let count = 0;
  let total = 0;
  let rho = 0;
  for (const d of distances) {
    if (Number.isNaN(d)) continue;
    count++;
    total += d;
    if (rho === 0 && d > 0) rho = d;
  }
  into.fill(0);
  if (count === 0) return into;
  // umap-learn's lists hold the point itself first and it sums the other k − 1 against log2(k);
  // ours leave it out, so `count` is its k − 1.
  const target = Math.log2(count + 1);
  let lo = 0;
  let hi = Infinity;
  let sigma = 1;
  for (let iteration = 0; iteration < 64; iteration++) {
    let sum = 0;
    for (const d of distances) if (!Number.isNaN(d)) sum += d > rho ? Math.exp(-(d - rho) / sigma) : 1;
    if (Math.abs(sum - target) < 1e-5) break;
    if (sum > target) {
      hi = sigma;
      sigma = (lo + hi) / 2;
    } else {
      lo = sigma;
      sigma = hi === Infinity ? sigma * 2 : (lo + hi) / 2;
    }
  }
  // umap-learn's floor, so a point in a tight clump of copies does not get a zero scale.
  sigma = Math.max(sigma, 1e-3 * (total / count));
  distances.forEach((d, j) => (into[j] = Number.isNaN(d) ? 0 : d > rho ? Math.exp(-(d - rho) / sigma) : 1));
  return into;
}

/**
 * The fuzzy union of every point's neighbour memberships (w = a + b − a·b), as umap-learn's
 * fuzzy_simplicial_set with its default set_op_mix_ratio of 1.
 * @param neighbours `(n, k)` local indices of each point's neighbours, -1 for none.
 * @param distances `(n, k)` their distances.
 */
export function fuzzyGraph(neighbours: Int32Array, distances: Float32Array, n: number, k: number): FuzzyGraph {
  const union = new Map<number, number>();
  const row = new Float64Array(k);
  const strength = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) row[j] = neighbours[i * k + j] < 0 ? NaN : distances[i * k + j];
    memberships(row, strength);
    for (let j = 0; j < k; j++) {
      const other = neighbours[i * k + j];
      if (other < 0 || other === i || strength[j] <= 0) continue;
      const key = i < other ? i * n + other : other * n + i;
      const before = union.get(key);
      union.set(key, before === undefined ? strength[j] : before + strength[j] - before * strength[j]);
    }
  }
  const heads = new Int32Array(union.size * 2);
  const tails = new Int32Array(union.size * 2);
  const weights = new Float32Array(union.size * 2);
  let at = 0;
  for (const [key, weight] of union) {
    const a = Math.floor(key / n);
    const b = key - a * n;
    heads[at] = a;
    tails[at] = b;
    weights[at++] = weight;
    heads[at] = b;
    tails[at] = a;
    weights[at++] = weight;
  }
  return { heads, tails, weights };
}

/**
 * Moves `layout` (`(n, 2)`, changed in place) to fit `graph`: umap-learn's optimize_layout_euclidean,
 * stochastic gradient descent on the fuzzy cross-entropy with negative sampling, the learning rate
 * falling linearly from 1 to 0.
 */
export async function optimiseLayout(
  layout: Float32Array,
  graph: FuzzyGraph,
  epochs: number,
  options: { seed: number; signal?: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<void> {
  let maxWeight = 0;
  for (const w of graph.weights) maxWeight = Math.max(maxWeight, w);
  // An edge is sampled in proportion to its weight: once every epochsPerSample epochs (umap-learn's
  // make_epochs_per_sample); edges too weak to be sampled once are never visited.
  const epochsPerSample = Float64Array.from(graph.weights, (w) => (w * epochs >= maxWeight ? maxWeight / w : Infinity));
  const epochsPerNegative = epochsPerSample.map((e) => e / NEGATIVE_SAMPLE_RATE);
  const schedule: Schedule = {
    epochsPerSample,
    epochsPerNegative,
    nextSample: Float64Array.from(epochsPerSample),
    nextNegative: Float64Array.from(epochsPerNegative),
  };
  const positions = Float64Array.from(layout);
  const random = new Random(options.seed);
  for (let epoch = 0; epoch < epochs; epoch++) {
    runEpoch(positions, graph, schedule, epoch, 1 - epoch / epochs, random);
    if ((epoch + 1) % EPOCHS_PER_YIELD === 0) {
      options.onProgress?.((epoch + 1) / epochs);
      // Lets the engine's connection deliver a cancel between rounds of epochs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      throwIfAborted(options.signal);
    }
  }
  layout.set(positions);
}

/** When each edge is next sampled, positively and negatively, and how often. */
interface Schedule {
  readonly epochsPerSample: Float64Array;
  readonly epochsPerNegative: Float64Array;
  readonly nextSample: Float64Array;
  readonly nextNegative: Float64Array;
}

/**
 * One epoch of the descent. A plain function on typed arrays, apart from the async loop above, so
 * that V8 optimises it as a whole (in the async function the same loop ran several times slower).
 */
function runEpoch(
  layout: Float64Array,
  graph: FuzzyGraph,
  schedule: Schedule,
  epoch: number,
  alpha: number,
  random: Random,
): void {
  const { heads, tails } = graph;
  const { epochsPerSample, epochsPerNegative, nextSample, nextNegative } = schedule;
  const n = layout.length / 2;
  const a = CURVE_A;
  for (let e = 0; e < heads.length; e++) {
    if (nextSample[e] > epoch) continue;
    const j = heads[e] * 2;
    const k = tails[e] * 2;
    let x = layout[j];
    let y = layout[j + 1];
    const dx = x - layout[k];
    const dy = y - layout[k + 1];
    const dist2 = dx * dx + dy * dy;
    if (dist2 > 0) {
      // Attraction along the edge: d/dx of log(1 / (1 + a·d²)).
      const coefficient = (-2 * a) / (a * dist2 + 1);
      const gx = clip(coefficient * dx) * alpha;
      const gy = clip(coefficient * dy) * alpha;
      x += gx;
      y += gy;
      layout[k] -= gx;
      layout[k + 1] -= gy;
    }
    nextSample[e] += epochsPerSample[e];
    const negatives = Math.floor((epoch - nextNegative[e]) / epochsPerNegative[e]);
    for (let p = 0; p < negatives; p++) {
      const other = random.int(n) * 2;
      if (other === j) continue;
      const ox = x - layout[other];
      const oy = y - layout[other + 1];
      const d2 = ox * ox + oy * oy;
      // Repulsion from a random point. One exactly on top gets none: pushing copies always towards
      // +x, +y (what older umap-learn did with the clip value) drifts whole clumps of copies.
      if (d2 > 0) {
        const coefficient = (2 * REPULSION) / ((0.001 + d2) * (a * d2 + 1));
        x += clip(coefficient * ox) * alpha;
        y += clip(coefficient * oy) * alpha;
      }
    }
    nextNegative[e] += negatives * epochsPerNegative[e];
    layout[j] = x;
    layout[j + 1] = y;
  }
}

function clip(gradient: number): number {
  return gradient > GRADIENT_CLIP ? GRADIENT_CLIP : gradient < -GRADIENT_CLIP ? -GRADIENT_CLIP : gradient;
}
