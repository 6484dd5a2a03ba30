import * as tf from '@tensorflow/tfjs-core';
import { BatchFiller, type Normalization, type SampleFiller } from './batches';
import { throwIfAborted } from '../errors';
import { EMBEDDING_SIZE, type Cnn } from './model';
import type { ImageSet } from '../shared/types';

/** What one scoring pass over the images gives. */
export interface Predictions {
  /** Row-major `(N, K)`: entry `i*K + k` is P(class k | image i). */
  readonly probabilities: Float32Array;
  /**
   * When asked for: row-major `(N, EMBEDDING_SIZE)` penultimate-layer activations, each row scaled
   * to unit L2 length (a zero row stays zero), so a dot product of two rows is their cosine similarity.
   */
  readonly embeddings?: Float32Array;
}

/**
 * Class probabilities of every image under `model`, and optionally the images' embeddings from the
 * same forward pass (no second pass over the images).
 *
 * @param model A trained network.
 * @param images `N` images, the same size and channels the model was built for.
 * @param normalization The standardisation the model was trained with (`TrainResult.normalization`).
 * @param options.batchSize Images per forward pass (default 512: inference holds no gradients).
 * @param options.rows Score only these rows of `images`, in this order (default: all).
 * @param options.embeddings Also return the unit-length embeddings (default false).
 * @returns Probabilities `(N, K)` (or `(rows.length, K)`), and embeddings when asked for.
 */
export async function predict(
  model: Cnn,
  images: ImageSet,
  normalization: Normalization,
  options: PredictOptions = {},
): Promise<Predictions> {
  // Labels are not needed to predict; the filler only reads them for one-hot targets.
  const filler = new BatchFiller(images, new Int32Array(images.count), model.spec.numClasses, normalization);
  return predictNetwork(model, filler, images.count, options);
}

/** Options of {@link predict} and {@link predictNetwork}. */
export interface PredictOptions {
  batchSize?: number;
  signal?: AbortSignal;
  onBatch?: (done: number, total: number) => void;
  rows?: Int32Array;
  embeddings?: boolean;
}

/** A network that {@link predictNetwork} can score with: its logits and its penultimate layer (`[B, EMBEDDING_SIZE]`). */
export interface Scorable {
  forward(x: tf.Tensor): { readonly hidden: tf.Tensor2D; readonly logits: tf.Tensor2D };
}

/**
 * {@link predict} for any network and sample filler: the audit CNN on pixels, or a head on the
 * user's embeddings (head.ts).
 *
 * @param total Samples the filler holds; `options.rows` index them.
 */
export async function predictNetwork(
  net: Scorable,
  filler: SampleFiller,
  total: number,
  options: PredictOptions = {},
): Promise<Predictions> {
  const { numClasses, sampleShape, sampleLength } = filler;
  const order = options.rows ?? Int32Array.from({ length: total }, (_, i) => i);
  const count = order.length;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 512, count));
  const x = new Float32Array(batchSize * sampleLength);
  const probabilities = new Float32Array(count * numClasses);
  const embeddings = options.embeddings ? new Float32Array(count * EMBEDDING_SIZE) : undefined;
  for (let start = 0; start < count; start += batchSize) {
    throwIfAborted(options.signal);
    const size = Math.min(batchSize, count - start);
    filler.fill(order, start, size, x);
    const batch = tf.tidy(() => {
      const xs = tf.tensor(x.subarray(0, size * sampleLength), [size, ...sampleShape]);
      const { hidden, logits } = net.forward(xs);
      // ReLU outputs are never negative, but a dead unit set can give an all-zero row: the floor
      // keeps it at zero (similar to nothing) instead of dividing by zero.
      const unit = embeddings ? tf.div(hidden, tf.maximum(tf.norm(hidden, 2, 1, true), 1e-12)) : undefined;
      return { probabilities: tf.softmax(logits), unit };
    });
    // Asynchronous reads: a GPU backend (webgpu) cannot read synchronously in Node.
    probabilities.set(await batch.probabilities.data(), start * numClasses);
    if (embeddings && batch.unit) embeddings.set(await batch.unit.data(), start * EMBEDDING_SIZE);
    batch.probabilities.dispose();
    batch.unit?.dispose();
    options.onBatch?.(start + size, count);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return embeddings ? { probabilities, embeddings } : { probabilities };
}
