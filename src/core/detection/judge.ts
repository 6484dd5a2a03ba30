/**
 * Turns the models' probabilities into verdicts under the audit's method: the ERM-vs-mixup judge,
 * confident learning on out-of-sample probabilities, or both fused. With cross-fitting, every
 * verdict carries the evidence of each signal, whichever method ranks.
 */
import { capClassFlags } from './classHealth';
import { confidentLearning, type NoiseEstimate } from './confidentLearning';
import { ermMixupVerdicts, type Verdict, type VerdictReasons } from './flag';
import type { AuditOptions } from '../options';
import { averageProbabilities, bestOtherClass, givenLabelProbability, suspicionScores } from './score';

/** The verdicts of an audit and what confident learning estimated about the label noise. */
export interface Judgement {
  /** One verdict per image, most suspect first. */
  readonly verdicts: readonly Verdict[];
  /**
   * Confident learning's noise estimate: on the out-of-sample probabilities when the audit
   * cross-fitted, else on the ERM-vs-mixup judge's own probabilities (`source` says which).
   */
  readonly noise: NoiseEstimate & { readonly source: NoiseSource };
}

/** Which probabilities confident learning's noise estimate comes from. */
export type NoiseSource = 'out-of-sample' | 'in-sample';

/** The models' `(N, K)` probabilities. */
export interface AuditProbabilities {
  readonly erm: Float32Array;
  readonly mixup: Float32Array;
  /**
   * From k-fold cross-fitting, or the user's own model (`--pred-probs`); required by the
   * 'confident-learning' and 'fused' methods.
   */
  readonly outOfSample?: Float32Array;
  /** Weight of `outOfSample` in the fusion (default {@link FUSED_OUT_OF_SAMPLE_WEIGHT}; the user's model: {@link FUSED_OWN_MODEL_WEIGHT}). */
  readonly outOfSampleWeight?: number;
  /** `(N,)` 1 where `outOfSample` has a row (the user's file may lack some images); default all. */
  readonly outOfSampleCovered?: Uint8Array;
  /** `(N, K)` kNN label shares in the user's embedding space (`neighbourVotes.ts`), when given... */
  readonly neighbourVotes?: Float32Array;
  /** ...and `(N,)` 1 where an image has them. */
  readonly neighbourCovered?: Uint8Array;
  /** `(N,)` ERM's area under the margin, when the audit recorded it (`flag.aumWeight` blends it into the judge's score). */
  readonly aum?: Float32Array;
}

/**
 * Weight of the out-of-sample probabilities in the fused judge; the ERM and mixup models share the
 * rest. Measured in bench/quality.ts (see README, "Why these defaults").
 */
export const FUSED_OUT_OF_SAMPLE_WEIGHT = 0.5;

/**
 * Weight of the kNN label shares in the fused judge, relative to the judge's and the out-of-sample
 * probabilities together (1 = as much as the two). Measured in bench/ownModel.ts (docs/own-model.md).
 */
export const FUSED_NEIGHBOUR_WEIGHT = 0.5;

/**
 * Weight of the user's --pred-probs in the fused judge. At 0.5 a fair stand-in model (k-fold logistic
 * regression, AUROC .84–.94) dragged the fusion below ERM-vs-mixup alone; at 0.2 with kNN at 0.5 the
 * fusion beat each input on F1 and on AUROC in three of four settings (docs/own-model.md).
 */
export const FUSED_OWN_MODEL_WEIGHT = 0.2;

/**
 * Judges every sample.
 *
 * - 'mixup': {@link ermMixupVerdicts} (score, flag and suggestion from the ERM-vs-mixup judge).
 * - 'confident-learning': flagged = pruned by noise rate (Northcutt et al. 2021); score = the
 *   out-of-sample margin suspicion; suggestion = the most probable other class out of sample.
 * - 'fused': the judge's probabilities and the out-of-sample ones averaged
 *   ({@link FUSED_OUT_OF_SAMPLE_WEIGHT}); score, suggestion and the `minMargin` flag rule as
 *   for 'mixup', on the fused probabilities.
 *
 * @param labels Given class ids, `(N,)`.
 * @param probabilities The models' `(N, K)` probabilities.
 * @param numClasses `K`.
 * @param options The audit's method and flag thresholds.
 * Whatever the method, at most half of a class stays flagged ({@link capClassFlags}).
 *
 * @returns Verdicts, most suspect first (ties keep input order), and the noise estimate.
 */
export function judgeSamples(
  labels: Int32Array,
  probabilities: AuditProbabilities,
  numClasses: number,
  options: Pick<AuditOptions, 'method' | 'flag'>,
): Judgement {
  const judgement = judgeUncapped(labels, probabilities, numClasses, options);
  return { ...judgement, verdicts: capClassFlags(judgement.verdicts) };
}

function judgeUncapped(
  labels: Int32Array,
  probabilities: AuditProbabilities,
  numClasses: number,
  options: Pick<AuditOptions, 'method' | 'flag'>,
): Judgement {
  const { erm, mixup } = probabilities;
  const byErmMixup = ermMixupVerdicts(labels, erm, mixup, numClasses, options.flag, probabilities.aum);
  const judgedAll = options.flag.scoredBy === 'both' ? averageProbabilities(erm, mixup) : mixup;
  // Images the user's files have no row for fall back to the judge's own probabilities: that
  // signal then adds nothing to them, neither in confident learning's counts nor in the fusion.
  const outOfSample = withFallback(probabilities.outOfSample, probabilities.outOfSampleCovered, judgedAll, numClasses);
  // Images without an embedding fall back to the mix of the other two, so the fusion is exactly theirs.
  const votes =
    outOfSample &&
    withFallback(
      probabilities.neighbourVotes,
      probabilities.neighbourCovered,
      fusedProbabilities(judgedAll, outOfSample, undefined, 0, probabilities.outOfSampleWeight),
      numClasses,
    );
  const knn = votes && neighbourEvidence(labels, votes, numClasses, probabilities.neighbourCovered);
  if (!outOfSample) {
    if (options.method !== 'mixup')
      throw new RangeError(`The '${options.method}' method needs out-of-sample probabilities.`);
    return {
      // Per-sample reasons need the out-of-sample signal; without it the kNN shares only fill the strips.
      verdicts: byErmMixup,
      noise: { ...confidentLearning(labels, judgedAll, numClasses).estimate, source: 'in-sample' },
    };
  }
  const cl = confidentLearning(labels, outOfSample, numClasses);
  const clScores = suspicionScores(labels, outOfSample, numClasses);
  const clSuggestions = bestOtherClass(outOfSample, labels, numClasses).classes;
  const oosGiven = givenLabelProbability(outOfSample, labels, numClasses);
  const fused =
    options.method === 'fused'
      ? fusedJudge(judgedAll, outOfSample, votes, labels, numClasses, probabilities.outOfSampleWeight)
      : undefined;
  const { minMargin } = options.flag;

  const verdicts = byErmMixup.map((v): Verdict => {
    const i = v.index;
    const outOfSampleRejects = cl.issues[i] === 1;
    const reasons: VerdictReasons = {
      ermMemorized: v.ermFits && (v.mixupRejects || outOfSampleRejects),
      mixupRejects: v.mixupRejects,
      outOfSampleRejects,
      ermMixupScore: v.score,
      confidentLearningScore: clScores[i],
      outOfSampleGiven: oosGiven[i],
      ermMixupSuggestion: v.suggestedLabel,
      confidentLearningSuggestion: clSuggestions[i],
      suggestionsAgree: v.suggestedLabel === clSuggestions[i],
      ...(probabilities.outOfSampleCovered && !probabilities.outOfSampleCovered[i] ? { noOutOfSampleRow: true } : {}),
      ...knn?.(i),
    };
    if (options.method === 'mixup') return { ...v, reasons };
    const suggestedLabel = fused ? fused.suggestions[i] : clSuggestions[i];
    const score = fused ? fused.scores[i] : clScores[i];
    const margin = 2 * score - 1;
    return {
      ...v,
      suggestedLabel,
      mixupSuggested: mixup[i * numClasses + suggestedLabel],
      margin,
      score,
      // The same epsilon as ermMixupVerdicts, so a margin of exactly minMargin counts.
      flagged: fused ? margin >= minMargin - 1e-6 : outOfSampleRejects,
      reasons,
    };
  });
  verdicts.sort((a, b) => b.score - a.score || a.index - b.index);
  return { verdicts, noise: { ...cl.estimate, source: 'out-of-sample' } };
}

/**
 * Scores and suggestions under the fused probabilities: the judge's and the out-of-sample ones
 * mixed by {@link FUSED_OUT_OF_SAMPLE_WEIGHT}, then the kNN label shares, when there are any, mixed
 * in by {@link FUSED_NEIGHBOUR_WEIGHT}.
 */
export function fusedProbabilities(
  judged: Float32Array,
  outOfSample: Float32Array,
  votes: Float32Array | undefined,
  neighbourWeight = FUSED_NEIGHBOUR_WEIGHT,
  outOfSampleWeight = FUSED_OUT_OF_SAMPLE_WEIGHT,
): Float32Array {
  const w = outOfSampleWeight;
  const v = votes ? neighbourWeight / (1 + neighbourWeight) : 0;
  return judged.map((p, k) => (1 - v) * ((1 - w) * p + w * outOfSample[k]) + (votes ? v * votes[k] : 0));
}

function fusedJudge(
  judged: Float32Array,
  outOfSample: Float32Array,
  votes: Float32Array | undefined,
  labels: Int32Array,
  numClasses: number,
  outOfSampleWeight: number | undefined,
): { scores: Float32Array; suggestions: Int32Array } {
  const fused = fusedProbabilities(judged, outOfSample, votes, FUSED_NEIGHBOUR_WEIGHT, outOfSampleWeight);
  return {
    scores: suspicionScores(labels, fused, numClasses),
    suggestions: bestOtherClass(fused, labels, numClasses).classes,
  };
}

/** `values` with the rows not `covered` replaced by `fallback`'s (`values` itself when all are covered). */
function withFallback(
  values: Float32Array | undefined,
  covered: Uint8Array | undefined,
  fallback: Float32Array,
  numClasses: number,
): Float32Array | undefined {
  if (!values || !covered || covered.every((c) => c === 1)) return values;
  const out = values.slice();
  for (let i = 0; i < covered.length; i++)
    if (!covered[i]) out.set(fallback.subarray(i * numClasses, (i + 1) * numClasses), i * numClasses);
  return out;
}

/** Per image, what the kNN label shares say, as the `reasons` fields of its verdict. */
function neighbourEvidence(
  labels: Int32Array,
  votes: Float32Array,
  numClasses: number,
  covered: Uint8Array | undefined,
): (i: number) => Pick<VerdictReasons, 'neighbourAgreement' | 'neighbourScore' | 'neighbourSuggestion'> {
  const scores = suspicionScores(labels, votes, numClasses);
  const suggestions = bestOtherClass(votes, labels, numClasses).classes;
  const agreement = givenLabelProbability(votes, labels, numClasses);
  return (i) =>
    covered && !covered[i]
      ? {}
      : { neighbourAgreement: agreement[i], neighbourScore: scores[i], neighbourSuggestion: suggestions[i] };
}
