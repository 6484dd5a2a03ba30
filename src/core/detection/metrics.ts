/**
 * Detection quality against a known answer (injected noise): used by the benchmarks and the tests
 * that check the audit finds the labels we broke on purpose.
 */

/** Precision, recall and F1 of boolean flags against the truth. */
export interface DetectionQuality {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly flagged: number;
  readonly truePositives: number;
  /** Share of clean samples that were flagged. */
  readonly falsePositiveRate: number;
}

/**
 * @param flagged `(N,)` 1/true where a sample was flagged.
 * @param isError `(N,)` 1/true where the label really is wrong.
 */
export function detectionQuality(
  flagged: ArrayLike<number | boolean>,
  isError: ArrayLike<number | boolean>,
): DetectionQuality {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let clean = 0;
  for (let i = 0; i < flagged.length; i++) {
    const f = Boolean(flagged[i]);
    const e = Boolean(isError[i]);
    if (!e) clean++;
    if (f && e) tp++;
    else if (f) fp++;
    else if (e) fn++;
  }
  // An empty flag set is perfectly precise: nothing it says is wrong.
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    precision,
    recall,
    f1,
    flagged: tp + fp,
    truePositives: tp,
    falsePositiveRate: clean === 0 ? 0 : fp / clean,
  };
}

/**
 * Area under the ROC curve of `scores` (higher = more likely an error) against `isError`: the
 * probability that a random wrong label scores above a random right one (ties count half).
 * Returns NaN when either group is empty.
 */
export function auroc(scores: ArrayLike<number>, isError: ArrayLike<number | boolean>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  // Average ranks over tied scores (Mann–Whitney U).
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end + 2) / 2;
    for (let k = start; k <= end; k++) {
      if (isError[order[k]]) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Share of samples whose arg-max class under `probabilities` `(N, K)` equals `labels`. */
export function accuracy(probabilities: Float32Array, labels: ArrayLike<number>, numClasses: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) {
      if (probabilities[i * numClasses + k] > probabilities[i * numClasses + best]) best = k;
    }
    if (best === labels[i]) correct++;
  }
  return labels.length === 0 ? Number.NaN : correct / labels.length;
}
