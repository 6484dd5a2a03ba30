/**
 * How many label errors the audit missed, estimated from a spot check: the reviewer looked at a
 * random sample of the images the audit did not flag and found some of them wrong. Pure arithmetic,
 * unit-tested against published interval values (test/unit/webview/missRate.unit.test.ts).
 */

/** z for a two-sided 95% interval: the 97.5th percentile of the standard normal. */
const Z_95 = 1.959963984540054;

/** A proportion with its confidence interval, all in [0, 1]. */
export interface ProportionInterval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/**
 * The Wilson score interval for a binomial proportion (Wilson 1927; "method 3" in Newcombe 1998).
 *
 * Chosen over the textbook Wald interval p ± z·√(p(1−p)/n) because a spot check usually finds few or
 * no errors, and there Wald collapses to [0, 0] ("no errors, so certainly none"), while Wilson still
 * says how many errors a sample of this size could have missed. Closer to nominal coverage than
 * Clopper–Pearson, which is conservative, and needs no inverse beta function.
 *
 * @param successes - Events counted (errors found), an integer in [0, trials].
 * @param trials - Samples checked, a positive integer.
 * @param z - Normal quantile; default 1.96 (95%).
 * @returns The observed proportion and the interval around it.
 * @throws RangeError naming the bad argument.
 */
export function wilsonInterval(successes: number, trials: number, z: number = Z_95): ProportionInterval {
  if (!Number.isInteger(trials) || trials <= 0)
    throw new RangeError(`Expected trials to be a positive integer, but got ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`Expected successes to be an integer in [0, ${trials}], but got ${successes}`);
  }
  if (!(z > 0)) throw new RangeError(`Expected z to be positive, but got ${z}`);
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // At 0 or n successes the bound is exactly 0 or 1; rounding must not put it a hair beyond.
  return {
    estimate: p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}

/** What a spot check says about the errors the audit missed. */
export interface MissEstimate {
  /** Images checked (decided) in the spot-check sample. */
  readonly checked: number;
  /** Of those, the ones the reviewer relabeled or removed: errors the audit did not flag. */
  readonly errors: number;
  /** Share of errors among unflagged images, with its 95% Wilson interval. */
  readonly rate: ProportionInterval;
  /** The rate carried over to every unflagged image: the estimated count of missed errors, and its interval. */
  readonly missed: { readonly estimate: number; readonly low: number; readonly high: number };
}

/**
 * The miss rate of the audit from a spot check, extrapolated to the whole unflagged set.
 *
 * The sample is drawn without replacement from `unflaggedTotal` images; the binomial interval
 * ignores that (no finite-population correction), which errs on the wide side, as a reviewer wants.
 *
 * @param errors - Checked images that were wrong (relabeled or removed).
 * @param checked - Checked images.
 * @param unflaggedTotal - Images the audit did not flag, the population the sample came from.
 * @returns undefined until at least one image is checked.
 */
export function estimateMisses(errors: number, checked: number, unflaggedTotal: number): MissEstimate | undefined {
  if (checked === 0) return undefined;
  if (!Number.isInteger(unflaggedTotal) || unflaggedTotal < checked) {
    throw new RangeError(`Expected unflaggedTotal to be an integer of at least ${checked}, but got ${unflaggedTotal}`);
  }
  const rate = wilsonInterval(errors, checked);
  // The errors found are certain; the rest of the population is what the interval speaks for.
  const rest = unflaggedTotal - checked;
  return {
    checked,
    errors,
    rate,
    missed: {
      estimate: errors + rest * rate.estimate,
      low: errors + rest * rate.low,
      high: errors + rest * rate.high,
    },
  };
}
