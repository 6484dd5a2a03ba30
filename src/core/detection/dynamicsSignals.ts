/**
 * Suspicion scores from how ERM learned each sample (training/learningDynamics.ts), on the same
 * [0, 1] scale as the models' scores (higher = more likely mislabeled), so each can be ranked,
 * flagged and measured on its own (bench/dynamics.ts) next to the ERM-vs-mixup judge.
 */
import type { LearningDynamics } from '../training/learningDynamics';

/**
 * The AUM below which a label counts as rejected. Zero is the rule's natural cut: on average over
 * training the network preferred another class to the given one. Pleiss et al. calibrate it with
 * "threshold samples" given a fake extra class instead; that needs a second ERM run or an ERM model
 * trained on extra wrong labels, neither measured yet (see docs/learning-dynamics.md).
 */
export const AUM_THRESHOLD = 0;

/** `(N,)` suspicion from the area under the margin: a logistic of −AUM (0.5 at the threshold). */
export function aumSuspicion(dynamics: Pick<LearningDynamics, 'aum'>): Float32Array {
  return dynamics.aum.map((aum) => (Number.isNaN(aum) ? 0.5 : 1 / (1 + Math.exp(aum - AUM_THRESHOLD))));
}

/**
 * `(N,)` suspicion from when ERM learned the label and how often it forgot it: 1 for a label never
 * learned; otherwise the share of the run spent before learning it, plus a share per forgetting
 * event (Toneva et al. rank never-learned samples first, then by forgetting events), capped below 1.
 */
export function learnedLateSuspicion(
  dynamics: Pick<LearningDynamics, 'epochs' | 'learnedAtEpoch' | 'forgettingEvents'>,
): Float32Array {
  const { epochs, learnedAtEpoch, forgettingEvents } = dynamics;
  const scores = new Float32Array(learnedAtEpoch.length);
  for (let i = 0; i < scores.length; i++) {
    const learned = learnedAtEpoch[i];
    scores[i] = learned === 0 ? 1 : Math.min(0.99, (learned - 1 + forgettingEvents[i]) / Math.max(1, epochs));
  }
  return scores;
}
