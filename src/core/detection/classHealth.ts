/**
 * Per-class health of an audit: how many images each class has and how many were flagged, a
 * warning for classes too small for a reliable verdict, the cap that keeps the audit from flagging
 * most of a class, and merge suggestions for class pairs the models mostly confuse with each other.
 */
import type { Verdict } from './flag';

/**
 * A class needs at least this share of the median class's images for a reliable verdict. Measured
 * with bench/rareClass.ts (README, "Rare classes"): 9 classes of 300 MNIST digits and one rare class
 * with a fifth of its images given other labels (and as many others given its label). Of its images
 * given other labels the audit found 0% at 5–20 images, 25% at 40, 19% at 80, 53% at 160 and 60%
 * at 300 (a balanced class); of the others given its label 0–75% (noisy, few) up to 80, 59% at 160
 * and 70% at 300. From half the median class on, the rare class is judged about as well as a full one.
 */
export const RARE_CLASS_MIN_SHARE = 0.5;

/**
 * Fewest images of a class for a reliable verdict, whatever the other classes have. Measured with
 * bench/rareClass.ts on 10 balanced MNIST classes: at 10 images per class the audit rejected all 8
 * clean images of the watched class (and 11% of the others' clean images), at 20 none of its 16 (6%).
 */
export const RARE_CLASS_MIN_IMAGES = 20;

/**
 * Most of a class the audit may flag. Label-error detection rests on the given label being right
 * for most of a class (confident learning calls it a dominant diagonal of the noise matrix: p(true =
 * c | given = c) > ½ is what makes the errors identifiable at all). When the models reject more than
 * half of a class, the likelier explanation is that they never learned the class (too few images, or
 * a class they cannot tell from another), not that most of its labels are wrong; flagging them all
 * would send a reviewer to relabel a whole class by hand. The strongest suspects keep their flags,
 * the rest are held back (listed in the report, not flagged) and the class gets a warning.
 */
export const MAX_CLASS_FLAG_RATE = 0.5;

/**
 * Two classes are suggested for a merge when the estimated swaps in each direction are at least this
 * share of the class they come from: a quarter of each class looking like the other is far above
 * what label noise does between two classes (20% symmetric noise over 10 classes puts ~2% of a class
 * into each other class; 20% pair-flip noise puts 20% one way), and typical of two names for one thing.
 */
export const MERGE_MIN_SHARE = 0.25;

/** The health of one class, as the report lists it. */
export interface ClassHealth {
  readonly name: string;
  /** Images audited with this given label. */
  readonly count: number;
  /** Of those, flagged. */
  readonly flagged: number;
  /** `flagged / count` (0 for an empty class). */
  readonly flagRate: number;
  /** Rejected by the models but not flagged, because the class hit {@link MAX_CLASS_FLAG_RATE}. */
  readonly heldBack: number;
  /** A rare class: the images that would be enough for a reliable verdict (absent when it has them). */
  readonly enough?: number;
  /** Why the verdicts on this class are not reliable, and what would make them so. */
  readonly warning?: string;
}

/** Two classes the models mostly confuse with each other. */
export interface MergeSuggestion {
  /** The smaller class (merge it into `into`)... */
  readonly from: string;
  /** ...and the larger one. */
  readonly into: string;
  /** Estimated samples given `from` that look like `into`, and the reverse. */
  readonly fromToInto: number;
  readonly intoToFrom: number;
  /** Those counts as shares of the class they come from. */
  readonly fromShare: number;
  readonly intoShare: number;
}

/**
 * Unflags the weakest flags of every class whose flags exceed `maxRate` of its images, so that at
 * most `floor(maxRate × count)` members of a class stay flagged: the most suspect ones (highest score).
 *
 * @param verdicts Verdicts of all samples (any order; the order is kept).
 * @param maxRate Largest share of a class that stays flagged, in (0, 1]; default {@link MAX_CLASS_FLAG_RATE}.
 * @returns New verdicts; those unflagged carry `heldBack: true`.
 */
export function capClassFlags(verdicts: readonly Verdict[], maxRate: number = MAX_CLASS_FLAG_RATE): Verdict[] {
  if (!(maxRate > 0 && maxRate <= 1)) throw new RangeError(`maxRate must be in (0, 1], got ${maxRate}`);
  const members = new Map<number, number>();
  const flaggedByClass = new Map<number, Verdict[]>();
  for (const v of verdicts) {
    members.set(v.givenLabel, (members.get(v.givenLabel) ?? 0) + 1);
    if (v.flagged) flaggedByClass.set(v.givenLabel, [...(flaggedByClass.get(v.givenLabel) ?? []), v]);
  }
  const heldBack = new Set<Verdict>();
  for (const [label, flagged] of flaggedByClass) {
    const allowed = Math.floor(maxRate * (members.get(label) ?? 0));
    if (flagged.length <= allowed) continue;
    // Weakest first after the sort: ties go to the later sample, as the ranking's order does.
    const strongestFirst = [...flagged].sort((a, b) => b.score - a.score || a.index - b.index);
    for (const v of strongestFirst.slice(allowed)) heldBack.add(v);
  }
  return verdicts.map((v) => (heldBack.has(v) ? { ...v, flagged: false, heldBack: true } : v));
}

/**
 * Images a class needs for a reliable verdict in a dataset whose median class has `medianCount`:
 * {@link RARE_CLASS_MIN_SHARE} of it, and never fewer than {@link RARE_CLASS_MIN_IMAGES}.
 */
export function enoughImages(medianCount: number): number {
  return Math.max(RARE_CLASS_MIN_IMAGES, Math.ceil(RARE_CLASS_MIN_SHARE * medianCount));
}

/**
 * Counts, flags and warnings per class. A class is rare when it has fewer images than
 * {@link enoughImages} of the median class: the models meet it in too few batches, next to much
 * larger classes, to learn it, so its mislabeled members go unnoticed and its suggestions are rare.
 *
 * @param classes Class names; a verdict's `givenLabel` indexes them.
 * @param verdicts Verdicts after {@link capClassFlags}.
 */
export function classHealth(classes: readonly string[], verdicts: readonly Verdict[]): ClassHealth[] {
  const counts = classes.map(() => ({ count: 0, flagged: 0, heldBack: 0 }));
  for (const v of verdicts) {
    const c = counts[v.givenLabel];
    if (c === undefined) continue;
    c.count++;
    if (v.flagged) c.flagged++;
    if (v.heldBack) c.heldBack++;
  }
  const enough = enoughImages(median(counts.map((c) => c.count)));
  return classes.map((name, i) => {
    const { count, flagged, heldBack } = counts[i];
    const warning = classWarning(name, count, heldBack, enough);
    return {
      name,
      count,
      flagged,
      flagRate: count === 0 ? 0 : flagged / count,
      heldBack,
      ...(count < enough ? { enough } : {}),
      ...(warning ? { warning } : {}),
    };
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function classWarning(name: string, count: number, heldBack: number, enough: number): string | undefined {
  const parts: string[] = [];
  if (count < enough) {
    parts.push(
      `only ${count} image${count === 1 ? '' : 's'} of "${name}": too few next to the other classes for the models to learn it, ` +
        `so its mislabeled images go unnoticed and flags and suggestions on it are unreliable; about ${enough} would be enough (${enough - count} more)`,
    );
  }
  if (heldBack > 0) {
    parts.push(
      `the models reject more than ${Math.round(100 * MAX_CLASS_FLAG_RATE)}% of "${name}", more likely a class they did not learn than wrong labels: ` +
        `only the ${Math.round(100 * MAX_CLASS_FLAG_RATE)}% most suspect are flagged (${heldBack} held back)`,
    );
  }
  return parts.length === 0 ? undefined : `${parts.join('; ')}.`;
}

/**
 * Class pairs the models mostly confuse with each other: both directions of the estimated swaps are
 * at least `minShare` of the class they come from.
 *
 * @param classes Row and column names of `counts`.
 * @param counts `counts[given][true]`, e.g. the report's noise matrix (rows sum to the class sizes).
 * @param minShare Default {@link MERGE_MIN_SHARE}.
 * @returns The pairs, most mutually confused first.
 */
export function suggestMerges(
  classes: readonly string[],
  counts: readonly (readonly number[])[],
  minShare: number = MERGE_MIN_SHARE,
): MergeSuggestion[] {
  const sizes = counts.map((row) => row.reduce((sum, n) => sum + n, 0));
  const suggestions: (MergeSuggestion & { strength: number })[] = [];
  for (let a = 0; a < classes.length; a++) {
    for (let b = a + 1; b < classes.length; b++) {
      const aShare = sizes[a] === 0 ? 0 : counts[a][b] / sizes[a];
      const bShare = sizes[b] === 0 ? 0 : counts[b][a] / sizes[b];
      if (aShare < minShare || bShare < minShare) continue;
      // Merge the smaller class into the larger: fewer labels change, and the name most images carry stays.
      const [from, into] = sizes[a] < sizes[b] ? [a, b] : [b, a];
      const fromShare = from === a ? aShare : bShare;
      const intoShare = from === a ? bShare : aShare;
      suggestions.push({
        from: classes[from],
        into: classes[into],
        fromToInto: counts[from][into],
        intoToFrom: counts[into][from],
        fromShare: round(fromShare),
        intoShare: round(intoShare),
        strength: Math.min(aShare, bShare),
      });
    }
  }
  return suggestions.sort((x, y) => y.strength - x.strength).map(({ strength: _strength, ...rest }) => rest);
}

/**
 * A sample counts as a tie between its given label and the suggested class ({@link mixupTieCounts})
 * when mixup gives the suggestion at least this share of the given label's probability...
 */
export const MIXUP_TIE_RATIO = 0.5;
/**
 * ...and the two together hold at least this much of its probability: mixup is sure the image is one
 * of the two and undecided which. Without it an undertrained mixup model, whose probabilities are flat,
 * ties everything: on the 400 sample digits after 3 epochs (mixup fitting 23% of the labels) 37 of
 * 39 sixes "tied" with 0, none with the two classes above 0.7; digit 1 split into "1" and "one": 58
 * of 60 ones above both bars.
 */
export const MIXUP_TIE_MASS = 0.7;

/**
 * `counts[given][other]`: samples whose suggested class is `other` and that tie it with the given label
 * under mixup ({@link MIXUP_TIE_RATIO}, {@link MIXUP_TIE_MASS}). mixup does not memorize labels, so
 * two names for one kind of image leave it undecided between them on nearly every member, while the
 * noise matrix, estimated on in-sample probabilities of models that learned both names, may see no
 * swap at all; members of a clean class have a runner-up far below their label. Rows sum to the
 * class sizes (the rest of each class on the diagonal), as in a noise matrix.
 *
 * @param verdicts Verdicts of all samples.
 * @param numClasses `K`.
 */
export function mixupTieCounts(verdicts: readonly Verdict[], numClasses: number): number[][] {
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  const sizes = new Array<number>(numClasses).fill(0);
  for (const v of verdicts) {
    sizes[v.givenLabel]++;
    const tie = v.mixupSuggested >= MIXUP_TIE_RATIO * v.mixupGiven && v.mixupSuggested + v.mixupGiven >= MIXUP_TIE_MASS;
    if (v.suggestedLabel !== v.givenLabel && tie) counts[v.givenLabel][v.suggestedLabel]++;
  }
  counts.forEach((row, c) => (row[c] = sizes[c] - row.reduce((sum, n, o) => (o === c ? sum : sum + n), 0)));
  return counts;
}

/** Cell by cell, the larger of two count matrices of the same shape. */
export function largerCounts(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  return a.map((row, i) => row.map((n, j) => Math.max(n, b[i]?.[j] ?? 0)));
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
