import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers gradient functions only on request (the @tensorflow/tfjs bundle does it for you).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { BatchFiller, type Normalization, type SampleFiller } from './batches';
import { throwIfAborted } from '../errors';
import { DynamicsRecorder, type LearningDynamics } from './learningDynamics';
import { createCnn, type Cnn } from './model';
import { Random } from './random';
import { oneCycleLearningRate } from './schedule';
import type { ImageSet } from '../shared/types';

/** How to train one of the two audit models. */
export interface TrainConfig {
  /** 'erm': plain cross-entropy on the given labels; 'mixup': on mixed pairs. */
  readonly kind: 'erm' | 'mixup';
  /** Beta(α, α) parameter of the mixing weight (mixup only). */
  readonly alpha: number;
  /** Training budget in sample-steps (samples seen, counting repeats), not epochs: small datasets
   * need many more epochs for the same number of steps (docs/measurements.md#training-schedule-pytorch-reference). */
  readonly sampleSteps: number;
  readonly batchSize: number;
  /** Peak learning rate of the one-cycle schedule, or the constant rate. */
  readonly learningRate: number;
  readonly schedule: 'one-cycle' | 'constant';
  readonly seed: number;
  /**
   * Stop at the end of the first epoch whose training accuracy on the given labels reaches this
   * (ERM only): the deep audit trains "until it memorizes" rather than for a fixed budget.
   */
  readonly stopAtTrainAccuracy?: number;
}

/** Reported after every batch. */
export interface TrainProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly loss: number;
}

/** Reported after every epoch. */
export interface EpochSummary {
  readonly epoch: number;
  readonly meanLoss: number;
  /** ERM only: share of the epoch's samples predicted as their given label while training on them. */
  readonly trainAccuracy?: number;
}

export interface TrainResult {
  readonly model: Cnn;
  /** Input standardisation the model was trained with; pass it to `predict`. */
  readonly normalization: Normalization;
  readonly epochs: number;
  readonly steps: number;
  /** Samples processed, counting repeats. */
  readonly sampleSteps: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly epochSummaries: readonly EpochSummary[];
  /**
   * ERM only: how it learned each sample (area under the margin, forgetting events, learned epoch,
   * the margin at each epoch), indexed by row of `images`. Measured on the training forward passes
   * themselves, so it costs no extra inference (learningDynamics.ts).
   */
  readonly dynamics?: LearningDynamics;
}

export interface TrainEvents {
  readonly signal?: AbortSignal;
  readonly onBatch?: (progress: TrainProgress) => void;
  readonly onEpoch?: (summary: EpochSummary) => void;
}

/**
 * Trains a fresh {@link createCnn} network on `images` with the given labels.
 *
 * @param images Decoded pixels, `N` images.
 * @param labels Given class ids, shape `(N,)`, each in `[0, numClasses)`.
 * @param numClasses Number of classes `K`.
 * @param config What to train and for how long.
 * @param events Progress callbacks and an AbortSignal checked before every batch; on abort the
 *   partly trained model is disposed and the promise rejects with the cancellation error.
 * @param rows Train on these rows of `images` only (default: all). Cross-fitting trains each fold's
 *   model on the other folds' rows of the one decoded image set, so no pixels are copied.
 * @returns The trained model (the caller disposes it) and training figures.
 */
export async function trainModel(
  images: ImageSet,
  labels: Int32Array,
  numClasses: number,
  config: TrainConfig,
  events: TrainEvents = {},
  rows?: Int32Array,
): Promise<TrainResult> {
  const model = createCnn({ inputSize: images.size, channels: images.channels, numClasses }, config.seed);
  const filler = new BatchFiller(images, labels, numClasses);
  const trained = await trainNetwork(model, filler, images.count, config, events, rows);
  return { ...trained, model, normalization: filler.normalization };
}

/** What the training loop needs of a network: its weights and its logits for a batch. */
export interface Trainable {
  readonly variables: readonly tf.Variable[];
  /** `[B, ...sampleShape]` → `[B, numClasses]`. */
  logits(x: tf.Tensor): tf.Tensor2D;
  dispose(): void;
}

/** {@link TrainResult} without the model and the pixels' normalisation. */
export type NetworkTraining = Omit<TrainResult, 'model' | 'normalization'>;

/**
 * The training loop, for any {@link Trainable} fed by any {@link SampleFiller}: the audit CNN on
 * pixels, or a head on the user's embeddings (head.ts). Adam, the one-cycle schedule, ERM or mixup
 * batches, the deep audit's stop rule and ERM's learning dynamics are the same for both.
 *
 * @param net A fresh network; disposed here when training fails or is cancelled.
 * @param total Samples the filler holds (`rows` index them).
 */
export async function trainNetwork(
  net: Trainable,
  filler: SampleFiller,
  total: number,
  config: TrainConfig,
  events: TrainEvents = {},
  rows?: Int32Array,
): Promise<NetworkTraining> {
  const count = rows ? rows.length : total;
  if (count < 1) {
    net.dispose();
    throw new RangeError('Expected at least one training row, but got none.');
  }
  const numClasses = filler.numClasses;
  const batchSize = Math.min(config.batchSize, count);
  const batchesPerEpoch = Math.ceil(count / batchSize);
  // Counted in whole batches of epochs: an epoch's last batch may be short, so dividing the budget
  // by the batch size would end training before the planned number of epochs.
  const totalSteps = Math.max(1, Math.round((config.sampleSteps / count) * batchesPerEpoch));
  const random = new Random(config.seed);
  const optimizer = new ScheduledAdam(config.learningRate);
  const x = new Float32Array(batchSize * filler.sampleLength);
  const y = new Float32Array(batchSize * numClasses);
  const isErm = config.kind === 'erm';
  // Indexed by sample row, so a subset's figures land where the caller looks them up.
  const dynamics = isErm ? new DynamicsRecorder(total) : undefined;
  const summaries: EpochSummary[] = [];
  const started = performance.now();
  let step = 0;
  let epoch = 0;
  let samplesSeen = 0;

  try {
    while (step < totalSteps) {
      epoch++;
      dynamics?.startEpoch();
      const order = random.permutation(count);
      if (rows) for (let k = 0; k < count; k++) order[k] = rows[order[k]];
      let lossSum = 0;
      let lossBatches = 0;
      let correct = 0;
      let seen = 0;
      for (let batch = 0; batch < batchesPerEpoch && step < totalSteps; batch++, step++) {
        throwIfAborted(events.signal);
        const start = batch * batchSize;
        const size = Math.min(batchSize, count - start);
        if (isErm) filler.fill(order, start, size, x, y);
        else filler.fillMixup(order, start, size, config.alpha, random, x, y);
        if (config.schedule === 'one-cycle') {
          optimizer.setLearningRate(oneCycleLearningRate(step, totalSteps, config.learningRate));
        }
        const { loss, margins } = await trainStep(net, filler.sampleShape, optimizer, x, y, size, numClasses, isErm);
        lossSum += loss;
        lossBatches++;
        samplesSeen += size;
        if (margins && dynamics) {
          correct += dynamics.record(order, start, margins);
          seen += size;
        }
        events.onBatch?.({ step: step + 1, totalSteps, epoch, batch: batch + 1, batchesPerEpoch, loss });
        // Let pending messages (a cancel request, say) through between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const summary: EpochSummary = {
        epoch,
        meanLoss: lossSum / Math.max(1, lossBatches),
        ...(isErm && seen > 0 ? { trainAccuracy: correct / seen } : {}),
      };
      summaries.push(summary);
      events.onEpoch?.(summary);
      if (config.stopAtTrainAccuracy !== undefined && (summary.trainAccuracy ?? 0) >= config.stopAtTrainAccuracy) break;
    }
  } catch (error) {
    net.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }

  const seconds = (performance.now() - started) / 1000;
  return {
    epochs: epoch,
    steps: step,
    sampleSteps: samplesSeen,
    seconds,
    samplesPerSecond: samplesSeen / Math.max(seconds, 1e-9),
    epochSummaries: summaries,
    ...(dynamics ? { dynamics: dynamics.result() } : {}),
  };
}

/** Adam whose learning rate can change between steps (tfjs keeps it protected). */
class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999, 1e-7);
  }

  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

/**
 * One optimiser step; returns the loss and, for ERM, each sample's margin before the update: the
 * given label's logit minus the largest other logit (> 0: predicted as labelled). Read back
 * asynchronously: a GPU backend (webgpu) cannot read synchronously in Node.
 */
async function trainStep(
  model: Trainable,
  sampleShape: readonly number[],
  optimizer: tf.Optimizer,
  x: Float32Array,
  y: Float32Array,
  size: number,
  numClasses: number,
  trackMargins: boolean,
): Promise<{ loss: number; margins?: Float32Array }> {
  const sampleLength = sampleShape.reduce((a, b) => a * b, 1);
  let marginTensor: tf.Tensor | undefined;
  const loss = tf.tidy(() => {
    // subarray: no copy; the final batch of an epoch may be smaller than the buffers.
    const xs = tf.tensor(x.subarray(0, size * sampleLength), [size, ...sampleShape]);
    const ys = tf.tensor2d(y.subarray(0, size * numClasses), [size, numClasses]);
    // With returnCost = true, minimize always returns the loss.
    return optimizer.minimize(
      () => {
        const logits = model.logits(xs);
        // ys is one-hot here: the given logit, and the largest logit once the given one is pushed down.
        if (trackMargins)
          marginTensor = tf.keep(tf.sub(tf.sum(tf.mul(logits, ys), 1), tf.max(tf.sub(logits, tf.mul(ys, 1e9)), 1)));
        return tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar;
      },
      true,
      model.variables as tf.Variable[],
    ) as tf.Scalar;
  });
  try {
    return {
      loss: (await loss.data())[0],
      margins: marginTensor ? ((await marginTensor.data()) as Float32Array) : undefined,
    };
  } finally {
    loss.dispose();
    marginTensor?.dispose();
  }
}
