import * as tf from '@tensorflow/tfjs-core';
import { AuditError } from '../errors';
import { Random } from './random';

/** Shape of the network's input and output. */
export interface CnnSpec {
  /** Side of the square input image, in pixels (8 to 256). */
  readonly inputSize: number;
  readonly channels: 1 | 3;
  readonly numClasses: number;
}

/** A small convolutional classifier whose weights are plain tfjs variables. */
export interface Cnn {
  readonly spec: CnnSpec;
  /** Every trainable weight, in a fixed order. */
  readonly variables: readonly tf.Variable[];
  /** Unnormalised class scores for a batch `[B, size, size, channels]` → `[B, numClasses]`. */
  logits(x: tf.Tensor4D): tf.Tensor2D;
  /**
   * The same forward pass, also returning the penultimate layer: the dense64 activations after
   * ReLU, `[B, EMBEDDING_SIZE]`, the image's embedding for nearest-neighbour search.
   */
  forward(x: tf.Tensor4D): { readonly hidden: tf.Tensor2D; readonly logits: tf.Tensor2D };
  dispose(): void;
}

const CONV1_FILTERS = 16;
const CONV2_FILTERS = 32;
const HIDDEN_UNITS = 64;
/** Width of the penultimate layer that {@link Cnn.forward} returns as `hidden`. */
export const EMBEDDING_SIZE = HIDDEN_UNITS;

/**
 * Builds the audit CNN: conv3×3(16)-relu-maxpool2 → conv3×3(32)-relu-maxpool2 → dense(64)-relu →
 * dense(numClasses). The size measured in docs/measurements.md#training-schedule-pytorch-reference: big enough to memorize wrong labels when trained
 * long (the ERM model must be able to), small enough to train at ~1 000 samples/s on one CPU core.
 * Weights are He-initialised from `seed`, so two runs with the same seed start identically.
 *
 * Written with raw ops rather than tfjs-layers: the fused conv/matmul+bias+relu kernels are the
 * fastest path on wasm, and the training loop needs nothing else from a layers model.
 */
export function createCnn(spec: CnnSpec, seed: number): Cnn {
  const { inputSize, channels, numClasses } = spec;
  if (!Number.isInteger(inputSize) || inputSize < 8 || inputSize > 256) {
    throw new AuditError('badOption', `Expected the image size to be an integer from 8 to 256, but got ${inputSize}.`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new AuditError('badOption', `Expected 1 or 3 image channels, but got ${channels}.`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new AuditError('badOption', `Expected at least 2 classes, but got ${numClasses}.`);
  }
  const random = new Random(seed);
  const pooledSide = Math.ceil(Math.ceil(inputSize / 2) / 2);
  const flatSize = pooledSide * pooledSide * CONV2_FILTERS;

  const conv1 = heNormal(random, [3, 3, channels, CONV1_FILTERS], 9 * channels);
  const bias1 = zerosVariable(CONV1_FILTERS);
  const conv2 = heNormal(random, [3, 3, CONV1_FILTERS, CONV2_FILTERS], 9 * CONV1_FILTERS);
  const bias2 = zerosVariable(CONV2_FILTERS);
  const dense1 = heNormal(random, [flatSize, HIDDEN_UNITS], flatSize);
  const bias3 = zerosVariable(HIDDEN_UNITS);
  const dense2 = heNormal(random, [HIDDEN_UNITS, numClasses], HIDDEN_UNITS);
  const bias4 = zerosVariable(numClasses);
  const variables = [conv1, bias1, conv2, bias2, dense1, bias3, dense2, bias4];

  const forward = (x: tf.Tensor4D) => {
    let h: tf.Tensor4D = tf.fused.conv2d({
      x,
      filter: conv1 as tf.Tensor4D,
      bias: bias1,
      strides: 1,
      pad: 'same',
      activation: 'relu',
    });
    h = tf.maxPool(h, 2, 2, 'same');
    h = tf.fused.conv2d({
      x: h,
      filter: conv2 as tf.Tensor4D,
      bias: bias2,
      strides: 1,
      pad: 'same',
      activation: 'relu',
    });
    h = tf.maxPool(h, 2, 2, 'same');
    return denseTail(tf.reshape(h, [-1, flatSize]) as tf.Tensor2D, [dense1, bias3, dense2, bias4]);
  };
  return { spec, ...network(variables, forward) };
}

/**
 * The last two layers, dense(64)-relu → dense(K), shared by the CNN and the heads on embeddings
 * (head.ts): the hidden activations (the embedding) and the logits.
 */
export function denseTail(
  x: tf.Tensor2D,
  [dense1, bias1, dense2, bias2]: readonly tf.Variable[],
): { hidden: tf.Tensor2D; logits: tf.Tensor2D } {
  const hidden = tf.fused.matMul({ a: x, b: dense1 as tf.Tensor2D, bias: bias1, activation: 'relu' }) as tf.Tensor2D;
  return { hidden, logits: tf.fused.matMul({ a: hidden, b: dense2 as tf.Tensor2D, bias: bias2 }) as tf.Tensor2D };
}

/** A network's methods from its variables and forward pass: each call in its own tidy, dispose frees the weights. */
export function network<X extends tf.Tensor>(
  variables: tf.Variable[],
  forward: (x: X) => { hidden: tf.Tensor2D; logits: tf.Tensor2D },
) {
  return {
    variables,
    logits: (x: X) => tf.tidy(() => forward(x).logits),
    forward: (x: X) => tf.tidy(() => forward(x)),
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}

/** A weight variable drawn from He's normal initialisation (std √(2 / fanIn)). */
export function heNormal(random: Random, shape: number[], fanIn: number): tf.Variable {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < values.length; i++) values[i] = random.normal() * std;
  // tidy frees the initial tensor; the variable keeps its own reference to the data.
  return tf.tidy(() => tf.variable(tf.tensor(values, shape)));
}

export function zerosVariable(size: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros([size])));
}
