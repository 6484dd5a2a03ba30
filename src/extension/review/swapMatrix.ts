import type { AuditReport } from '../../core/report';
import type { SwapMatrixView } from '../../protocol/webview';

/**
 * The class-swap counts the review panel's heatmap shows. The report's `noiseMatrix` (the estimated
 * given → true label counts) is preferred when it comes from out-of-sample probabilities (methods
 * 'confident-learning' and 'fused') and fits the report's classes. The 'in-sample' estimate of the
 * mixup method is rougher than the audit's own flags, whose counts also match what a click shows. Otherwise
 * the same shape is counted from the audit's own verdicts: counts[given][suggested] for the flagged
 * samples, and on the diagonal the samples of each class that were not flagged. Pure, for tests.
 *
 * @returns The matrix, or undefined when the report has no samples to count.
 */
export function swapMatrix(report: AuditReport): SwapMatrixView | undefined {
  const classes = report.dataset.classes;
  const estimate = report.noiseMatrix;
  if (estimate?.source === 'out-of-sample' && fits(estimate, classes)) {
    // Reordered to the dataset's class order, which the grid's filters use.
    const index = classes.map((name) => estimate.classes.indexOf(name));
    return {
      classes,
      counts: index.map((row) => index.map((column) => estimate.counts[row][column])),
      source: 'noiseMatrix',
    };
  }
  if (report.samples.length === 0) return undefined;
  const id = new Map(classes.map((name, i) => [name, i]));
  const counts = classes.map(() => classes.map(() => 0));
  for (const sample of report.samples) {
    const given = id.get(sample.givenLabel);
    const suggested = sample.flagged ? id.get(sample.suggestedLabel) : given;
    if (given !== undefined && suggested !== undefined) counts[given][suggested]++;
  }
  return { classes, counts, source: 'flagged' };
}

/** The estimate names exactly the report's classes (in any order) and is square with counts. */
function fits(estimate: NonNullable<AuditReport['noiseMatrix']>, classes: readonly string[]): boolean {
  const k = classes.length;
  return (
    estimate.classes.length === k &&
    classes.every((name) => estimate.classes.includes(name)) &&
    estimate.counts.length === k &&
    estimate.counts.every((row) => row.length === k && row.every((n) => Number.isFinite(n) && n >= 0))
  );
}
