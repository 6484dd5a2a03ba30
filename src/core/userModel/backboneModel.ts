/**
 * The user's own TensorFlow.js network on disk (`--backbone <folder>`), loaded as a feature extractor:
 * a layers model or a graph model as `tensorflowjs_converter` writes them (model.json plus weight
 * shards), read from that folder only — nothing is downloaded — and cut at the layer (or graph node)
 * whose pooled output is the embedding.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import {
  loadLayersModel,
  model as functionalModel,
  type LayersModel,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';
import { AuditError } from '../errors';
import { concatBytes } from '../shared/collections';
import { closestName } from './closestName';
import { PIXEL_SCALINGS, type PixelScaling } from './pixelScaling';

/** The optional sidecar beside model.json: how to feed the network and where to cut it. */
export const BACKBONE_SIDECAR = 'label-audit.json';

/** What the user may say about the backbone (sidecar fields, overridden by the CLI's options). */
export interface BackboneSettings {
  /** Layer name (layers model) or node name (graph model) whose output is the embedding; default: the model's output. */
  readonly layer?: string;
  /** Default '0,1'. */
  readonly pixels?: PixelScaling;
  /** Side of the square input; default: the model's input shape, which must then be fixed. */
  readonly inputSize?: number;
}

/** A loaded backbone, ready to embed batches of images. */
export interface Backbone {
  /** The folder it was loaded from. */
  readonly folder: string;
  readonly format: 'layers' | 'graph';
  /** Where the embedding is read, as named in the model. */
  readonly layer: string;
  readonly pixels: PixelScaling;
  readonly inputSize: number;
  /** 1 or 3: what the network takes; gray images are repeated into three channels, colour ones are not reduced. */
  readonly channels: 1 | 3;
  /** SHA-256 over the model files and the settings: the embedding cache's key. */
  readonly hash: string;
  /**
   * Embeds `count` images of inputSize² pixels (uint8, channels last, `imageChannels` per pixel)
   * into a `(count, dimensions)` matrix: the layer's output, averaged over space when it has any.
   */
  embed(pixels: Uint8Array, count: number, imageChannels: 1 | 3): Float32Array;
  /** Frees the weights. */
  dispose(): void;
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/**
 * Loads the model in `folder` on the current tfjs backend.
 *
 * @param overrides Settings given on the command line or in the editor; they win over the sidecar's.
 * @throws AuditError('modelOutputsMalformed') naming the file and the problem: no or unreadable
 *   model.json, a weight file missing or outside the folder, an unknown layer (with the closest
 *   name), an input shape that is not an image, a bad sidecar value.
 */
export async function loadBackbone(folder: string, overrides: BackboneSettings = {}): Promise<Backbone> {
  const modelFile = join(folder, 'model.json');
  const modelBytes = await readFile(modelFile).catch(() =>
    fail(modelFile, 'it cannot be read: a backbone folder holds the model.json that tensorflowjs_converter writes'),
  );
  const json = parseJson(modelFile, modelBytes) as tf.io.ModelJSON;
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest))
    fail(modelFile, 'it has no modelTopology and weightsManifest: it is not a TensorFlow.js model');
  const settings = { ...(await readSidecar(folder)), ...stripUndefined(overrides) };
  const pixels = settings.pixels ?? '0,1';
  if (!PIXEL_SCALINGS.includes(pixels))
    fail(
      join(folder, BACKBONE_SIDECAR),
      `pixels must be one of ${PIXEL_SCALINGS.join(' | ')}, not "${String(pixels)}"`,
    );

  const hash = createHash('sha256').update(modelBytes);
  const weightFiles = json.weightsManifest.flatMap((group) => group.paths);
  const weights: Uint8Array[] = [];
  for (const path of weightFiles) {
    const file = insideFolder(folder, path, modelFile);
    const bytes = await readFile(file).catch(() => fail(file, `it cannot be read (named in ${modelFile})`));
    hash.update(bytes);
    weights.push(bytes);
  }
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => [
        manifest.flatMap((group) => group.weights),
        concatBytes(weights).buffer as ArrayBuffer,
      ]),
  };
  const graph = json.format === 'graph-model' || isGraphTopology(json.modelTopology);
  const loaded = graph
    ? await loadGraphModel(handler).catch((error: unknown) =>
        fail(modelFile, `the graph model does not load: ${message(error)}`),
      )
    : await loadLayersModel(handler).catch((error: unknown) =>
        fail(modelFile, `the layers model does not load: ${message(error)}`),
      );
  const cut = graph
    ? graphCut(loaded as GraphModel, json, settings.layer, modelFile)
    : layersCut(loaded as LayersModel, settings.layer, modelFile);
  const [height, width, channels] = cut.inputShape;
  const inputSize = settings.inputSize ?? (height === width && height > 0 ? height : undefined);
  if (inputSize === undefined)
    fail(
      modelFile,
      `its input shape [${cut.inputShape.map(String).join(', ')}] does not fix a square size: set "inputSize" in ${BACKBONE_SIDECAR}`,
    );
  if (!Number.isInteger(inputSize) || inputSize < 8 || inputSize > 1024)
    fail(join(folder, BACKBONE_SIDECAR), `inputSize must be a whole number from 8 to 1024, not ${inputSize}`);
  if (channels !== 1 && channels !== 3)
    fail(modelFile, `its input takes ${channels} channels per pixel; a backbone takes 1 (gray) or 3 (RGB)`);
  hash.update(JSON.stringify({ layer: cut.layer, pixels, inputSize }));

  return {
    folder,
    format: graph ? 'graph' : 'layers',
    layer: cut.layer,
    pixels,
    inputSize,
    channels,
    hash: hash.digest('hex'),
    embed: (data, count, imageChannels) =>
      tf.tidy(() => {
        const input = scaledInput(data, count, inputSize, imageChannels, channels, pixels);
        const output = cut.run(input);
        // Pooled over space: a feature map becomes one vector per image, whatever its resolution.
        const pooled =
          output.rank > 2
            ? tf.mean(
                output,
                Array.from({ length: output.rank - 2 }, (_, i) => i + 1),
              )
            : output;
        return tf.reshape(pooled, [count, -1]).dataSync() as Float32Array;
      }),
    dispose: () => loaded.dispose(),
  };
}

/** The part of the model that runs: from the input to the chosen layer. */
interface Cut {
  readonly layer: string;
  /** [height, width, channels] of one input image; -1 where the model leaves it open. */
  readonly inputShape: readonly [number, number, number];
  run(input: tf.Tensor4D): tf.Tensor;
}

function layersCut(model: LayersModel, layer: string | undefined, modelFile: string): Cut {
  if (model.inputs.length !== 1) fail(modelFile, `it has ${model.inputs.length} inputs; a backbone takes one image`);
  const inputShape = imageShape(model.inputs[0].shape, modelFile);
  const names = model.layers.map((l) => l.name);
  const name = layer ?? names[names.length - 1];
  if (!names.includes(name)) unknownLayer(modelFile, name, names);
  const output = model.getLayer(name).output;
  if (Array.isArray(output)) fail(modelFile, `layer "${name}" has ${output.length} outputs; name a layer with one`);
  const cut =
    layer === undefined ? model : functionalModel({ inputs: model.inputs, outputs: output as SymbolicTensor });
  return { layer: name, inputShape, run: (input) => cut.predict(input) as tf.Tensor };
}

function graphCut(model: GraphModel, json: tf.io.ModelJSON, layer: string | undefined, modelFile: string): Cut {
  if (model.inputs.length !== 1) fail(modelFile, `it has ${model.inputs.length} inputs; a backbone takes one image`);
  const inputShape = imageShape(model.inputs[0].shape ?? [], modelFile);
  const names = ((json.modelTopology as { node?: { name: string }[] }).node ?? []).map((n) => n.name);
  const name = layer ?? model.outputNodes[0];
  if (layer !== undefined && !names.includes(name)) unknownLayer(modelFile, name, names);
  return { layer: name, inputShape, run: (input) => model.execute(input, name) as tf.Tensor };
}

/** [height, width, channels] from an NHWC input shape. */
function imageShape(shape: readonly (number | null)[], modelFile: string): [number, number, number] {
  if (shape.length !== 4)
    fail(
      modelFile,
      `its input has shape [${shape.map(String).join(', ')}]; a backbone takes images, [batch, height, width, channels]`,
    );
  const [, h, w, c] = shape.map((d) => (d === null || d < 0 ? -1 : d));
  return [h, w, c];
}

function unknownLayer(modelFile: string, name: string, names: readonly string[]): never {
  return fail(
    modelFile,
    `it has no layer "${name}" (closest: "${closestName(name, names)}"; ${names.length} layers, the last "${names[names.length - 1]}")`,
  );
}

/** NHWC float input in the model's scaling, with gray images repeated into RGB when the model wants three channels. */
function scaledInput(
  data: Uint8Array,
  count: number,
  size: number,
  imageChannels: 1 | 3,
  modelChannels: 1 | 3,
  pixels: PixelScaling,
): tf.Tensor4D {
  let x: tf.Tensor4D = tf.tensor4d(Float32Array.from(data), [count, size, size, imageChannels]);
  if (imageChannels !== modelChannels) x = modelChannels === 3 ? tf.tile(x, [1, 1, 1, 3]) : tf.mean(x, 3, true);
  switch (pixels) {
    case '0,1':
      return tf.div(x, 255);
    case '-1,1':
      return tf.sub(tf.div(x, 127.5), 1);
    case '0,255':
      return x;
    case 'imagenet': {
      // Gray models get the green channel's figures, the one closest to luminance.
      const mean = modelChannels === 3 ? IMAGENET_MEAN : [IMAGENET_MEAN[1]];
      const std = modelChannels === 3 ? IMAGENET_STD : [IMAGENET_STD[1]];
      return tf.div(tf.sub(tf.div(x, 255), mean), std);
    }
  }
}

async function readSidecar(folder: string): Promise<BackboneSettings> {
  const file = join(folder, BACKBONE_SIDECAR);
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes) return {};
  const value = parseJson(file, bytes) as Record<string, unknown>;
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(file, 'it must hold a JSON object');
  const known = ['layer', 'pixels', 'inputSize'];
  for (const key of Object.keys(value))
    if (!known.includes(key)) fail(file, `"${key}" is not a setting (known: ${known.join(', ')})`);
  if (value.layer !== undefined && typeof value.layer !== 'string') fail(file, '"layer" must be a layer name');
  if (value.inputSize !== undefined && typeof value.inputSize !== 'number') fail(file, '"inputSize" must be a number');
  return value as BackboneSettings;
}

/** A weight file named in model.json, which must stay inside the model's folder. */
function insideFolder(folder: string, path: string, modelFile: string): string {
  const file = resolve(folder, path);
  const inside = relative(resolve(folder), file);
  if (
    typeof path !== 'string' ||
    inside === '' ||
    inside.startsWith(`..${sep}`) ||
    inside === '..' ||
    isAbsolute(inside)
  )
    fail(modelFile, `weight path "${String(path)}" leads outside the model's folder`);
  return file;
}

function isGraphTopology(topology: unknown): boolean {
  return Boolean(topology && typeof topology === 'object' && Array.isArray((topology as { node?: unknown }).node));
}

function parseJson(file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return fail(file, `it is not valid JSON (${message(error)})`);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fail(file: string, problem: string): never {
  throw new AuditError('modelOutputsMalformed', `--backbone ${file}: ${problem}.`);
}
