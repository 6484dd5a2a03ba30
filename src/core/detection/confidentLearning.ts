/**
 * Confident learning: estimating which labels are wrong from out-of-sample predicted probabilities,
 * after Northcutt, Jiang & Chuang 2021, "Confident Learning: Estimating Uncertainty in Dataset
 * Labels" (JAIR 70). Notation follows the paper: ỹ is the given (noisy) label, y* the true one;
 * matrices are `K × K`, row-major, rows indexed by ỹ and columns by y*.
 *
 * Probabilities must be out of sample (k-fold cross-fitting, `crossFit.ts`): a model that trained
 * on a sample has fit its label, right or wrong, and would report no errors.
 */
import { AuditError } from '../errors';

/** The counting half of confident learning (paper §3.1–3.2). */
export interface ConfidentJoint {
  /** `(K,)` per-class thresholds t_j: mean p̂_j over the samples labelled j. */
  readonly thresholds: Float64Array;
  /** `(K·K)` confident joint C[ỹ][y*]: counts of samples labelled ỹ confidently in class y*. */
  readonly counts: Float64Array;
  /**
   * `(N,)` the class each sample is confidently in (the most probable class at or above its
   * threshold), or -1 when no class reaches its threshold.
   */
  readonly confidentClass: Int32Array;
}

/** The calibrated estimates derived from the confident joint (paper §3.2, eq. 3 and after). */
export interface NoiseEstimate {
  /** `(K·K)` calibrated joint Q[ỹ][y*], summing to 1. */
  readonly joint: Float64Array;
  /** `(K·K)` estimated number of samples given label ỹ whose true label is y*: N·Q. */
  readonly counts: Float64Array;
  /** `(K·K)` noise matrix P(ỹ = i | y* = j), entry `i·K + j`; each column sums to 1. */
  readonly noiseMatrix: Float64Array;
  /** Estimated share of wrong labels: 1 − trace(Q). */
  readonly noiseRate: number;
}

/**
 * Per-class thresholds t_j = mean of p̂(ỹ = j; x) over the samples x labelled j: the model's
 * expected self-confidence for class j, which absorbs class-dependent over- or under-confidence.
 *
 * @param labels Given class ids, `(N,)`.
 * @param probabilities `(N, K)` out-of-sample probabilities.
 * @returns `(K,)` thresholds; a class no sample is labelled with gets 1, so only a certain
 *   prediction can count a sample in it.
 */
export function perClassThresholds(labels: Int32Array, probabilities: Float32Array, numClasses: number): Float64Array {
  checkInputs(labels, probabilities, numClasses);
  const sums = new Float64Array(numClasses);
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    sums[labels[i]] += probabilities[i * numClasses + labels[i]];
    counts[labels[i]]++;
  }
  return sums.map((sum, j) => (counts[j] === 0 ? 1 : sum / counts[j]));
}

/**
 * The confident joint C[ỹ][y*] (paper eq. 1): a sample labelled i counts in cell (i, j) when
 * p̂_j(x) ≥ t_j; when several classes reach their thresholds, the most probable of them wins, so
 * each sample counts at most once.
 *
 * @param labels Given class ids, `(N,)`.
 * @param probabilities `(N, K)` out-of-sample probabilities.
 * @param thresholds `(K,)` from {@link perClassThresholds} (computed here when omitted).
 */
export function confidentJoint(
  labels: Int32Array,
  probabilities: Float32Array,
  numClasses: number,
  thresholds?: Float64Array,
): ConfidentJoint {
  checkInputs(labels, probabilities, numClasses);
  const t = thresholds ?? perClassThresholds(labels, probabilities, numClasses);
  const counts = new Float64Array(numClasses * numClasses);
  const confidentClass = new Int32Array(labels.length).fill(-1);
  for (let i = 0; i < labels.length; i++) {
    let best = -1;
    let bestP = -1;
    for (let j = 0; j < numClasses; j++) {
      const p = probabilities[i * numClasses + j];
      // A float-rounding tolerance, so a sample exactly at its class mean counts.
      if (p >= t[j] - 1e-7 && p > bestP) {
        best = j;
        bestP = p;
      }
    }
    confidentClass[i] = best;
    if (best >= 0) counts[labels[i] * numClasses + best]++;
  }
  return { thresholds: t, counts, confidentClass };
}

/**
 * Calibrates the confident joint so each row sums to the number of samples given that label
 * (paper eq. 2), normalizes it to the joint Q (eq. 3), and derives the noise matrix.
 *
 * @param labels Given class ids, `(N,)` (their class counts calibrate the rows).
 * @param counts `(K·K)` confident joint from {@link confidentJoint}.
 */
export function estimateNoise(labels: Int32Array, counts: Float64Array, numClasses: number): NoiseEstimate {
  if (counts.length !== numClasses * numClasses) {
    throw new RangeError(`Expected a ${numClasses}×${numClasses} confident joint, but got ${counts.length} values.`);
  }
  const given = new Float64Array(numClasses);
  for (const label of labels) given[label]++;
  const calibrated = new Float64Array(numClasses * numClasses);
  for (let i = 0; i < numClasses; i++) {
    let rowSum = 0;
    for (let j = 0; j < numClasses; j++) rowSum += counts[i * numClasses + j];
    // No sample labelled i was confident anywhere: no evidence of noise, so assume the labels hold.
    if (rowSum === 0) calibrated[i * numClasses + i] = given[i];
    else
      for (let j = 0; j < numClasses; j++)
        calibrated[i * numClasses + j] = (counts[i * numClasses + j] / rowSum) * given[i];
  }
  const total = labels.length;
  const joint = calibrated.map((c) => (total === 0 ? 0 : c / total));
  const noiseMatrix = new Float64Array(numClasses * numClasses);
  for (let j = 0; j < numClasses; j++) {
    let column = 0;
    for (let i = 0; i < numClasses; i++) column += joint[i * numClasses + j];
    for (let i = 0; i < numClasses; i++)
      noiseMatrix[i * numClasses + j] = column === 0 ? Number(i === j) : joint[i * numClasses + j] / column;
  }
  let trace = 0;
  for (let i = 0; i < numClasses; i++) trace += joint[i * numClasses + i];
  return { joint, counts: calibrated, noiseMatrix, noiseRate: 1 - trace };
}

/**
 * "Prune by noise rate" (paper §3.3, method 3): for every off-diagonal cell (i, j) of the calibrated
 * joint, the round(N·Q[i][j]) samples labelled i with the largest margin p̂_j − p̂_i are label
 * errors. A sample picked by several cells is counted once.
 *
 * @param labels Given class ids, `(N,)`.
 * @param probabilities `(N, K)` out-of-sample probabilities.
 * @param estimate From {@link estimateNoise}.
 * @returns `(N,)` 1 where the label is judged wrong.
 */
export function pruneByNoiseRate(
  labels: Int32Array,
  probabilities: Float32Array,
  numClasses: number,
  estimate: NoiseEstimate,
): Uint8Array {
  checkInputs(labels, probabilities, numClasses);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let x = 0; x < labels.length; x++) byClass[labels[x]].push(x);
  const issues = new Uint8Array(labels.length);
  for (let i = 0; i < numClasses; i++) {
    const members = byClass[i];
    for (let j = 0; j < numClasses; j++) {
      if (j === i) continue;
      const take = Math.min(members.length, Math.round(estimate.counts[i * numClasses + j]));
      if (take === 0) continue;
      const margin = (x: number) => probabilities[x * numClasses + j] - probabilities[x * numClasses + i];
      const ranked = [...members].sort((a, b) => margin(b) - margin(a) || a - b);
      for (let r = 0; r < take; r++) issues[ranked[r]] = 1;
    }
  }
  return issues;
}

/** Everything confident learning says about a dataset. */
export interface ConfidentLearningResult extends ConfidentJoint {
  readonly estimate: NoiseEstimate;
  /** `(N,)` 1 where {@link pruneByNoiseRate} judges the label wrong. */
  readonly issues: Uint8Array;
}

/**
 * Confident learning end to end: thresholds, confident joint, calibrated joint and noise matrix,
 * and the label issues found by pruning by noise rate.
 *
 * @param labels Given class ids, `(N,)`, each in `[0, K)`.
 * @param probabilities `(N, K)` row-major out-of-sample probabilities.
 * @param numClasses `K` (≥ 2).
 */
export function confidentLearning(
  labels: Int32Array,
  probabilities: Float32Array,
  numClasses: number,
): ConfidentLearningResult {
  const joint = confidentJoint(labels, probabilities, numClasses);
  const estimate = estimateNoise(labels, joint.counts, numClasses);
  return { ...joint, estimate, issues: pruneByNoiseRate(labels, probabilities, numClasses, estimate) };
}

function checkInputs(labels: Int32Array, probabilities: Float32Array, numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new AuditError('badOption', `Expected numClasses to be an integer ≥ 2, but got ${numClasses}.`);
  if (probabilities.length !== labels.length * numClasses) {
    throw new RangeError(
      `Expected probabilities of shape (${labels.length}, ${numClasses}) = ${labels.length * numClasses} values, but got ${probabilities.length}.`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i] >= 0 && labels[i] < numClasses))
      throw new RangeError(`Expected labels[${i}] to be a class id in 0..${numClasses - 1}, but got ${labels[i]}.`);
  }
}
