import { AuditError } from '../errors';
import { aumSuspicion } from './dynamicsSignals';
import { averageProbabilities, bestOtherClass, givenLabelProbability, suspicionScores } from './score';

/** Whose probabilities score, flag and suggest: the two models averaged, or the mixup model alone. */
export const SCORING_MODELS = ['both', 'mixup'] as const;
export type ScoringModels = (typeof SCORING_MODELS)[number];

/** Thresholds of the flag rule; every field has a default. */
export interface FlagOptions {
  /**
   * 'both' (quick audit): the mean of the ERM and mixup probabilities. Stopped before it
   * memorizes, ERM is a detector too, and the pair beats either alone (bench/quality.ts).
   * 'mixup' (deep audit): the mixup model alone, because the long-trained ERM model has memorized
   * the wrong labels and would vouch for them.
   */
  readonly scoredBy?: ScoringModels;
  /** Flag when the scoring probabilities prefer another class by at least this much probability. Default 0.1. */
  readonly minMargin?: number;
  /** The ERM model "fits" (has learned or memorized) the given label at or above this. Default 0.5. */
  readonly ermFitsAbove?: number;
  /**
   * Flag only samples whose label ERM fits, the paper's strict rule "ERM memorizes it, mixup rejects
   * it". Default false: meaningful after a deep audit, whose ERM model has memorized; a quick
   * audit stops ERM before that, so the rule would hide most wrong labels.
   */
  readonly requireErmFit?: boolean;
  /**
   * Weight of ERM's area under the margin (dynamicsSignals.ts) in the score, when the audit recorded
   * it: score = (1 − w) · models' score + w · logistic(−AUM), flagged by the same `minMargin` rule.
   * Default 0 (an option): at 0.25 it beat the models' score alone on F1 and AUROC on every MNIST
   * noise setting and seed, but not on Fashion-MNIST, where it also flags more clean labels
   * (bench:dynamics, docs/learning-dynamics.md).
   */
  readonly aumWeight?: number;
}

export const DEFAULT_FLAG_OPTIONS: Required<FlagOptions> = {
  scoredBy: 'both',
  minMargin: 0.1,
  ermFitsAbove: 0.5,
  requireErmFit: false,
  aumWeight: 0,
};

/** The verdict on one sample. */
export interface Verdict {
  /** Row of the sample in the inputs. */
  readonly index: number;
  readonly givenLabel: number;
  /** ERM model's probability of the given label. */
  readonly ermGiven: number;
  /** mixup model's probability of the given label. */
  readonly mixupGiven: number;
  /** The class the scoring probabilities prefer among the others: the suggested label. */
  readonly suggestedLabel: number;
  /** mixup model's probability of the suggested label. */
  readonly mixupSuggested: number;
  /** The scoring probability of the suggested label minus that of the given label, in [-1, 1]. */
  readonly margin: number;
  /** Suspicion in [0, 1], `(1 + margin) / 2`: higher = more likely mislabeled. */
  readonly score: number;
  /** ERM fits the given label (p ≥ ermFitsAbove). */
  readonly ermFits: boolean;
  /** mixup gives another class more probability than the given label. */
  readonly mixupRejects: boolean;
  /** The sample is a likely label error. */
  readonly flagged: boolean;
  /** Rejected, but not flagged: its class hit the flag cap (see `capClassFlags` in classHealth.ts). */
  readonly heldBack?: boolean;
  /** With cross-fitting (methods other than 'mixup' alone): each signal's evidence. */
  readonly reasons?: VerdictReasons;
}

/**
 * Why a sample is suspect: each signal and its figures. Score, flag and suggestion of the
 * {@link Verdict} itself follow the audit's method; these show what each signal says on its own.
 */
export interface VerdictReasons {
  /** ERM fits the given label although mixup or the out-of-sample model rejects it. */
  readonly ermMemorized: boolean;
  /** mixup gives another class more probability than the given label. */
  readonly mixupRejects: boolean;
  /** Confident learning on out-of-sample probabilities prunes the label (prune by noise rate). */
  readonly outOfSampleRejects: boolean;
  /** Suspicion in [0, 1] from the ERM and mixup models (the 'mixup' method's score)... */
  readonly ermMixupScore: number;
  /** ...and under the out-of-sample probabilities (the confident-learning score). */
  readonly confidentLearningScore: number;
  /** Out-of-sample probability of the given label (self-confidence). */
  readonly outOfSampleGiven: number;
  /** The class each signal would suggest instead, and whether they agree. */
  readonly ermMixupSuggestion: number;
  readonly confidentLearningSuggestion: number;
  readonly suggestionsAgree: boolean;
  /** The user's --pred-probs file has no row for this image: the out-of-sample figures are the judge's. */
  readonly noOutOfSampleRow?: boolean;
  /** With --embeddings: share of the k nearest images carrying the given label... */
  readonly neighbourAgreement?: number;
  /** ...the suspicion from those shares, as for the other signals... */
  readonly neighbourScore?: number;
  /** ...and the label most of them carry other than the given one. */
  readonly neighbourSuggestion?: number;
}

/**
 * The verdicts of ERM-vs-mixup disagreement alone, one signal of the audit: `judgeSamples`
 * (judge.ts) applies the audit's method on top of it. mixup resists memorizing wrong labels (Zhang et al. 2018) while ERM
 * memorizes them given time, so a label the mixup model rejects — and, in a quick audit, that the
 * not-yet-memorizing ERM model rejects too — is a likely error; a deep audit also tells which of
 * them ERM memorized.
 *
 * @param labels Given class ids, `(N,)`, each in `[0, K)`.
 * @param ermProbabilities `(N, K)` row-major probabilities of the ERM model.
 * @param mixupProbabilities `(N, K)` row-major probabilities of the mixup model.
 * @param numClasses `K` (≥ 2).
 * @param options Thresholds, see {@link FlagOptions}; defaults in {@link DEFAULT_FLAG_OPTIONS}.
 * @param aum `(N,)` ERM's area under the margin, when the audit recorded it: blended into the score
 *   by `options.aumWeight`.
 * @returns One verdict per sample, most suspect first (ties keep input order).
 */
export function ermMixupVerdicts(
  labels: Int32Array,
  ermProbabilities: Float32Array,
  mixupProbabilities: Float32Array,
  numClasses: number,
  options: FlagOptions = {},
  aum?: Float32Array,
): Verdict[] {
  const { scoredBy, minMargin, ermFitsAbove, requireErmFit, aumWeight } = { ...DEFAULT_FLAG_OPTIONS, ...options };
  if (!SCORING_MODELS.includes(scoredBy))
    throw new AuditError('badOption', `Expected scoredBy to be 'both' or 'mixup', but got ${String(scoredBy)}.`);
  if (!(minMargin >= 0 && minMargin <= 1))
    throw new AuditError('badOption', `Expected minMargin to be in [0, 1], but got ${minMargin}.`);
  if (!(ermFitsAbove >= 0 && ermFitsAbove <= 1))
    throw new AuditError('badOption', `Expected ermFitsAbove to be in [0, 1], but got ${ermFitsAbove}.`);
  const scoring = scoredBy === 'both' ? averageProbabilities(ermProbabilities, mixupProbabilities) : mixupProbabilities;
  const ermGiven = givenLabelProbability(ermProbabilities, labels, numClasses);
  const mixupGiven = givenLabelProbability(mixupProbabilities, labels, numClasses);
  const suggestion = bestOtherClass(scoring, labels, numClasses);
  const scores = blendAum(suspicionScores(labels, scoring, numClasses), aum, aumWeight);

  const verdicts: Verdict[] = [];
  for (let i = 0; i < labels.length; i++) {
    const suggested = suggestion.classes[i];
    const mixupSuggested = mixupProbabilities[i * numClasses + suggested];
    const margin = 2 * scores[i] - 1;
    const ermFits = ermGiven[i] >= ermFitsAbove;
    verdicts.push({
      index: i,
      givenLabel: labels[i],
      ermGiven: ermGiven[i],
      mixupGiven: mixupGiven[i],
      suggestedLabel: suggested,
      mixupSuggested,
      margin,
      score: scores[i],
      ermFits,
      mixupRejects: mixupSuggested > mixupGiven[i],
      // A tiny epsilon so that a margin of exactly minMargin (0.7 − 0.6 in floats) counts.
      flagged: margin >= minMargin - 1e-6 && (ermFits || !requireErmFit),
    });
  }
  return verdicts.sort((a, b) => b.score - a.score || a.index - b.index);
}

/** `scores` with ERM's AUM suspicion mixed in by `weight` (in place); unchanged without AUM or at weight 0. */
function blendAum(scores: Float32Array, aum: Float32Array | undefined, weight: number): Float32Array {
  if (!aum || weight === 0) return scores;
  if (aum.length !== scores.length)
    throw new RangeError(`Expected one AUM per sample (${scores.length}), but got ${aum.length}.`);
  const fromAum = aumSuspicion({ aum });
  for (let i = 0; i < scores.length; i++) scores[i] = (1 - weight) * scores[i] + weight * fromAum[i];
  return scores;
}
