// Training throughput per backend, where a training step spends its time, what each of our wasm
// kernel replacements (src/engine/wasm/kernels.ts) adds, and how the wasm filter gradient's
// formulation compares with the alternatives we measured.
//
//   node --import tsx bench/backendThroughput.ts [--size 28] [--wasm-steps 40] [--repeats 2] [--cpu-steps 2] [--skip-cpu]
//
// The model is the audit CNN from src/core/training/model.ts (conv16-pool-conv32-pool-dense64-dense10) on
// size×size×1 real MNIST digits, batch 128, Adam, trained with optimizer.minimize on tf.variable weights.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { createCnn } from '../src/core/training/model';
import { chooseBackend, type BackendPreference } from '../src/engine/backend';
import { registerWasmConvInputGradient } from '../src/engine/wasm/convInputGradient';
import { registerWasmMatMulTranspose } from '../src/engine/wasm/matMulTranspose';
import { registerWasmMaxPoolGradient } from '../src/engine/wasm/maxPoolGradient';
import { flag, numberOption } from './args';
import { benchImageSet } from './data';

const BATCH = 128;
const CLASSES = 10;
const BATCHES = 8;

const SIZE = numberOption('size', 28);

interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
}

/** BATCHES batches of real digits: pixels scaled to [0, 1] and labels, loaded once for every backend. */
async function loadDigits(): Promise<{ pixels: Float32Array; labels: Int32Array }> {
  const { images, labels } = await benchImageSet('mnist', BATCH * BATCHES, { size: SIZE, seed: 1 });
  return { pixels: Float32Array.from(images.pixels, (v) => v / 255), labels };
}

/** The digits as tensors on the active backend, so that the timing is training only. */
function makeBatches({ pixels, labels }: { pixels: Float32Array; labels: Int32Array }): Batch[] {
  const size = SIZE * SIZE;
  return Array.from({ length: BATCHES }, (_, b) =>
    tf.tidy(() => ({
      x: tf.tensor4d(pixels.subarray(b * BATCH * size, (b + 1) * BATCH * size), [BATCH, SIZE, SIZE, 1]),
      y: tf.oneHot(tf.tensor1d(labels.subarray(b * BATCH, (b + 1) * BATCH), 'int32'), CLASSES) as tf.Tensor2D,
    })),
  );
}

/** Trains `steps` steps (after `warmup` untimed ones) on the active backend; returns samples/s. */
async function throughput(
  batches: Batch[],
  steps: number,
  warmup: number,
): Promise<{ samplesPerSecond: number; profile: string }> {
  const model = createCnn({ inputSize: SIZE, channels: 1, numClasses: CLASSES }, 1);
  const optimizer = tf.train.adam(1e-3);
  const step = (i: number) => {
    const { x, y } = batches[i % batches.length];
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.logits(x)) as tf.Scalar, true);
    // Reading the loss waits for the step, as the real training loop does for its progress report.
    loss?.dataSync();
    loss?.dispose();
  };
  for (let i = 0; i < warmup; i++) step(i);
  const start = performance.now();
  for (let i = 0; i < steps; i++) step(i);
  const seconds = (performance.now() - start) / 1000;
  const profile = await profileStep(() => step(0));
  optimizer.dispose();
  model.dispose();
  return { samplesPerSecond: (steps * BATCH) / seconds, profile };
}

/** Per-kernel time of one training step, summed by kernel name, largest first. */
async function profileStep(step: () => void): Promise<string> {
  const info = await tf.profile(step);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const kernel of info.kernels) {
    const ms = await kernel.kernelTimeMs;
    const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof ms === 'number' ? ms : 0;
    entry.calls += 1;
    byKernel.set(kernel.name, entry);
  }
  const total = [...byKernel.values()].reduce((sum, e) => sum + e.ms, 0);
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).filter(([, e]) => e.ms >= total * 0.005);
  return [
    `  one step: ${total.toFixed(1)} ms in kernels (${info.kernels.length} kernel calls)`,
    ...rows.map(
      ([name, e]) =>
        `  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ×${e.calls}`,
    ),
  ].join('\n');
}

// ---- filter-gradient formulations ---------------------------------------------------------------
// The kernel in src/engine/wasm/convFilterGradient.ts is formulation (a): for the first layer (one
// input channel) its patch-matrix product, for the second the transposed convolution (b), which was
// our kernel for every layer before; (c) is another alternative. All for stride 1 'same' 3×3 as in the model.

type FilterGradient = (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number]) => tf.Tensor;

const formulations: Record<string, FilterGradient> = {
  '(a) our kernel (patch matrix × dy for ≤ 4 input channels, else (b))': (x, dy, filterShape) =>
    tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape },
      ) as tf.Tensor,
  '(b) transposes + dilated conv2d (our kernel before)': (x, dy, [kh, kw]) =>
    tf.tidy(() => {
      const padding: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [(kh - 1) >> 1, kh >> 1],
        [(kw - 1) >> 1, kw >> 1],
        [0, 0],
      ];
      const grad = tf.conv2d(
        tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D,
        tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D,
        1,
        padding,
      );
      return tf.transpose(grad, [1, 2, 0, 3]);
    }),
  "(c) wasm's native Conv3DBackpropFilterV2 on depth 1": (x, dy, filterShape) =>
    tf.tidy(() => {
      const [b, h, w, cin] = x.shape;
      const x5 = tf.reshape(x, [b, 1, h, w, cin]);
      const dy5 = tf.reshape(dy, [b, 1, h, w, filterShape[3]]);
      const grad = tf
        .engine()
        .runKernel(
          'Conv3DBackpropFilterV2',
          { x: x5, dy: dy5 },
          { strides: [1, 1, 1], pad: 'same', filterShape: [1, ...filterShape] },
        );
      return tf.reshape(grad as tf.Tensor, filterShape);
    }),
};

function compareFormulations(): string[] {
  const layers: { name: string; x: [number, number, number, number]; filter: [number, number, number, number] }[] = [
    { name: 'conv1', x: [BATCH, SIZE, SIZE, 1], filter: [3, 3, 1, 16] },
    { name: 'conv2', x: [BATCH, Math.ceil(SIZE / 2), Math.ceil(SIZE / 2), 16], filter: [3, 3, 16, 32] },
  ];
  const lines: string[] = [];
  for (const layer of layers) {
    // Smooth deterministic inputs: only the timing and the agreement between formulations matter.
    const x = tf.tidy(() =>
      tf.sin(
        tf.reshape(
          tf.range(
            0,
            layer.x.reduce((a, b) => a * b),
          ),
          layer.x,
        ),
      ),
    ) as tf.Tensor4D;
    const dyShape: [number, number, number, number] = [BATCH, layer.x[1], layer.x[2], layer.filter[3]];
    const dy = tf.tidy(() =>
      tf.cos(
        tf.reshape(
          tf.range(
            0,
            dyShape.reduce((a, b) => a * b),
          ),
          dyShape,
        ),
      ),
    ) as tf.Tensor4D;
    let reference: Float32Array | undefined;
    for (const [name, gradient] of Object.entries(formulations)) {
      const first = gradient(x, dy, layer.filter);
      const values = first.dataSync() as Float32Array;
      first.dispose();
      reference ??= values;
      const diff =
        Math.max(...values.map((v, i) => Math.abs(v - reference![i]))) / Math.max(...reference.map(Math.abs));
      const runs = 5;
      const start = performance.now();
      for (let i = 0; i < runs; i++) {
        const result = gradient(x, dy, layer.filter);
        result.dataSync();
        result.dispose();
      }
      const ms = (performance.now() - start) / runs;
      lines.push(
        `  ${layer.name} ${name.padEnd(52)} ${ms.toFixed(1).padStart(7)} ms   rel. diff vs (a) ${diff.toExponential(1)}`,
      );
    }
    tf.dispose([x, dy]);
  }
  return lines;
}

// ---- our wasm kernel replacements, one lever at a time ---------------------------------------------

/** Each replacement in src/engine/wasm/kernels.ts, in the order they are switched on. */
const LEVERS: { name: string; kernel: string; register: () => void }[] = [
  { name: 'Conv2DBackpropInput as a conv2d', kernel: 'Conv2DBackpropInput', register: registerWasmConvInputGradient },
  { name: 'MaxPoolGrad as a JS loop on the heap', kernel: 'MaxPoolGrad', register: registerWasmMaxPoolGradient },
  { name: 'BatchMatMul with explicit transposes', kernel: 'BatchMatMul', register: registerWasmMatMulTranspose },
];

/** tfjs-backend-wasm's own kernels, taken before chooseBackend replaces them (the package registers them on import). */
const originalKernels = new Map(LEVERS.map((lever) => [lever.kernel, tf.getKernel(lever.kernel, 'wasm')]));

/** Switches on the first `count` levers and puts tfjs-backend-wasm's own kernel back for the others. */
function useLevers(count: number): void {
  LEVERS.forEach((lever, i) => {
    const original = originalKernels.get(lever.kernel)!;
    tf.unregisterKernel(lever.kernel, 'wasm');
    tf.registerKernel(original);
    if (i < count) lever.register();
  });
}

/**
 * Training samples/s with 0, 1, … all levers switched on, each measured `repeats` times, the
 * configurations interleaved so that load from other processes spreads over all of them.
 */
async function compareLevers(
  digits: { pixels: Float32Array; labels: Int32Array },
  steps: number,
  repeats: number,
): Promise<string[]> {
  const batches = makeBatches(digits);
  const results = LEVERS.map(() => [] as number[]).concat([[]]);
  const profiles: string[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (let count = 0; count <= LEVERS.length; count++) {
      useLevers(count);
      const { samplesPerSecond, profile } = await throughput(batches, steps, 3);
      results[count].push(samplesPerSecond);
      profiles[count] = profile;
    }
  }
  tf.dispose(batches.flatMap((batch) => [batch.x, batch.y]));
  const label = (count: number) =>
    count === 0 ? "tfjs-backend-wasm's own kernels (+ our filter gradient)" : `+ ${LEVERS[count - 1].name}`;
  return [
    ...results.map(
      (runs, count) => `  ${label(count).padEnd(58)} ${runs.map((r) => r.toFixed(0).padStart(6)).join(' ')} samples/s`,
    ),
    `\n  one step without the levers:\n${profiles[0]}`,
    `\n  one step with all levers:\n${profiles[LEVERS.length]}`,
  ];
}

async function main(): Promise<void> {
  const wasmSteps = numberOption('wasm-steps', 40);
  const cpuSteps = numberOption('cpu-steps', 2);
  const repeats = numberOption('repeats', 2);
  const runs: { backend: BackendPreference; steps: number; warmup: number }[] = [
    { backend: 'wasm', steps: wasmSteps, warmup: 3 },
  ];
  if (!flag('skip-cpu')) runs.push({ backend: 'cpu', steps: cpuSteps, warmup: 1 });

  const digits = await loadDigits();
  console.log(`input ${SIZE}×${SIZE}×1, batch ${BATCH}`);
  for (const run of runs) {
    const choice = await chooseBackend(run.backend);
    console.log(`\n${choice.reason}`);
    if (run.backend === 'wasm') {
      console.log(`  training, ${run.steps} timed steps after 3 warm-up, ${repeats} runs each:`);
      for (const line of await compareLevers(digits, run.steps, repeats)) console.log(line);
      console.log(`\nwasm filter gradient, formulations (batch ${BATCH}, 3×3 same):`);
      for (const line of compareFormulations()) console.log(line);
      continue;
    }
    const batches = makeBatches(digits);
    const { samplesPerSecond, profile } = await throughput(batches, run.steps, run.warmup);
    tf.dispose(batches.flatMap((batch) => [batch.x, batch.y]));
    console.log(
      `  training: ${samplesPerSecond.toFixed(0)} samples/s (batch ${BATCH}, ${run.steps} timed steps after ${run.warmup} warm-up)`,
    );
    console.log(profile);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
