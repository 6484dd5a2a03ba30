// The webgpu backend (tfjs-backend-webgpu on Dawn) against the cpu backend, on whatever adapter this
// machine has. A machine without a GPU gets llvmpipe, Mesa's software Vulkan, from
// scripts/install-vulkan-driver.sh. llvmpipe takes ~1 s per training step, so the trainings here are
// a few steps long.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createCnn } from '../../../src/core/training/model';
import { trainModel, type TrainConfig } from '../../../src/core/training/train';
import type { ImageSet } from '../../../src/core/shared/types';
import { chooseBackend } from '../../../src/engine/backend';
import { installWebgpu, vulkanLoaderFound, type WebgpuAdapter } from '../../../src/engine/webgpuAdapter';
import { REPO } from '../../helpers/repo';
import { realImages, SOURCE_SIZE } from '../../helpers/realImages';

// Mesa prints "XDG_RUNTIME_DIR is invalid or not set" on every start without it.
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'xdg-'));

const NO_DRIVER =
  'webgpu tests skipped: Dawn finds no WebGPU adapter here; run `sudo bash scripts/install-vulkan-driver.sh` (Mesa 25 from bookworm-backports gives a software one)';

let adapter: WebgpuAdapter | undefined;
before(async () => {
  adapter = await installWebgpu();
  if (adapter === undefined && process.env.CI === 'true')
    assert.fail(NO_DRIVER.replace('tests skipped', 'tests cannot run in CI'));
  if (adapter === undefined) console.log(NO_DRIVER);
});

const CLASSES = [0, 1, 2];
const COUNT = 48;
const { images, labels } = realImages(COUNT, { seed: 5, classes: CLASSES });
const imageSet: ImageSet = {
  size: SOURCE_SIZE,
  channels: 1,
  count: COUNT,
  pixels: Uint8Array.from(images.flatMap((image) => Array.from(image))),
};
const given = Int32Array.from(labels, (label) => CLASSES.indexOf(label));

/** The audit CNN's weight gradients of the cross-entropy on the real digits, on the current backend. */
async function auditCnnGradients(): Promise<Float32Array[]> {
  const cnn = createCnn({ inputSize: SOURCE_SIZE, channels: 1, numClasses: CLASSES.length }, 7);
  const grads = tf.tidy(() => {
    const x = tf.tensor4d(
      Float32Array.from(imageSet.pixels, (v) => v / 255),
      [COUNT, SOURCE_SIZE, SOURCE_SIZE, 1],
    );
    const y = tf.oneHot(tf.tensor1d(given, 'int32'), CLASSES.length);
    return tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, cnn.logits(x)) as tf.Scalar, [...cnn.variables])
      .grads;
  });
  try {
    // Read asynchronously: tfjs-backend-webgpu's synchronous read needs OffscreenCanvas, absent in Node.
    return await Promise.all(cnn.variables.map(async (v) => (await grads[v.name].data()) as Float32Array));
  } finally {
    tf.dispose(grads);
    cnn.dispose();
  }
}

const SHORT_TRAINING: TrainConfig = {
  kind: 'mixup',
  alpha: 8,
  sampleSteps: 3 * COUNT,
  batchSize: 24,
  learningRate: 0.01,
  schedule: 'one-cycle',
  seed: 3,
};

describe('webgpu', () => {
  test('auto never takes a software adapter, an explicit webgpu does and names it', async (t) => {
    if (adapter === undefined) return t.skip(NO_DRIVER);
    const auto = await chooseBackend('auto');
    if (adapter.software) {
      assert.notEqual(auto.name, 'webgpu');
      const webgpu = auto.tried.find((tried) => tried.backend === 'webgpu');
      assert.ok(webgpu, `auto tried webgpu: ${JSON.stringify(auto.tried)}`);
      assert.match(webgpu.error, /only a software adapter \(.+\), slower than wasm/);
      assert.ok(auto.reason.includes(adapter.info.description), auto.reason);
    } else {
      assert.equal(auto.name, 'webgpu', auto.reason);
    }
    const explicit = await chooseBackend('webgpu');
    assert.equal(explicit.name, 'webgpu');
    assert.equal(tf.getBackend(), 'webgpu');
    assert.deepEqual(explicit.adapter, adapter);
    assert.ok(explicit.reason.includes(adapter.label), explicit.reason);
    assert.match(explicit.reason, adapter.software ? /software adapter/ : /hardware adapter/);
  });

  test("the audit CNN's gradients on webgpu equal the cpu backend's", async (t) => {
    if (adapter === undefined) return t.skip(NO_DRIVER);
    await chooseBackend('webgpu');
    const onGpu = await auditCnnGradients();
    await chooseBackend('cpu');
    const onCpu = await auditCnnGradients();
    onCpu.forEach((expected, layer) => {
      const scale = Math.max(...expected.map(Math.abs));
      assert.ok(scale > 0, `layer ${layer} has a gradient`);
      const worst = Math.max(...expected.map((e, i) => Math.abs(onGpu[layer][i] - e)));
      assert.ok(worst < 1e-3 * scale, `layer ${layer}: largest difference ${worst} against a scale of ${scale}`);
    });
  });

  test('a short mixup training on webgpu: the losses of the cpu backend, and no GPU memory growth', async (t) => {
    if (adapter === undefined) return t.skip(NO_DRIVER);
    const train = async (backend: 'webgpu' | 'cpu') => {
      await chooseBackend(backend);
      const memory: { tensors: number; gpuBytes: number }[] = [];
      const result = await trainModel(imageSet, given, CLASSES.length, SHORT_TRAINING, {
        onEpoch: () => {
          const { numTensors, numBytesInGPU } = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
          memory.push({ tensors: numTensors, gpuBytes: numBytesInGPU ?? 0 });
        },
      });
      result.model.dispose();
      return { losses: result.epochSummaries.map((e) => e.meanLoss), memory };
    };
    const gpu = await train('webgpu');
    const cpu = await train('cpu');
    assert.equal(gpu.losses.length, 3);
    gpu.losses.forEach((loss, epoch) =>
      assert.ok(
        Math.abs(loss - cpu.losses[epoch]) < 1e-3 * Math.max(1, cpu.losses[epoch]),
        `epoch ${epoch + 1}: ${loss} vs ${cpu.losses[epoch]}`,
      ),
    );
    // After the first epoch (which creates Adam's moment variables) the tensors and GPU buffers in use stay put.
    const [, ...later] = gpu.memory;
    for (const reading of later) assert.deepEqual(reading, later[0], `memory per epoch: ${JSON.stringify(gpu.memory)}`);
    assert.ok(later[0].gpuBytes > 0, 'the weights live in GPU buffers');
  });

  test('where Dawn finds no adapter, auto falls back cleanly and an explicit webgpu says what is missing', async () => {
    // A child process: the Vulkan loader reads VK_ICD_FILENAMES once, when Dawn first loads.
    const script = `
      const { chooseBackend } = require(${JSON.stringify(join(REPO, 'src/engine/backend.ts'))});
      (async () => {
        const auto = await chooseBackend('auto');
        let explicit;
        try { await chooseBackend('webgpu'); } catch (error) { explicit = error.message; }
        console.log(JSON.stringify({ name: auto.name, tried: auto.tried, explicit }));
      })();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: REPO,
      env: { ...process.env, VK_ICD_FILENAMES: join(tmpdir(), 'no-such-vulkan-driver.json') },
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      name: string;
      tried: { backend: string; error: string }[];
      explicit?: string;
    };
    assert.equal(result.name, 'wasm');
    // Without even the Vulkan loader (a machine where scripts/install-vulkan-driver.sh has not run)
    // Dawn is not loaded at all, and the reason says so.
    const why = vulkanLoaderFound()
      ? 'Dawn found no WebGPU adapter (no GPU driver it can use)'
      : 'no Vulkan loader (libvulkan.so.1) is installed, so Dawn has no GPU driver to use';
    assert.deepEqual(
      result.tried.find((tried) => tried.backend === 'webgpu'),
      { backend: 'webgpu', error: why },
    );
    assert.match(
      result.explicit ?? '',
      /The webgpu backend was requested but (Dawn found no WebGPU adapter|no Vulkan loader) .* Vulkan/,
    );
  });
});

test('the Vulkan loader is looked for where the dynamic linker looks, on Linux only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vulkan-loader-'));
  const noCache = join(dir, 'no-ld.so.cache');
  writeFileSync(join(dir, 'libvulkan.so.1'), '');
  assert.equal(vulkanLoaderFound({ LD_LIBRARY_PATH: `/nowhere:${dir}` }, 'linux', noCache), true);
  const cache = join(dir, 'ld.so.cache');
  writeFileSync(cache, 'glibc-ld.so.cache1.1\0libvulkan.so.1\0/usr/lib/x86_64-linux-gnu/libvulkan.so.1\0');
  assert.equal(vulkanLoaderFound({}, 'linux', cache), true);
  assert.equal(vulkanLoaderFound({}, 'darwin', noCache), true, 'Metal needs no Vulkan loader');
  assert.equal(vulkanLoaderFound({}, 'win32', noCache), true);
  const onDisk = ['/lib', '/usr/lib', '/usr/lib/x86_64-linux-gnu'].some((d) => existsSync(join(d, 'libvulkan.so.1')));
  assert.equal(vulkanLoaderFound({ LD_LIBRARY_PATH: '/nowhere' }, 'linux', noCache), onDisk);
});
