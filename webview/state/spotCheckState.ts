/**
 * The spot check without a DOM: which sizes to offer, which of the sample's images the reviewer
 * found wrong, and the sentence the panel shows about the errors the audit missed.
 */
import { SPOT_CHECK_SIZES, type Decisions, type SpotCheckPool, type SuspectView } from '../../src/protocol/webview';
import { ownValue } from '../../src/core/shared/ownValue';
import { estimateMisses, type MissEstimate } from './missRate';

/** The default size of a new spot check. */
export const DEFAULT_SPOT_CHECK_SIZE = 100;

/** The sizes worth offering: the standard ones below the population, plus the whole population when it is smaller. */
export function spotCheckSizes(unflaggedTotal: number): number[] {
  const sizes: number[] = SPOT_CHECK_SIZES.filter((n) => n < unflaggedTotal);
  if (unflaggedTotal > 0 && unflaggedTotal <= Math.max(...SPOT_CHECK_SIZES)) sizes.push(unflaggedTotal);
  return sizes;
}

/** The images of a check of `size`: the first ones of the host's seeded order. */
export function spotCheckSamples(pool: SpotCheckPool, size: number): SuspectView[] {
  return pool.samples.slice(0, size);
}

/**
 * The estimate from the reviewer's decisions on the sample: a keep says the label was right, a
 * relabel (to another class) or a removal says the audit missed an error.
 */
export function spotCheckEstimate(
  samples: readonly SuspectView[],
  decisions: Decisions,
  unflaggedTotal: number,
): MissEstimate | undefined {
  let checked = 0;
  let errors = 0;
  for (const s of samples) {
    const decision = ownValue(decisions, s.path);
    if (decision === undefined) continue;
    checked++;
    if (decision.action === 'remove' || (decision.action === 'relabel' && decision.label !== s.givenLabel)) errors++;
  }
  return estimateMisses(errors, checked, unflaggedTotal);
}

/** The panel's sentence about a check: progress, then (once something is checked) the estimate. */
export function spotCheckText(estimate: MissEstimate | undefined, size: number, unflaggedTotal: number): string {
  const population = `${count(unflaggedTotal)} unflagged`;
  if (!estimate)
    return `0 of ${size} checked. Mark each image: K (or Enter) if its label is right, R, a digit or Delete if it is wrong.`;
  const { rate, missed } = estimate;
  return (
    `${estimate.checked} of ${size} checked, ${estimate.errors} wrong. ` +
    `Miss rate ${pct(rate.estimate)} (95% CI ${pct(rate.low)}–${pct(rate.high)}): ` +
    `about ${count(missed.estimate)} missed errors among the ${population} (${count(missed.low)}–${count(missed.high)}).`
  );
}

function pct(p: number): string {
  const value = p * 100;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)}%`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
