import type * as tf from '@tensorflow/tfjs-core';
import { denseTail, EMBEDDING_SIZE, heNormal, network, zerosVariable } from './model';
import { Random } from './random';

/**
 * The classifier trained on the user's embeddings with `--heads embeddings`: dense(64)-relu →
 * dense(numClasses), the audit CNN's own last two layers. The same width as the CNN's penultimate
 * layer, so its hidden activations are embeddings of the size the rest of the audit expects; one
 * hidden layer, so the ERM head can still memorize wrong labels (a linear head on well-separated
 * features often cannot), which is what the ERM-vs-mixup evidence needs.
 */
export interface Head {
  readonly width: number;
  readonly numClasses: number;
  readonly variables: readonly tf.Variable[];
  logits(x: tf.Tensor): tf.Tensor2D;
  forward(x: tf.Tensor): { readonly hidden: tf.Tensor2D; readonly logits: tf.Tensor2D };
  dispose(): void;
}

/** A fresh head for `width`-dimensional embeddings, He-initialised from `seed`. */
export function createHead(width: number, numClasses: number, seed: number): Head {
  const random = new Random(seed);
  const dense1 = heNormal(random, [width, EMBEDDING_SIZE], width);
  const bias1 = zerosVariable(EMBEDDING_SIZE);
  const dense2 = heNormal(random, [EMBEDDING_SIZE, numClasses], EMBEDDING_SIZE);
  const bias2 = zerosVariable(numClasses);
  const variables = [dense1, bias1, dense2, bias2];
  return { width, numClasses, ...network(variables, (x: tf.Tensor) => denseTail(x as tf.Tensor2D, variables)) };
}
