// Training and scoring throughput of every backend that starts here, with the WebGPU adapter named
// (software adapters marked: a CPU emulating a GPU says nothing about GPU speed), repeated and
// interleaved, medians and ranges. For webgpu also the two ways to train the audit's two models at
// once: one device per worker thread (what the audit does) or both models on one device in one thread.
//
//   node --import tsx bench/gpu.ts [--repeats 3] [--steps 20] [--software-steps 3] [--images 512]
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runModelInProcess, type ModelJob, type ModelOutput, type ModelRunner } from '../src/core/training/modelRunner';
import type { TrainConfig } from '../src/core/training/train';
import { chooseBackend } from '../src/engine/backend';
import { workerModelRunner } from '../src/engine/workerRunner';
import { AUTO_ORDER, type ExplicitBackend } from '../src/protocol/backends';
import { numberOption } from './args';
import { benchImageSet } from './data';
import { median } from './stats';

// Mesa's llvmpipe complains on every start without it.
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'xdg-'));

const BATCH = 128;
const CLASSES = 10;

interface Sample {
  train: number;
  score: number;
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

const figure = (values: number[]) =>
  `${median(values).toFixed(0)} [${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}]`;

/** ERM and mixup at once through `runner`; samples/s over both models' training. */
async function bothModels(runner: ModelRunner, images: ModelJob['images'], labels: Int32Array, steps: number) {
  const jobs = (['erm', 'mixup'] as const).map((kind): ModelJob => ({
    images,
    labels,
    numClasses: CLASSES,
    config: config(kind, steps),
  }));
  const outputs: ModelOutput[] = await Promise.all(jobs.map((job) => runner(job, {})));
  const samples = outputs.reduce((sum, o) => sum + o.sampleSteps, 0);
  return {
    train: samples / Math.max(...outputs.map((o) => o.seconds)),
    score: (2 * images.count) / Math.max(...outputs.map((o) => o.scoringSeconds)),
  };
}

async function main(): Promise<void> {
  const repeats = numberOption('repeats', 3);
  const steps = numberOption('steps', 20);
  const softwareSteps = numberOption('software-steps', 3);
  const count = numberOption('images', 512);
  const { images, labels } = await benchImageSet('mnist', count, { size: 28, seed: 1 });
  console.log(
    `${new Date().toISOString()}, load average ${execFileSync('uptime')
      .toString()
      .trim()
      .replace(/^.*load average: /, '')}`,
  );
  console.log(`audit CNN, batch ${BATCH}, Adam, ${count} real MNIST digits at 28×28; ${repeats} interleaved repeats\n`);

  // Which backends start, and how many steps each gets (the slow ones fewer).
  const started: { backend: ExplicitBackend; label: string; steps: number }[] = [];
  for (const backend of AUTO_ORDER) {
    try {
      const choice = await chooseBackend(backend);
      const software = choice.adapter?.software === true;
      const label = software
        ? `${backend} (SOFTWARE adapter: ${choice.adapter!.label}; not a GPU figure)`
        : choice.reason.replace(/: requested$/, '');
      started.push({ backend, label, steps: backend === 'cpu' ? 1 : software ? softwareSteps : steps });
      console.log(`# ${choice.reason}`);
    } catch (error) {
      console.log(`# ${backend}: does not start here (${(error as Error).message.split('. ')[0]})`);
    }
  }

  const rows = new Map<string, Sample[]>();
  const add = (name: string, sample: Sample) => rows.set(name, [...(rows.get(name) ?? []), sample]);
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const { backend, label, steps: n } of started) {
      await chooseBackend(backend);
      const job: ModelJob = { images, labels, numClasses: CLASSES, config: config('mixup', n) };
      const output = await runModelInProcess(job, {});
      add(`${label}, one model, 1 thread`, { train: output.samplesPerSecond, score: count / output.scoringSeconds });
      if (backend === 'wasm' || backend === 'webgpu') {
        // The audit's way: ERM and mixup on two worker threads (on webgpu: one device each).
        add(
          `${label}, ERM + mixup on 2 worker threads`,
          await bothModels(workerModelRunner(backend), images, labels, n),
        );
      }
      if (backend === 'webgpu') {
        // The alternative: both models on this thread's one device, their steps interleaved.
        await chooseBackend(backend);
        add(`${label}, ERM + mixup on 1 device in 1 thread`, await bothModels(runModelInProcess, images, labels, n));
      }
    }
  }

  console.log('\n| backend | training samples/s, median [range] | scoring samples/s, median [range] |');
  console.log('|---|---|---|');
  for (const [name, samples] of rows) {
    console.log(`| ${name} | ${figure(samples.map((s) => s.train))} | ${figure(samples.map((s) => s.score))} |`);
  }
  console.log(
    `\nload average after: ${execFileSync('uptime')
      .toString()
      .trim()
      .replace(/^.*load average: /, '')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
