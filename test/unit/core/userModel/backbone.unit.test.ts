import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { runAudit } from '../../../../src/core/audit';
import { loadDataset } from '../../../../src/core/data/dataset';
import { decodeImages, fileHashes } from '../../../../src/core/data/decode';
import { AuditError } from '../../../../src/core/errors';
import { backboneEmbeddings } from '../../../../src/core/userModel/backboneEmbeddings';
import { BACKBONE_SIDECAR, loadBackbone } from '../../../../src/core/userModel/backboneModel';
import { readEmbeddingCache } from '../../../../src/core/userModel/embeddingCache';
import { chooseBackend } from '../../../../src/engine/backend';
import { saveLayersModel, smallCnn, writeMobileNetV2 } from '../../../helpers/backbones';
import { realImages, writeDataset } from '../../../helpers/realImages';
import { useTempDir } from '../../../helpers/tempDir';

// The user's own TensorFlow.js network as `--backbone`: a CNN built and saved here (exact figures
// checked against tfjs's own predict), and nsfwjs's real MobileNetV2 read at an intermediate layer.
const temp = useTempDir('label-audit-backbone-');
let cnnFolder: string;
let cnn: tfl.LayersModel;

before(async () => {
  await chooseBackend('wasm');
  cnnFolder = join(temp.path, 'cnn');
  cnn = smallCnn(28);
  await saveLayersModel(cnn, cnnFolder);
});

/** `count` real fashion images as a folder-per-class dataset under the temp folder. */
async function fashionDataset(name: string, count: number, seed: number): Promise<string> {
  const root = join(temp.path, name);
  const { images, labels, classNames } = realImages(count, { source: 'fashion', seed, classes: [0, 1, 5, 8] });
  await writeDataset(root, { images, labels: labels.map((l) => classNames[l]) }, 'folder');
  return root;
}

async function expectBackboneError(
  folder: string,
  fragment: RegExp,
  overrides: Parameters<typeof loadBackbone>[1] = {},
): Promise<void> {
  await assert.rejects(loadBackbone(folder, overrides), (error: unknown) => {
    assert.ok(AuditError.is(error, 'modelOutputsMalformed'), String(error));
    assert.match((error as Error).message, fragment);
    return true;
  });
}

test('a saved layers model embeds exactly what tfjs computes at the named layer, pooled over space', async () => {
  const backbone = await loadBackbone(cnnFolder, { layer: 'features' });
  assert.deepEqual(
    [backbone.format, backbone.layer, backbone.inputSize, backbone.channels],
    ['layers', 'features', 28, 1],
  );
  const { images } = realImages(5, { source: 'fashion', seed: 2 });
  const pixels = new Uint8Array(images.flatMap((image) => Array.from(image)));
  const got = backbone.embed(pixels, 5, 1);
  const cut = tfl.model({ inputs: cnn.inputs, outputs: cnn.getLayer('features').output as tfl.SymbolicTensor });
  const want = tf.tidy(() =>
    tf
      .mean(cut.predict(tf.div(tf.tensor4d(Float32Array.from(pixels), [5, 28, 28, 1]), 255)) as tf.Tensor, [1, 2])
      .dataSync(),
  );
  assert.equal(got.length, 5 * 8);
  for (let i = 0; i < got.length; i++)
    assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `value ${i}: ${got[i]} vs ${want[i]}`);
  // Without a layer the model's own output is the embedding.
  const whole = await loadBackbone(cnnFolder);
  assert.equal(whole.layer, 'logits');
  assert.equal(whole.embed(pixels, 5, 1).length, 5 * 3);
  backbone.dispose();
  whole.dispose();
});

test('the sidecar sets layer and scaling, the options win over it, and the cache key follows both', async () => {
  await writeFile(join(cnnFolder, BACKBONE_SIDECAR), JSON.stringify({ layer: 'features', pixels: '-1,1' }));
  const fromSidecar = await loadBackbone(cnnFolder);
  const overridden = await loadBackbone(cnnFolder, { layer: 'pool', pixels: '0,1' });
  const plain = await loadBackbone(cnnFolder, { pixels: '0,1' });
  assert.deepEqual([fromSidecar.layer, fromSidecar.pixels], ['features', '-1,1']);
  assert.deepEqual([overridden.layer, overridden.pixels], ['pool', '0,1']);
  assert.notEqual(fromSidecar.hash, plain.hash, 'another scaling is another cache');
  // 'features' and 'pool' give the same vector: the pooling of a feature map is the pool layer.
  const { images } = realImages(2, { seed: 4 });
  const pixels = new Uint8Array(images.flatMap((image) => Array.from(image)));
  const a = plain.embed(pixels, 2, 1);
  const b = overridden.embed(pixels, 2, 1);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5);
  for (const backbone of [fromSidecar, overridden, plain]) backbone.dispose();
  await writeFile(join(cnnFolder, BACKBONE_SIDECAR), JSON.stringify({ layers: 'features' }));
  await expectBackboneError(
    cnnFolder,
    /label-audit\.json: "layers" is not a setting \(known: layer, pixels, inputSize\)/,
  );
  await writeFile(join(cnnFolder, BACKBONE_SIDECAR), JSON.stringify({ pixels: '0-1' }));
  await expectBackboneError(cnnFolder, /pixels must be one of 0,1 \| -1,1 \| 0,255 \| imagenet, not "0-1"/);
  await writeFile(join(cnnFolder, BACKBONE_SIDECAR), '{}');
});

test('a bad backbone folder fails at the door, naming the file and the problem', async () => {
  await expectBackboneError(join(temp.path, 'nowhere'), /nowhere.model\.json: it cannot be read/);
  await expectBackboneError(cnnFolder, /has no layer "featurs" \(closest: "features"; 4 layers, the last "logits"\)/, {
    layer: 'featurs',
  });
  const model = JSON.parse(await readFile(join(cnnFolder, 'model.json'), 'utf8'));
  const broken = join(temp.path, 'broken');
  for (const [name, change] of [
    ['escape', (m: typeof model) => (m.weightsManifest[0].paths = ['../cnn/weights.bin'])],
    ['absent', (m: typeof model) => (m.weightsManifest[0].paths = ['gone.bin'])],
  ] as const) {
    const copy = structuredClone(model);
    change(copy);
    await saveJson(join(broken, name), copy);
  }
  await expectBackboneError(
    join(broken, 'escape'),
    /weight path "\.\.\/cnn\/weights\.bin" leads outside the model's folder/,
  );
  await expectBackboneError(join(broken, 'absent'), /gone\.bin: it cannot be read \(named in .*model\.json\)/);
  await saveJson(join(broken, 'not-a-model'), { hello: 'world' });
  await expectBackboneError(join(broken, 'not-a-model'), /it has no modelTopology and weightsManifest/);
});

test('runAudit with --backbone: every image embedded once, neighbours from them, a second audit reads the cache', async () => {
  const root = await fashionDataset('fashion-backbone', 48, 9);
  const audit = () =>
    runAudit(root, {
      backend: 'wasm',
      epochs: 1,
      batchSize: 16,
      imageSize: 28,
      ownModel: { backbone: cnnFolder, backboneLayer: 'features' },
    });
  const first = (await audit()).report;
  const own = first.settings.ownModel;
  assert.deepEqual(first.ownModel?.embeddings, { covered: 48, missing: 0, dimensions: 8 });
  assert.deepEqual(
    [
      own?.backbone,
      first.ownModel?.backbone?.layer,
      first.ownModel?.backbone?.computed,
      first.ownModel?.backbone?.cacheHits,
    ],
    [cnnFolder, 'features', 48, 0],
  );
  const cacheFiles = (await readdir(join(root, '.label-audit', 'cache'))).filter((f) => f.startsWith('embeddings-'));
  assert.equal(cacheFiles.length, 1);
  const cached = await readEmbeddingCache(join(root, '.label-audit', 'cache', cacheFiles[0]));
  assert.equal(cached.size, 48);
  assert.ok(first.samples.filter((s) => s.neighbours).length > 0, 'neighbour strips come from the backbone');
  const second = (await audit()).report;
  assert.deepEqual([second.ownModel?.backbone?.computed, second.ownModel?.backbone?.cacheHits], [0, 48]);
  assert.deepEqual(
    second.samples.map((s) => s.neighbours),
    first.samples.map((s) => s.neighbours),
    'the cached vectors give the same neighbours',
  );
  // Heads on the backbone's vectors instead of CNNs on the pixels: the log says so, the report records it.
  const messages: string[] = [];
  const heads = (
    await runAudit(
      root,
      {
        backend: 'wasm',
        epochs: 2,
        batchSize: 16,
        heads: 'embeddings',
        ownModel: { backbone: cnnFolder, backboneLayer: 'features' },
      },
      { onProgress: (p) => p.message && messages.push(p.message) },
    )
  ).report;
  assert.equal(heads.settings.heads, 'embeddings');
  assert.ok(
    messages.includes('training heads on your 8-dimensional embeddings instead of CNNs on the pixels'),
    messages.join('\n'),
  );
  assert.equal(heads.samples.length, 48);
  await assert.rejects(
    runAudit(root, { backend: 'wasm', ownModel: { backbone: cnnFolder, embeddings: join(root, 'e.csv') } }),
    /--embeddings\) or from a backbone \(--backbone\), not both/,
  );
});

test("nsfwjs's real MobileNetV2, read at block_13_expand_relu, groups real fashion photos by class", async () => {
  const folder = join(temp.path, 'mobilenet_v2');
  await writeMobileNetV2(folder);
  const backbone = await loadBackbone(folder, { layer: 'block_13_expand_relu' });
  assert.deepEqual([backbone.format, backbone.inputSize, backbone.channels], ['layers', 224, 3]);
  const root = await fashionDataset('fashion-mobilenet', 40, 12);
  const dataset = await loadDataset(root);
  const decoded = await decodeImages(dataset, { size: 28 });
  const progress: number[] = [];
  const run = await backboneEmbeddings(backbone, dataset, decoded.kept, fileHashes(decoded), {
    onProgress: (done) => progress.push(done),
  });
  backbone.dispose();
  const { values, width, covered } = run.embeddings;
  assert.equal(width, 576);
  assert.equal(
    covered.reduce((a, b) => a + b, 0),
    40,
  );
  assert.deepEqual(progress, [0, 40]);
  // Leave-one-out nearest neighbour on cosine: 4 classes, so chance is 0.25.
  const labels = decoded.kept.map((i) => dataset.samples[i].label);
  let agree = 0;
  for (let i = 0; i < 40; i++) {
    let best = -1;
    let bestCosine = -2;
    for (let j = 0; j < 40; j++) {
      if (j === i) continue;
      let cosine = 0;
      for (let c = 0; c < width; c++) cosine += values[i * width + c] * values[j * width + c];
      if (cosine > bestCosine) [best, bestCosine] = [j, cosine];
    }
    agree += labels[best] === labels[i] ? 1 : 0;
  }
  assert.ok(agree / 40 >= 0.75, `nearest neighbour shares the class for ${agree} of 40`);
});

test('a graph model (a TensorFlow GraphDef as tensorflowjs_converter writes it) is read at a named node', async () => {
  const folder = join(temp.path, 'graph');
  const kernel = Float32Array.from({ length: 3 * 3 * 1 * 2 }, (_, i) => Math.sin(i + 1));
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'weights.bin'), Buffer.from(kernel.buffer));
  await writeFile(join(folder, 'model.json'), JSON.stringify(convReluGraph(8, 'weights.bin')));
  const backbone = await loadBackbone(folder, { layer: 'relu' });
  assert.deepEqual([backbone.format, backbone.layer, backbone.inputSize, backbone.channels], ['graph', 'relu', 8, 1]);
  const pixels = Uint8Array.from({ length: 2 * 64 }, (_, i) => (i * 37) % 256);
  const got = backbone.embed(pixels, 2, 1);
  const want = tf.tidy(() => {
    const x = tf.div(tf.tensor4d(Float32Array.from(pixels), [2, 8, 8, 1]), 255);
    return tf
      .mean(tf.relu(tf.conv2d(x as tf.Tensor4D, tf.tensor4d(kernel, [3, 3, 1, 2]), 1, 'valid')), [1, 2])
      .dataSync();
  });
  assert.equal(got.length, 4);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `value ${i}: ${got[i]} vs ${want[i]}`);
  backbone.dispose();
  await expectBackboneError(folder, /has no layer "Relu" \(closest: "relu"/, { layer: 'Relu' });
});

/** image (Placeholder, NHWC gray) → conv (Conv2D, 3×3, 2 filters, VALID) → relu, in GraphDef JSON. */
function convReluGraph(size: number, weightsFile: string): unknown {
  const s = (text: string) => Buffer.from(text).toString('base64');
  const ones = { list: { i: ['1', '1', '1', '1'] } };
  const dims = (...sizes: number[]) => ({ dim: sizes.map((n) => ({ size: String(n) })) });
  return {
    format: 'graph-model',
    generatedBy: 'label-audit tests',
    modelTopology: {
      node: [
        {
          name: 'image',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims(-1, size, size, 1) } },
        },
        {
          name: 'kernel',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(3, 3, 1, 2) } },
          },
        },
        {
          name: 'conv',
          op: 'Conv2D',
          input: ['image', 'kernel'],
          attr: {
            T: { type: 'DT_FLOAT' },
            strides: ones,
            dilations: ones,
            padding: { s: s('VALID') },
            data_format: { s: s('NHWC') },
          },
        },
        { name: 'relu', op: 'Relu', input: ['conv'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: [weightsFile], weights: [{ name: 'kernel', shape: [3, 3, 1, 2], dtype: 'float32' }] }],
  };
}

async function saveJson(folder: string, value: unknown): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'model.json'), JSON.stringify(value));
}
