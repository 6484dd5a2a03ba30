import * as tf from '@tensorflow/tfjs-core';
import { BatchFiller, type Normalization } from './batches';
import { throwIfAborted } from './errors';
import type { Cnn } from './model';
import type { ImageSet } from './types';

/**
 * Class probabilities of every image under `model`.
 *
 * @param model A trained network.
 * @param images `N` images, the same size and channels the model was built for.
 * @param normalization The standardisation the model was trained with (`TrainResult.normalization`).
 * @param options.batchSize Images per forward pass (default 512: inference holds no gradients).
 * @param options.rows Score only these rows of `images`, in this order (default: all).
 * @returns Row-major probabilities, shape `(N, K)` (or `(rows.length, K)`): entry `i*K + k` is
 *   P(class k | image i).
 */
export async function predictProbabilities(
  model: Cnn,
  images: ImageSet,
  normalization: Normalization,
  options: { batchSize?: number; signal?: AbortSignal; onBatch?: (done: number, total: number) => void; rows?: Int32Array } = {},
): Promise<Float32Array> {
  const { numClasses, inputSize, channels } = model.spec;
  const order = options.rows ?? Int32Array.from({ length: images.count }, (_, i) => i);
  const count = order.length;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 512, count));
  // Labels are not needed to predict; the filler only reads them for one-hot targets.
  const filler = new BatchFiller(images, new Int32Array(images.count), numClasses, normalization);
  const x = new Float32Array(batchSize * filler.imageLength);
  const probabilities = new Float32Array(count * numClasses);
  for (let start = 0; start < count; start += batchSize) {
    throwIfAborted(options.signal);
    const size = Math.min(batchSize, count - start);
    filler.fill(order, start, size, x);
    const batch = tf.tidy(() => {
      const xs = tf.tensor4d(x.subarray(0, size * filler.imageLength), [size, inputSize, inputSize, channels]);
      return tf.softmax(model.logits(xs));
    });
    probabilities.set(batch.dataSync(), start * numClasses);
    batch.dispose();
    options.onBatch?.(start + size, count);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return probabilities;
}
