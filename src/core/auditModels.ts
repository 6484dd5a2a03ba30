import { findSuspects, type Verdict } from './flag';
import { accuracy } from './metrics';
import { runModelInProcess, type ModelOutput, type ModelRunner } from './modelRunner';
import { type AuditOptions, quickSampleSteps } from './options';
import type { TrainConfig } from './train';
import type { ImageSet } from './types';

/** Training figures of one model, as the report shows them. */
export interface ModelSummary {
  readonly epochs: number;
  readonly sampleSteps: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  /** Share of samples whose arg-max prediction after training is their given label. */
  readonly fitsGivenLabels: number;
  readonly epochSummaries: ModelOutput['epochSummaries'];
}

/** Everything the two models say about the images. */
export interface ModelAudit {
  /** One verdict per image, most suspect first. */
  readonly verdicts: readonly Verdict[];
  readonly erm: ModelSummary;
  readonly mixup: ModelSummary;
  /** `(N, K)` probabilities of each model. */
  readonly ermProbabilities: Float32Array;
  readonly mixupProbabilities: Float32Array;
  /** Deep audit only: epoch from which ERM predicted each given label (0 = never), `(N,)`. */
  readonly learnedAtEpoch?: Uint16Array;
  readonly scoringSeconds: number;
  /** `(M, K)` probabilities of `evalImages` under each model, when given. */
  readonly evalProbabilities?: { readonly erm: Float32Array; readonly mixup: Float32Array };
}

/** Training progress of both models together. */
export interface TrainingProgress {
  /** Share of both models' sample-step budgets done, in [0, 1]. */
  readonly fraction: number;
  readonly ermEpoch: number;
  readonly mixupEpoch: number;
  /** Planned epochs per model (ERM's is a maximum in the deep audit). */
  readonly ermEpochs: number;
  readonly mixupEpochs: number;
  /** A finished epoch, in words, for the log. */
  readonly message?: string;
}

/** The two training configurations of an audit. */
export function trainConfigs(options: AuditOptions, count: number): { erm: TrainConfig; mixup: TrainConfig } {
  const quickSteps = quickSampleSteps(options, count);
  const shared = { alpha: options.alpha, batchSize: options.batchSize, learningRate: options.learningRate, seed: options.seed };
  const erm: TrainConfig =
    options.mode === 'deep'
      ? {
          ...shared,
          kind: 'erm',
          // Memorizing takes a long, steady run: a constant rate (NOTES.md: ~75 epochs at 1e-3).
          schedule: 'constant',
          learningRate: options.learningRate / 10,
          sampleSteps: options.deepMaxEpochs * count,
          stopAtTrainAccuracy: options.deepTargetAccuracy,
        }
      : { ...shared, kind: 'erm', schedule: 'one-cycle', sampleSteps: quickSteps };
  // The deep audit's ERM run is long anyway, and mixup, judging alone, needs more training than in
  // a quick audit; but on small datasets mixup memorizes too when trained long. Measured (flags,
  // wrong labels found): 300 digits with 30 wrong: ×1 41/26, ×2 21/18, ×3 7/6; the 400-digit sample
  // with 24 wrong: ×1 68/22, ×2 37/23, ×3 23/21. Twice the quick budget is the best compromise.
  const mixupSteps = options.mode === 'deep' ? 2 * quickSteps : quickSteps;
  return { erm, mixup: { ...shared, kind: 'mixup', schedule: 'one-cycle', sampleSteps: mixupSteps, seed: options.seed + 1 } };
}

/**
 * Trains the ERM and the mixup model on `images` with the given labels, both at once through
 * `runner`, and returns the verdicts.
 *
 * @param images `N` decoded images.
 * @param labels Given class ids, `(N,)`.
 * @param numClasses `K`.
 * @param options Resolved audit options.
 * @param events Progress listener, AbortSignal (checked before every batch), the model runner
 *   (default: both on this thread), and optional extra images to score (benchmarks' clean test set).
 */
export async function auditImages(
  images: ImageSet,
  labels: Int32Array,
  numClasses: number,
  options: AuditOptions,
  events: { signal?: AbortSignal; onTraining?: (progress: TrainingProgress) => void; runner?: ModelRunner; evalImages?: ImageSet } = {},
): Promise<ModelAudit> {
  const configs = trainConfigs(options, images.count);
  const runner = events.runner ?? runModelInProcess;
  // If one model fails, stop the other rather than let it train for nothing.
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  events.signal?.addEventListener('abort', onOuterAbort);
  if (events.signal?.aborted) stop.abort();
  const epochsOf = (config: TrainConfig) => Math.ceil(config.sampleSteps / images.count);
  // Each model's share of its step budget; weighted by budget, so a deep audit's long ERM run counts more.
  const state = {
    erm: { done: 0, epoch: 0, epochs: epochsOf(configs.erm), budget: configs.erm.sampleSteps },
    mixup: { done: 0, epoch: 0, epochs: epochsOf(configs.mixup), budget: configs.mixup.sampleSteps },
  };
  const report = (message?: string) => {
    const { erm, mixup } = state;
    events.onTraining?.({
      fraction: Math.min(1, (erm.done * erm.budget + mixup.done * mixup.budget) / (erm.budget + mixup.budget)),
      ermEpoch: erm.epoch,
      mixupEpoch: mixup.epoch,
      ermEpochs: erm.epochs,
      mixupEpochs: mixup.epochs,
      ...(message ? { message } : {}),
    });
  };
  const run = async (kind: 'erm' | 'mixup') => {
    const config = configs[kind];
    const progress = state[kind];
    // About ten log lines per model, whatever the number of epochs; every epoch while ERM trains
    // towards its memorization target, since that run's length is not known in advance.
    const logEvery = config.stopAtTrainAccuracy === undefined ? Math.ceil(progress.epochs / 10) : 1;
    const output = await runner(
      { images, labels, numClasses, config, evalImages: events.evalImages },
      {
        signal: stop.signal,
        onBatch: (p) => {
          progress.done = p.step / p.totalSteps;
          progress.epoch = p.epoch;
          report();
        },
        onEpoch: (e) =>
          report(
            e.epoch % logEvery === 0 || e.epoch >= progress.epochs
              ? `${kind === 'erm' ? 'ERM' : 'mixup'} epoch ${e.epoch}/${progress.epochs}: loss ${e.meanLoss.toFixed(3)}` +
                  (e.trainAccuracy === undefined ? '' : `, fits ${(100 * e.trainAccuracy).toFixed(1)}% of the given labels`)
              : undefined,
          ),
      },
    );
    // A deep audit's ERM run may stop early, at its memorization target.
    progress.done = 1;
    report();
    return output;
  };

  let erm: ModelOutput;
  let mixup: ModelOutput;
  try {
    [erm, mixup] = await Promise.all([run('erm'), run('mixup')].map((p) => p.catch((error: unknown) => {
      stop.abort();
      throw error;
    })));
  } finally {
    events.signal?.removeEventListener('abort', onOuterAbort);
  }
  const verdicts = findSuspects(labels, erm.probabilities, mixup.probabilities, numClasses, options.flag);
  return {
    verdicts,
    erm: summarize(erm, labels, numClasses),
    mixup: summarize(mixup, labels, numClasses),
    ermProbabilities: erm.probabilities,
    mixupProbabilities: mixup.probabilities,
    ...(options.mode === 'deep' && erm.learnedAtEpoch ? { learnedAtEpoch: erm.learnedAtEpoch } : {}),
    scoringSeconds: Math.max(erm.scoringSeconds, mixup.scoringSeconds),
    ...(erm.evalProbabilities && mixup.evalProbabilities ? { evalProbabilities: { erm: erm.evalProbabilities, mixup: mixup.evalProbabilities } } : {}),
  };
}

function summarize(output: ModelOutput, labels: Int32Array, numClasses: number): ModelSummary {
  return {
    epochs: output.epochs,
    sampleSteps: output.sampleSteps,
    seconds: output.seconds,
    samplesPerSecond: output.samplesPerSecond,
    fitsGivenLabels: accuracy(output.probabilities, labels, numClasses),
    epochSummaries: output.epochSummaries,
  };
}
