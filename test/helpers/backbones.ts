// TensorFlow.js models written to disk as a user's `--backbone` folder: one built here, and the real
// ImageNet-derived MobileNetV2 that the npm package nsfwjs ships inside its files.
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const require = createRequire(__filename);

/** Saves `model` in TensorFlow.js format to `folder` (model.json + one weight file), as tfjs's `model.save('file://…')` does. */
export async function saveLayersModel(model: tfl.LayersModel, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(artifacts.weightData as ArrayBuffer);
      await writeFile(join(folder, 'weights.bin'), weights);
      const json = {
        format: 'layers-model',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(folder, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** A small seeded CNN on `size`² gray images: conv → relu ("features", 4×4×8 maps) → pool → dense. */
export function smallCnn(size: number, seed = 7): tfl.LayersModel {
  const init = () => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [size, size, 1],
        filters: 8,
        kernelSize: 3,
        strides: 2,
        kernelInitializer: init(),
        name: 'conv',
      }),
      tfl.layers.activation({ activation: 'relu', name: 'features' }),
      tfl.layers.globalAveragePooling2d({ name: 'pool' }),
      tfl.layers.dense({ units: 3, kernelInitializer: init(), name: 'logits' }),
    ],
  });
}

/**
 * Writes nsfwjs's MobileNetV2 (224×224×3, Keras layers model, quantized weights) to `folder` as
 * tensorflowjs_converter lays it out: model.json and its weight shard. The package keeps both as
 * JavaScript modules, loaded on demand (the topology as an object, the shard base64-encoded).
 */
export async function writeMobileNetV2(folder: string): Promise<void> {
  const { MobileNetV2Model } = require('nsfwjs/models/mobilenet_v2') as { MobileNetV2Model: NsfwModel };
  const json = unwrap(await MobileNetV2Model.modelJson()) as tf.io.ModelJSON;
  const shard = unwrap(await MobileNetV2Model.weightBundles[0]()) as string;
  await mkdir(folder, { recursive: true });
  const paths = json.weightsManifest[0].paths;
  await writeFile(join(folder, paths[0]), Buffer.from(shard, 'base64'));
  await writeFile(join(folder, 'model.json'), JSON.stringify(json));
}

/** How nsfwjs exposes a bundled model: functions importing its topology and weight shards. */
interface NsfwModel {
  modelJson(): Promise<unknown>;
  weightBundles: (() => Promise<unknown>)[];
}

/** The value of a module that may come wrapped as `{ default: value }`. */
function unwrap(module: unknown): unknown {
  return module && typeof module === 'object' && 'default' in module
    ? (module as { default: unknown }).default
    : module;
}
