/**
 * From per-sample scores to flags, for every health issue type alike: flag below the threshold, and
 * when a type fires on more than {@link MAX_ISSUE_PREVALENCE} of the dataset, call it a property of
 * the dataset (no per-image flags) — a dataset whose images are all dark is a dark dataset.
 */

/**
 * Share above which a type is a dataset property: Datalab's IMAGELAB_ISSUES_MAX_PREVALENCE (0.1),
 * the share past which cleanlab stops listing CleanVision issues image by image.
 */
export const MAX_ISSUE_PREVALENCE = 0.1;

/** One issue type's flags over the dataset. */
export interface IssueFlags {
  /** The threshold applied to the scores (flag when a score is below it). */
  readonly threshold: number;
  /** Samples whose score is below the threshold. */
  readonly count: number;
  /** `count` over the samples scored. */
  readonly share: number;
  /** True when `share` is above {@link MAX_ISSUE_PREVALENCE}: then `flagged` is empty. */
  readonly datasetProperty: boolean;
  /** Rows flagged, worst (lowest score) first; empty for a dataset property. */
  readonly flagged: Int32Array;
}

/**
 * Flags the rows whose score is below `threshold`.
 *
 * @param scores `(N,)`, lower is worse.
 * @param threshold Flag when `score < threshold`.
 * @param options `fence`: also require the score below Tukey's far-out fence Q1 − 3·IQR of `scores`
 *   (the dataset's own extreme low end), but never below `fence` itself: a type that is relative to
 *   the dataset does not flag its ordinary images, and a score under `fence` is flagged in any dataset.
 */
export function flagIssues(scores: Float32Array, threshold: number, options: { fence?: number } = {}): IssueFlags {
  const effective =
    options.fence === undefined ? threshold : Math.min(threshold, Math.max(options.fence, lowerFence(scores, 3)));
  const rows: number[] = [];
  for (let row = 0; row < scores.length; row++) if (scores[row] < effective) rows.push(row);
  const share = scores.length === 0 ? 0 : rows.length / scores.length;
  const datasetProperty = share > MAX_ISSUE_PREVALENCE;
  const flagged = datasetProperty
    ? new Int32Array(0)
    : Int32Array.from(rows.sort((a, b) => scores[a] - scores[b] || a - b));
  return { threshold: effective, count: rows.length, share, datasetProperty, flagged };
}

/** Q1 − scale·IQR of the values (Tukey's lower fence at 1.5, his far-out fence at 3). */
export function lowerFence(values: Float32Array, scale: number): number {
  if (values.length === 0) return -Infinity;
  const sorted = Float32Array.from(values).sort();
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return q1 - scale * (q3 - q1);
}

/** The `q` quantile of sorted values, interpolated linearly (numpy's default). */
export function quantile(sorted: Float32Array | Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (at - below) * (sorted[above] - sorted[below]);
}
