/**
 * Turns the models' probabilities into verdicts under the audit's method: ERM-vs-mixup disagreement,
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
   * cross-fitted, else in sample, on the scoring probabilities of the ERM and mixup models, which
   * trained on these very labels (`source` says which).
   */
  readonly noise: NoiseEstimate & { readonly source: NoiseSource };
}

/** Which probabilities confident learning's noise estimate comes from. */
export type NoiseSource = 'out-of-sample' | 'in-sample';

/** The models' `(N, K)` probabilities. */
export interface AuditProbabilities {
  readonly erm: Float32Array;
  readonly mixup: Float32Array;
  /** From k-fold cross-fitting; required by the 'confident-learning' and 'fused' methods. */
  readonly outOfSample?: Float32Array;
}

/**
 * Weight of the out-of-sample probabilities in the 'fused' method; the ERM and mixup models share
 * the rest. Measured in bench/quality.ts (see README, "Why these defaults").
 */
export const FUSED_OUT_OF_SAMPLE_WEIGHT = 0.5;

/**
 * Judges every sample.
 *
 * - 'mixup': {@link ermMixupVerdicts} (score, flag and suggestion from ERM-vs-mixup disagreement).
 * - 'confident-learning': flagged = pruned by noise rate (Northcutt et al. 2021); score = the
 *   out-of-sample margin suspicion; suggestion = the most probable other class out of sample.
 * - 'fused': the ERM and mixup scoring probabilities and the out-of-sample ones averaged
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
  const { erm, mixup, outOfSample } = probabilities;
  const byErmMixup = ermMixupVerdicts(labels, erm, mixup, numClasses, options.flag);
  if (!outOfSample) {
    if (options.method !== 'mixup')
      throw new RangeError(`The '${options.method}' method needs out-of-sample probabilities.`);
    return {
      verdicts: byErmMixup,
      noise: {
        ...confidentLearning(labels, scoringProbabilities(erm, mixup, options), numClasses).estimate,
        source: 'in-sample',
      },
    };
  }
  const cl = confidentLearning(labels, outOfSample, numClasses);
  const clScores = suspicionScores(labels, outOfSample, numClasses);
  const clSuggestions = bestOtherClass(outOfSample, labels, numClasses).classes;
  const oosGiven = givenLabelProbability(outOfSample, labels, numClasses);
  const fused =
    options.method === 'fused' ? fusedScores(erm, mixup, outOfSample, labels, numClasses, options) : undefined;
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

/** The probabilities the ERM-vs-mixup verdicts score with (`flag.scoredBy`). */
function scoringProbabilities(
  erm: Float32Array,
  mixup: Float32Array,
  options: Pick<AuditOptions, 'flag'>,
): Float32Array {
  return options.flag.scoredBy === 'both' ? averageProbabilities(erm, mixup) : mixup;
}

/** Scores and suggestions under the fused probabilities. */
function fusedScores(
  erm: Float32Array,
  mixup: Float32Array,
  outOfSample: Float32Array,
  labels: Int32Array,
  numClasses: number,
  options: Pick<AuditOptions, 'flag'>,
): { scores: Float32Array; suggestions: Int32Array } {
  const w = FUSED_OUT_OF_SAMPLE_WEIGHT;
  const fused = scoringProbabilities(erm, mixup, options).map((p, k) => (1 - w) * p + w * outOfSample[k]);
  return {
    scores: suspicionScores(labels, fused, numClasses),
    suggestions: bestOtherClass(fused, labels, numClasses).classes,
  };
}
