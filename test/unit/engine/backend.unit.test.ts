import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { AuditError } from '../../../src/core/errors';
import { bridgeBackend, chooseBackend, type TfjsRegistry } from '../../../src/engine/backend';
import { realImages, SOURCE_SIZE } from '../../helpers/realImages';

// Mesa prints "XDG_RUNTIME_DIR is invalid or not set" when auto probes WebGPU without it.
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'xdg-'));

// tfjs is one engine per process and these tests run in order, so the first ones see a wasm backend
// that has not been initialised yet.

test('a wasmDir without the .wasm files is refused with a message naming the folder', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-wasm-'));
  try {
    await assert.rejects(chooseBackend('wasm', { wasmDir: empty }), (error: unknown) => {
      assert.ok(AuditError.is(error, 'backendUnavailable'), String(error));
      assert.match(error.message, /tfjs-backend-wasm-simd\.wasm not found/);
      assert.ok(error.message.includes(empty), error.message);
      return true;
    });
  } finally {
    rmSync(empty, { recursive: true });
  }
});

test('auto picks wasm here and says tfjs-node is not installed', async () => {
  const crashListeners = process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection');
  const lines: string[] = [];
  const choice = await chooseBackend('auto', { log: (line) => lines.push(line) });
  assert.equal(choice.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(choice.preference, 'auto');
  assert.equal(choice.started, 'wasm', 'what the training workers are told to start');
  assert.match(choice.reason, /^wasm \(SIMD, 1 thread: tfjs-backend-wasm cannot start worker threads in Node\): /);
  assert.match(choice.reason, /@tensorflow\/tfjs-node is not installed/);
  assert.deepEqual(
    choice.tried.map((t) => t.backend),
    ['tensorflow-gpu', 'webgpu', 'tensorflow'],
  );
  const [gpu, webgpu, tensorflow] = choice.tried.map((t) => t.error);
  assert.deepEqual(
    [gpu, tensorflow],
    ['@tensorflow/tfjs-node-gpu is not installed', '@tensorflow/tfjs-node is not installed'],
  );
  // No GPU here: Dawn offers llvmpipe (scripts/install-vulkan-driver.sh), which auto refuses, or nothing
  // (without even a Vulkan loader Dawn is not loaded at all).
  assert.match(
    webgpu,
    /^(WebGPU offers only a software adapter \(.+\), slower than wasm|Dawn found no WebGPU adapter .*|no Vulkan loader \(libvulkan\.so\.1\) is installed, .*)$/,
  );
  assert.equal(lines.length, 4, lines.join('\n'));
  // The wasm glue's rethrowing crash handlers were removed again.
  assert.equal(
    process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection'),
    crashListeners,
  );
});

for (const preference of ['tensorflow', 'tensorflow-gpu'] as const) {
  test(`an explicit '${preference}' that is not installed throws backendUnavailable with the fix`, async () => {
    const packageName = preference === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
    await assert.rejects(chooseBackend(preference), (error: unknown) => {
      assert.ok(AuditError.is(error, 'backendUnavailable'), String(error));
      assert.ok(error.message.includes(`${packageName} is not installed`), error.message);
      assert.ok(error.message.includes(`npm install ${packageName}`), error.message);
      return true;
    });
    // No silent fallback, and nothing switched.
    assert.equal(tf.getBackend(), 'wasm');
  });
}

test("'cpu' works, and an explicit 'wasm' switches back", async () => {
  const cpu = await chooseBackend('cpu');
  assert.deepEqual([cpu.name, tf.getBackend(), cpu.tried.length], ['cpu', 'cpu', 0]);
  assert.match(cpu.reason, /^cpu .*: requested$/);
  const wasm = await chooseBackend('wasm');
  assert.deepEqual([wasm.name, tf.getBackend()], ['wasm', 'wasm']);
});

test('the chosen backend trains a conv layer: its filter gradient equals the cpu one', async () => {
  const digits = realImages(4, { seed: 2 }).images;
  const filterGradient = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(digits.flatMap((d) => Array.from(d, (v) => v / 255))), [
        4,
        SOURCE_SIZE,
        SOURCE_SIZE,
        1,
      ]);
      const filter = tf.tensor4d(
        Float32Array.from({ length: 9 * 2 }, (_, i) => Math.cos(i)),
        [3, 3, 1, 2],
      );
      return tf
        .grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 2, 'same'))))(filter)
        .dataSync();
    });
  const choice = await chooseBackend('auto');
  const onChosen = filterGradient();
  await chooseBackend('cpu');
  const onCpu = filterGradient();
  await chooseBackend(choice.preference);
  const scale = Math.max(...onCpu.map(Math.abs));
  assert.ok(scale > 0);
  onCpu.forEach((expected, i) =>
    assert.ok(Math.abs(onChosen[i] - expected) < 1e-4 * scale, `element ${i}: ${onChosen[i]} vs ${expected}`),
  );
});

/** A stand-in for another tfjs-core copy that registered a backend our registry has never seen. */
function fakeForeign(name: string): TfjsRegistry & { kernels: tf.KernelConfig[] } {
  const kernels: tf.KernelConfig[] = ['Square', 'Add'].map((kernelName) => ({
    ...tf.getKernel(kernelName, 'cpu'),
    backendName: name,
  }));
  return {
    kernels,
    findBackendFactory: (backend) => (backend === name ? () => new MathBackendCPU() : null),
    getKernelsForBackend: (backend) => (backend === name ? kernels : []),
  };
}

test('bridgeBackend copies a foreign backend and its kernels into our registry, once', async () => {
  const name = 'foreign-test';
  const foreign = fakeForeign(name);
  try {
    assert.equal(tf.findBackendFactory(name), null);
    assert.equal(bridgeBackend(foreign, name), 'bridged');
    for (const kernel of foreign.kernels) assert.equal(tf.getKernel(kernel.kernelName, name), kernel);
    assert.equal(await tf.setBackend(name), true);
    const y = tf.add(tf.square(tf.tensor1d([1, 2, 3])), tf.scalar(1));
    assert.deepEqual(Array.from(y.dataSync()), [2, 5, 10]);
    // Now our registry knows it: a second call changes nothing.
    assert.equal(bridgeBackend(foreign, name), 'shared');
  } finally {
    await tf.setBackend('wasm');
    tf.removeBackend(name);
    for (const kernel of foreign.kernels) tf.unregisterKernel(kernel.kernelName, name);
  }
});

test('bridgeBackend names the backend when the foreign copy did not register it', () => {
  assert.throws(() => bridgeBackend(fakeForeign('something-else'), 'tensorflow'), /registered no "tensorflow" backend/);
});

test('a second copy of tfjs-core (as inside tfjs-node) shares our engine, so bridging is a no-op', (t) => {
  // The copy announces that it re-sets the (shared) platform; expected here.
  t.mock.method(console, 'warn', () => undefined);
  // Load tfjs-core again as a separate module instance, as a bundle or an undeduplicated
  // node_modules would, then put our instance back.
  const ours = Object.keys(require.cache).filter((key) => key.includes(join('@tensorflow', 'tfjs-core')));
  assert.ok(ours.length > 0, 'tfjs-core is loaded through require');
  const saved = ours.map((key) => [key, require.cache[key]] as const);
  for (const key of ours) delete require.cache[key];
  let copy: typeof tf;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second, fresh copy of the module is the point
    copy = require('@tensorflow/tfjs-core') as typeof tf;
  } finally {
    for (const [key, module] of saved) require.cache[key] = module;
  }
  assert.notEqual(copy, tf, 'a distinct module instance');
  assert.equal(copy.engine(), tf.engine(), 'one engine per process, kept on globalThis');
  const name = 'registered-by-copy';
  copy.registerBackend(name, () => new MathBackendCPU());
  try {
    assert.equal(bridgeBackend(copy, name), 'shared');
  } finally {
    copy.removeBackend(name);
  }
});
