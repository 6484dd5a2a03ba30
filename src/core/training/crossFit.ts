/**
 * k-fold cross-fitting: out-of-sample class probabilities for every image, the input confident
 * learning needs (Northcutt et al. 2021, §3: probabilities must come from a model that did not
 * train on the sample, or it would vouch for the labels it memorized).
 */
import type { ModelJob, ModelOutput } from './modelRunner';
import { Random } from './random';
import type { TrainConfig } from './train';
import type { ImageSet } from '../shared/types';

/**
 * Splits `N` samples into `k` folds, stratified by given label: each class is shuffled and dealt
 * round-robin, so every fold holds about `1/k` of every class and every model sees all classes.
 *
 * @param labels Given class ids, `(N,)`.
 * @param k Number of folds, ≥ 2.
 * @param seed Same seed, same folds.
 * @returns The fold of each sample, `(N,)`, values in `[0, k)`.
 */
export function assignFolds(labels: Int32Array, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`Expected k to be an integer ≥ 2, but got ${k}.`);
  const random = new Random(seed);
  const fold = new Int32Array(labels.length);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]);
    if (members) members.push(i);
    else byClass.set(labels[i], [i]);
  }
  // Continue the deal where the previous class stopped, so small classes do not all start in fold 0.
  let next = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    for (const i of random.shuffle(byClass.get(label)!)) fold[i] = next++ % k;
  }
  return fold;
}

/**
 * One training job per fold: train on the other folds' rows, score the fold's own rows.
 *
 * @param config Training of every fold model; its `sampleSteps` is ignored in favour of
 *   `epochs × (rows trained on)`, and each fold gets its own seed.
 */
export function foldJobs(
  images: ImageSet,
  labels: Int32Array,
  numClasses: number,
  fold: Int32Array,
  k: number,
  config: Omit<TrainConfig, 'sampleSteps'>,
  epochs: number,
): ModelJob[] {
  return Array.from({ length: k }, (_, f) => {
    const heldOutRows = rowsWhere(fold, (v) => v === f);
    const trainRows = rowsWhere(fold, (v) => v !== f);
    return {
      images,
      labels,
      numClasses,
      config: { ...config, seed: config.seed + 101 * (f + 1), sampleSteps: Math.round(epochs * trainRows.length) },
      fold: { trainRows, heldOutRows },
    };
  });
}

/**
 * Puts each fold model's held-out probabilities back in sample order.
 *
 * @param jobs The jobs of {@link foldJobs}.
 * @param outputs Their outputs, in the same order.
 * @returns `(N, K)` out-of-sample probabilities.
 */
export function gatherOutOfSample(
  jobs: readonly ModelJob[],
  outputs: readonly ModelOutput[],
  count: number,
  numClasses: number,
): Float32Array {
  const out = new Float32Array(count * numClasses);
  jobs.forEach((job, f) => {
    const rows = job.fold!.heldOutRows;
    const probabilities = outputs[f].probabilities;
    for (let r = 0; r < rows.length; r++)
      out.set(probabilities.subarray(r * numClasses, (r + 1) * numClasses), rows[r] * numClasses);
  });
  return out;
}

function rowsWhere(fold: Int32Array, keep: (value: number) => boolean): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < fold.length; i++) if (keep(fold[i])) rows.push(i);
  return Int32Array.from(rows);
}
