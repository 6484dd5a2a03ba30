// Our engine and PyTorch side by side, in one run, on the same machine, the same real digits, the
// same network (conv16-pool-conv32-pool-dense64-dense10), the same batch (128) and optimizer (Adam):
// training and forward-only (scoring) samples/s, and the ratio to PyTorch.
//
//   node --import tsx bench/sideBySide.ts [--size 28] [--steps 60] [--skip-cpu]
//
// Our side runs the audit's own training loop (src/core/training/train.ts: uint8 pixels → float batches,
// mixup mixing, Adam) and its scoring (src/core/training/predict.ts), on each backend that loads here, on one
// thread and as the audit runs it (ERM and mixup at once on two worker threads). The PyTorch side
// is Debian's python3-torch (installed with apt when missing), on 1 and on 2 threads.
import { runModelInProcess, type ModelJob, type ModelOutput } from '../src/core/training/modelRunner';
import type { TrainConfig } from '../src/core/training/train';
import { chooseBackend, type BackendPreference } from '../src/engine/backend';
import { workerModelRunner } from '../src/engine/workerRunner';
import { flag, numberOption } from './args';
import { benchImageSet } from './data';
import { ensurePyTorch, runPyTorch } from './pytorch';

const BATCH = 128;
const CLASSES = 10;
const IMAGES = 2048;

interface Row {
  readonly engine: string;
  readonly train: number;
  readonly forward: number;
}

function config(kind: TrainConfig['kind'], steps: number): TrainConfig {
  return {
    kind,
    alpha: 8,
    sampleSteps: steps * BATCH,
    batchSize: BATCH,
    learningRate: 1e-3,
    schedule: 'constant',
    seed: 1,
  };
}

function forwardRate(job: ModelJob, output: ModelOutput): number {
  return job.images.count / output.scoringSeconds;
}

async function main(): Promise<void> {
  const size = numberOption('size', 28);
  const steps = numberOption('steps', 60);
  const { images, labels } = await benchImageSet('mnist', IMAGES, { size, seed: 1 });
  console.log(
    `same network, batch ${BATCH}, Adam, ${IMAGES} real MNIST digits at ${size}×${size}, ${steps} timed training steps per run\n`,
  );
  const rows: Row[] = [];

  const backends: { preference: BackendPreference; steps: number }[] = [
    { preference: 'tensorflow', steps },
    { preference: 'wasm', steps },
    ...(flag('skip-cpu') ? [] : [{ preference: 'cpu' as const, steps: 2 }]),
  ];
  for (const { preference, steps: backendSteps } of backends) {
    let choice;
    try {
      choice = await chooseBackend(preference);
    } catch (error) {
      console.log(`# ${preference}: not available (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    console.log(`# ${choice.reason}`);
    for (const kind of ['erm', 'mixup'] as const) {
      const job: ModelJob = { images, labels, numClasses: CLASSES, config: config(kind, backendSteps) };
      const output = await runModelInProcess(job, {});
      rows.push({
        engine: `label-audit ${choice.name}, 1 thread, ${kind}`,
        train: output.samplesPerSecond,
        forward: forwardRate(job, output),
      });
    }
    if (preference === 'wasm') {
      // As the audit runs: ERM and mixup at once, each on its own worker thread (one core each).
      const runner = workerModelRunner('wasm');
      const jobs = (['erm', 'mixup'] as const).map((kind): ModelJob => ({
        images,
        labels,
        numClasses: CLASSES,
        config: config(kind, backendSteps),
      }));
      const started = performance.now();
      const outputs = await Promise.all(jobs.map((job) => runner(job, {})));
      const seconds = (performance.now() - started) / 1000;
      const trainSeconds = Math.max(...outputs.map((o) => o.seconds));
      const samples = outputs.reduce((sum, o) => sum + o.sampleSteps, 0);
      rows.push({
        engine: 'label-audit wasm, ERM + mixup on 2 worker threads (the audit)',
        train: samples / trainSeconds,
        forward: (2 * IMAGES) / Math.max(...outputs.map((o) => o.scoringSeconds)),
      });
      console.log(`# two workers: ${seconds.toFixed(1)} s including worker start-up`);
    }
  }

  const torchMissing = ensurePyTorch();
  if (torchMissing) {
    console.log(`# PyTorch column skipped: ${torchMissing}`);
  } else {
    for (const threads of [1, 2]) {
      const torch = runPyTorch(images.pixels, labels, { size, classes: CLASSES, batch: BATCH, steps, threads });
      rows.push({
        engine: `PyTorch ${torch.torch} CPU, ${threads} thread${threads > 1 ? 's' : ''}`,
        train: torch.train,
        forward: torch.forward,
      });
    }
  }

  const torch1 = rows.find((r) => r.engine.startsWith('PyTorch') && r.engine.endsWith('1 thread'));
  const torchBest = rows.filter((r) => r.engine.startsWith('PyTorch')).sort((a, b) => b.train - a.train)[0];
  console.log(
    '\n| engine | training samples/s | forward samples/s | training vs PyTorch 1 thread | vs PyTorch best on 2 cores |',
  );
  console.log('|---|---|---|---|---|');
  for (const row of rows) {
    const ratio = (reference: Row | undefined) => (reference ? `${(row.train / reference.train).toFixed(2)}×` : '–');
    console.log(
      `| ${row.engine} | ${row.train.toFixed(0)} | ${row.forward.toFixed(0)} | ${ratio(torch1)} | ${ratio(torchBest)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
