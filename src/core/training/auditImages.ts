import { assignFolds, foldJobs, gatherOutOfSample } from './crossFit';
import { FUSED_OWN_MODEL_WEIGHT, judgeSamples, type Judgement } from '../detection/judge';
import { accuracy } from '../detection/metrics';
import { EMBEDDING_SIZE } from './model';
import { neighboursOfSuspects, type SuspectNeighbours } from '../detection/neighbours';
import { neighbourVotes } from '../detection/neighbourVotes';
import type { UserSignals } from '../userModel/userSignals';
import type { LearningDynamics } from './learningDynamics';
import { runModelInProcess, type ModelJob, type ModelOutput, type ModelRunner } from './modelRunner';
import { type AuditOptions, quickSampleSteps } from '../options';
import type { TrainConfig } from './train';
import type { ImageSet } from '../shared/types';

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

/** Training figures of the cross-fitting fold models together (CPU seconds summed over folds). */
export interface CrossFitSummary {
  readonly folds: number;
  readonly model: 'erm' | 'mixup';
  /** Epochs of each fold model over its training rows. */
  readonly epochs: number;
  readonly sampleSteps: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

/** Everything the models say about the images. */
export interface ModelAudit extends Judgement {
  readonly erm: ModelSummary;
  readonly mixup: ModelSummary;
  /** `(N, K)` probabilities of each model. */
  readonly ermProbabilities: Float32Array;
  readonly mixupProbabilities: Float32Array;
  /** Methods other than 'mixup': `(N, K)` out-of-sample probabilities from cross-fitting... */
  readonly outOfSampleProbabilities?: Float32Array;
  /** ...and how the fold models trained. */
  readonly crossFit?: CrossFitSummary;
  /** How the ERM model learned each sample: area under the margin, forgetting, learned epoch. */
  readonly dynamics?: LearningDynamics;
  readonly scoringSeconds: number;
  /** `(M, K)` probabilities of `evalImages` under each model, when given. */
  readonly evalProbabilities?: { readonly erm: Float32Array; readonly mixup: Float32Array };
  /** The flagged samples' nearest unflagged samples under their given and suggested labels, by row. */
  readonly neighbours?: ReadonlyMap<number, SuspectNeighbours>;
  /**
   * The embedding space the neighbours were searched in, for the outlier check: the user's own
   * embeddings when given (`covered` marks the rows they have), else the mixup model's.
   */
  readonly embeddings?: {
    readonly space: 'own' | 'mixup';
    readonly values: Float32Array;
    readonly width: number;
    readonly covered?: Uint8Array;
  };
}

/** Training progress of all models together. */
export interface TrainingProgress {
  /** Share of all models' sample-step budgets done, in [0, 1]. */
  readonly fraction: number;
  readonly ermEpoch: number;
  readonly mixupEpoch: number;
  /** Planned epochs per model (ERM's is a maximum in the deep audit). */
  readonly ermEpochs: number;
  readonly mixupEpochs: number;
  /** Cross-fitting only: fold models finished, and in all. */
  readonly foldsDone?: number;
  readonly folds?: number;
  /** A finished epoch, in words, for the log. */
  readonly message?: string;
}

/** The two training configurations of an audit. */
export function trainConfigs(options: AuditOptions, count: number): { erm: TrainConfig; mixup: TrainConfig } {
  const quickSteps = quickSampleSteps(options, count);
  const shared = {
    alpha: options.alpha,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed: options.seed,
  };
  const erm: TrainConfig =
    options.mode === 'deep'
      ? {
          ...shared,
          kind: 'erm',
          // Memorizing takes a long, steady run: a constant rate (~75 epochs at 1e-3, docs/measurements.md).
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
  return {
    erm,
    mixup: { ...shared, kind: 'mixup', schedule: 'one-cycle', sampleSteps: mixupSteps, seed: options.seed + 1 },
  };
}

/**
 * Fewest sample-steps per fold model. A fold model learns from optimizer steps, not passes: on 2 000
 * digits (1 500 rows per fold) 1.5 passes (2 250 steps) gave confident learning F1 .56, 3 passes
 * (4 500 steps) .89. At 10 000 images the default 2 passes are 15 000 steps, above this floor.
 */
const FOLD_MIN_SAMPLE_STEPS = 10_000;

/**
 * The cross-fitting jobs of an audit, or none for the 'mixup' method. Each fold model gets
 * `foldEpochs` passes over its rows, but on a small dataset at least {@link FOLD_MIN_SAMPLE_STEPS}
 * sample-steps — never more than a main model's own budget, though.
 */
export function crossFitJobs(
  images: ImageSet,
  labels: Int32Array,
  numClasses: number,
  options: AuditOptions,
): ModelJob[] {
  if (options.method === 'mixup') return [];
  const trainRows = Math.max(1, ((options.folds - 1) / options.folds) * images.count);
  const floor = Math.min(FOLD_MIN_SAMPLE_STEPS, quickSampleSteps(options, images.count));
  const epochs = Math.max(options.foldEpochs, floor / trainRows);
  const config = {
    kind: options.foldModel,
    alpha: options.alpha,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    schedule: 'one-cycle',
    seed: options.seed,
  } as const;
  return foldJobs(
    images,
    labels,
    numClasses,
    assignFolds(labels, options.folds, options.seed),
    options.folds,
    config,
    epochs,
  );
}

/**
 * Trains the ERM and the mixup model on `images` with the given labels — and, unless the method is
 * 'mixup', one model per cross-fitting fold — all through `runner` (the engine's runs as many at
 * once as there are cores), and returns the verdicts.
 *
 * @param images `N` decoded images.
 * @param labels Given class ids, `(N,)`.
 * @param numClasses `K`.
 * @param options Resolved audit options.
 * @param events Progress listener, AbortSignal (checked before every batch), the model runner
 *   (default: on this thread), and optional extra images to score (benchmarks' clean test set).
 */
export async function auditImages(
  images: ImageSet,
  labels: Int32Array,
  numClasses: number,
  options: AuditOptions,
  events: {
    signal?: AbortSignal;
    onTraining?: (progress: TrainingProgress) => void;
    runner?: ModelRunner;
    evalImages?: ImageSet;
    /** The user's model's outputs, row-aligned: its probabilities replace the fold models. */
    own?: UserSignals;
    /** `(N,)` exact-copy set of each row, -1 for none (`findDuplicates`): copies count once among neighbours. */
    copyOf?: Int32Array;
  } = {},
): Promise<ModelAudit> {
  const configs = trainConfigs(options, images.count);
  const own = events.own;
  const folds = own?.predProbs ? [] : crossFitJobs(images, labels, numClasses, options);
  const runner = events.runner ?? runModelInProcess;
  // If one model fails, stop the others rather than let them train for nothing.
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  events.signal?.addEventListener('abort', onOuterAbort);
  if (events.signal?.aborted) stop.abort();
  const epochsOf = (config: TrainConfig, rows: number) => Math.ceil(config.sampleSteps / rows);
  // Each model's share of its step budget; weighted by budget, so a deep audit's long ERM run counts more.
  const track = (config: TrainConfig, rows: number) => ({
    done: 0,
    epoch: 0,
    epochs: epochsOf(config, rows),
    budget: config.sampleSteps,
  });
  const erm = track(configs.erm, images.count);
  const mixup = track(configs.mixup, images.count);
  const foldStates = folds.map((job) => track(job.config, job.fold!.trainRows.length));
  const all = [erm, mixup, ...foldStates];
  const totalBudget = all.reduce((sum, s) => sum + s.budget, 0);
  const report = (message?: string) => {
    events.onTraining?.({
      fraction: Math.min(1, all.reduce((sum, s) => sum + s.done * s.budget, 0) / totalBudget),
      ermEpoch: erm.epoch,
      mixupEpoch: mixup.epoch,
      ermEpochs: erm.epochs,
      mixupEpochs: mixup.epochs,
      ...(folds.length ? { foldsDone: foldStates.filter((s) => s.done >= 1).length, folds: folds.length } : {}),
      ...(message ? { message } : {}),
    });
  };
  const run = async (job: ModelJob, progress: (typeof all)[number], name: string, trackAccuracy: boolean) => {
    // About ten log lines per model, whatever the number of epochs; every epoch while ERM trains
    // towards its memorization target, since that run's length is not known in advance.
    const logEvery = job.config.stopAtTrainAccuracy === undefined ? Math.ceil(progress.epochs / 10) : 1;
    const output = await runner(job, {
      signal: stop.signal,
      onBatch: (p) => {
        progress.done = p.step / p.totalSteps;
        progress.epoch = p.epoch;
        report();
      },
      onEpoch: (e) =>
        report(
          trackAccuracy && (e.epoch % logEvery === 0 || e.epoch >= progress.epochs)
            ? `${name} epoch ${e.epoch}/${progress.epochs}: loss ${e.meanLoss.toFixed(3)}` +
                (e.trainAccuracy === undefined
                  ? ''
                  : `, fits ${(100 * e.trainAccuracy).toFixed(1)}% of the given labels`)
            : undefined,
        ),
    });
    // A deep audit's ERM run may stop early, at its memorization target.
    progress.done = 1;
    report(trackAccuracy ? undefined : `${name} done in ${output.seconds.toFixed(1)} s`);
    return output;
  };

  const main = { images, labels, numClasses, evalImages: events.evalImages };
  let outputs: ModelOutput[];
  try {
    outputs = await Promise.all(
      [
        run({ ...main, config: configs.erm }, erm, 'ERM', true),
        // Embeddings from the mixup model: mixup training never fits a wrong label with confidence, so
        // a mislabeled image keeps its place among images of its true class. The ERM model, which
        // learns (in a deep audit, memorizes) the given labels, pulls it towards its given class.
        run({ ...main, config: configs.mixup, embeddings: true }, mixup, 'mixup', true),
        ...folds.map((job, f) => run(job, foldStates[f], `cross-fitting fold ${f + 1}/${folds.length}`, false)),
      ].map((p) =>
        p.catch((error: unknown) => {
          stop.abort();
          throw error;
        }),
      ),
    );
  } finally {
    events.signal?.removeEventListener('abort', onOuterAbort);
  }
  const [ermOutput, mixupOutput, ...foldOutputs] = outputs;
  const outOfSample = own?.predProbs
    ? own.predProbs.values
    : folds.length
      ? gatherOutOfSample(folds, foldOutputs, images.count, numClasses)
      : undefined;
  const scoringStarted = performance.now();
  const embedded = own?.embeddings;
  const { copyOf } = events;
  const votes =
    embedded &&
    neighbourVotes(embedded.values, embedded.width, labels, numClasses, embedded.covered, undefined, copyOf);
  const judged = judgeSamples(
    labels,
    {
      erm: ermOutput.probabilities,
      mixup: mixupOutput.probabilities,
      outOfSample,
      ...(own?.predProbs
        ? { outOfSampleCovered: own.predProbs.covered, outOfSampleWeight: FUSED_OWN_MODEL_WEIGHT }
        : {}),
      ...(votes ? { neighbourVotes: votes.votes, neighbourCovered: votes.voted } : {}),
      ...(ermOutput.dynamics ? { aum: ermOutput.dynamics.aum } : {}),
    },
    numClasses,
    options,
  );
  // The user's embeddings, when given, are the better space for the strips: a network that saw
  // photos, not one trained from scratch at 32×32 on the audited labels.
  const neighbours = embedded
    ? neighboursOfSuspects(judged.verdicts, labels, numClasses, embedded.values, embedded.width, {
        covered: embedded.covered,
        copyOf,
      })
    : mixupOutput.embeddings &&
      neighboursOfSuspects(judged.verdicts, labels, numClasses, mixupOutput.embeddings, EMBEDDING_SIZE, { copyOf });
  const judgingSeconds = (performance.now() - scoringStarted) / 1000;
  return {
    ...judged,
    erm: summarize(ermOutput, labels, numClasses),
    mixup: summarize(mixupOutput, labels, numClasses),
    ermProbabilities: ermOutput.probabilities,
    mixupProbabilities: mixupOutput.probabilities,
    ...(outOfSample ? { outOfSampleProbabilities: outOfSample } : {}),
    ...(folds.length ? { crossFit: summarizeFolds(folds, foldOutputs) } : {}),
    ...(ermOutput.dynamics ? { dynamics: ermOutput.dynamics } : {}),
    scoringSeconds: Math.max(ermOutput.scoringSeconds, mixupOutput.scoringSeconds) + judgingSeconds,
    ...(ermOutput.evalProbabilities && mixupOutput.evalProbabilities
      ? { evalProbabilities: { erm: ermOutput.evalProbabilities, mixup: mixupOutput.evalProbabilities } }
      : {}),
    ...(neighbours ? { neighbours } : {}),
    ...(embedded
      ? { embeddings: { space: 'own', values: embedded.values, width: embedded.width, covered: embedded.covered } }
      : mixupOutput.embeddings
        ? { embeddings: { space: 'mixup', values: mixupOutput.embeddings, width: EMBEDDING_SIZE } }
        : {}),
  };
}

function summarizeFolds(jobs: readonly ModelJob[], outputs: readonly ModelOutput[]): CrossFitSummary {
  const seconds = outputs.reduce((sum, o) => sum + o.seconds, 0);
  const sampleSteps = outputs.reduce((sum, o) => sum + o.sampleSteps, 0);
  return {
    folds: jobs.length,
    model: jobs[0].config.kind,
    epochs: outputs[0].epochs,
    sampleSteps,
    seconds,
    samplesPerSecond: sampleSteps / Math.max(seconds, 1e-9),
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
