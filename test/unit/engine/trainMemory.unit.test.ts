import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { trainModel } from '../../../src/core/training/train';
import type { ImageSet } from '../../../src/core/shared/types';
import { chooseBackend } from '../../../src/engine/backend';
import { realImages, SOURCE_SIZE } from '../../helpers/realImages';

const COUNT = 96;
const { images, labels } = realImages(COUNT, { seed: 3, classes: [0, 1, 2] });
const imageSet: ImageSet = {
  size: SOURCE_SIZE,
  channels: 1,
  count: COUNT,
  pixels: Uint8Array.from(images.flatMap((image) => Array.from(image))),
};
const given = Int32Array.from(labels, (label) => [0, 1, 2].indexOf(label));

before(async () => {
  await chooseBackend('wasm');
});

for (const kind of ['erm', 'mixup'] as const) {
  test(`${kind} training on wasm holds the same number of tensors and wasm buffers after every epoch`, async () => {
    const tensors: number[] = [];
    const buffers: number[] = [];
    const result = await trainModel(
      imageSet,
      given,
      3,
      { kind, alpha: 8, sampleSteps: 4 * COUNT, batchSize: 32, learningRate: 0.01, schedule: 'one-cycle', seed: 1 },
      {
        onEpoch: () => {
          tensors.push(tf.memory().numTensors);
          buffers.push(tf.backend().numDataIds());
        },
      },
    );
    assert.equal(tensors.length, 4, 'one reading per epoch');
    // After the first epoch (which creates the optimizer's moment variables) nothing accumulates.
    assert.deepEqual(
      tensors.slice(1),
      [tensors[1], tensors[1], tensors[1]],
      `tensors per epoch: ${tensors.join(', ')}`,
    );
    assert.deepEqual(
      buffers.slice(1),
      [buffers[1], buffers[1], buffers[1]],
      `wasm buffers per epoch: ${buffers.join(', ')}`,
    );
    result.model.dispose();
  });
}
