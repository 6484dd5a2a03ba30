import type { LearningDynamics } from './learningDynamics';
import { predict } from './predict';
import { trainModel, type EpochSummary, type NetworkTraining, type TrainConfig, type TrainProgress } from './train';
import type { ImageSet } from '../shared/types';

/** One model to train and then score on the same images. */
export interface ModelJob {
  readonly images: ImageSet;
  /** Given class ids, `(N,)`. */
  readonly labels: Int32Array;
  readonly numClasses: number;
  readonly config: TrainConfig;
  /** Other images to score with the trained model, e.g. a clean held-out test set (benchmarks). */
  readonly evalImages?: ImageSet;
  /**
   * Cross-fitting: train on `trainRows` of `images` only and score `heldOutRows` only, so the
   * output's `probabilities` are `(heldOutRows.length, K)`, out of sample. Default: train on and
   * score every image.
   */
  readonly fold?: { readonly trainRows: Int32Array; readonly heldOutRows: Int32Array };
  /** Also return every image's embedding, taken in the scoring pass itself (default false). */
  readonly embeddings?: boolean;
}

/** What a trained model says about the images it was trained on (or held out from, for a fold). */
export interface ModelOutput {
  /** `(N, K)` row-major class probabilities after training (`(heldOutRows.length, K)` for a fold). */
  readonly probabilities: Float32Array;
  readonly epochs: number;
  readonly sampleSteps: number;
  /** Training time only (scoring excluded). */
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly epochSummaries: readonly EpochSummary[];
  /** ERM only: how it learned each sample, from its training forward passes (learningDynamics.ts). */
  readonly dynamics?: LearningDynamics;
  readonly scoringSeconds: number;
  /** `(M, K)` probabilities of `evalImages`, when given. */
  readonly evalProbabilities?: Float32Array;
  /** When the job asked for them: `(N, EMBEDDING_SIZE)` unit-length embeddings (see `predict`). */
  readonly embeddings?: Float32Array;
}

export interface ModelJobEvents {
  readonly signal?: AbortSignal;
  readonly onBatch?: (progress: TrainProgress) => void;
  readonly onEpoch?: (summary: EpochSummary) => void;
}

/**
 * Trains and scores one model. The audit runs its two models through a runner so the engine can
 * put each on its own thread (they are independent, and the wasm backend uses one core each);
 * {@link runModelInProcess} is the plain same-thread runner.
 */
export type ModelRunner = (job: ModelJob, events: ModelJobEvents) => Promise<ModelOutput>;

/**
 * Trains and scores one model on the current thread with the current tfjs backend; the model's
 * tensors are freed before it returns.
 */
export const runModelInProcess: ModelRunner = async (job, events) => {
  const trained = await trainModel(job.images, job.labels, job.numClasses, job.config, events, job.fold?.trainRows);
  try {
    const scoringStarted = performance.now();
    const { probabilities, embeddings } = await predict(trained.model, job.images, trained.normalization, {
      signal: events.signal,
      rows: job.fold?.heldOutRows,
      embeddings: job.embeddings,
    });
    const scoringSeconds = (performance.now() - scoringStarted) / 1000;
    const evalProbabilities =
      job.evalImages &&
      (await predict(trained.model, job.evalImages, trained.normalization, { signal: events.signal })).probabilities;
    return modelOutput(trained, { probabilities, embeddings, evalProbabilities }, scoringSeconds);
  } finally {
    trained.model.dispose();
  }
};

/** A runner's {@link ModelOutput} from the training figures and the scoring pass's results. */
export function modelOutput(
  trained: NetworkTraining,
  scored: { probabilities: Float32Array; embeddings?: Float32Array; evalProbabilities?: Float32Array },
  scoringSeconds: number,
): ModelOutput {
  const { probabilities, embeddings, evalProbabilities } = scored;
  return {
    probabilities,
    epochs: trained.epochs,
    sampleSteps: trained.sampleSteps,
    seconds: trained.seconds,
    samplesPerSecond: trained.samplesPerSecond,
    epochSummaries: trained.epochSummaries,
    ...(trained.dynamics ? { dynamics: trained.dynamics } : {}),
    scoringSeconds,
    ...(evalProbabilities ? { evalProbabilities } : {}),
    ...(embeddings ? { embeddings } : {}),
  };
}
