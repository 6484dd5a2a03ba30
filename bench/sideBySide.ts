// Our engine and PyTorch side by side, in one run, on the same machine, the same real digits, the
// same network (conv16-pool-conv32-pool-dense64-dense10), the same batch (128) and optimizer (Adam):
// training and forward-only (scoring) samples/s, and the ratio to PyTorch. Each side runs `--repeats`
// times (3 by default), the sides taking turns within each round and the order reversed every other
// round; the table gives medians and ranges, the ratios are of medians.
//
//   npm run bench:side -- [--size 28] [--steps 60] [--repeats 3] [--cpu]
//
// Our side runs the audit's own training loop (src/core/training/train.ts: uint8 pixels → float batches,
// mixup mixing, Adam) and its scoring (src/core/training/predict.ts), on each backend that loads here, on one
// thread and as the audit runs it (ERM and mixup at once on two worker threads). The PyTorch side
// is Debian's python3-torch (installed with apt when missing), on 1 and on 2 threads.
import { loadavg } from 'node:os';
import { runModelInProcess, type ModelJob, type ModelOutput } from '../src/core/training/modelRunner';
import type { TrainConfig } from '../src/core/training/train';
import { chooseBackend, type BackendPreference } from '../src/engine/backend';
import { workerModelRunner } from '../src/engine/workerRunner';
import { flag, numberOption } from './args';
import { benchImageSet } from './data';
import { ensurePyTorch, runPyTorch } from './pytorch';
import { median, medianAndRange } from './stats';

const BATCH = 128;
const CLASSES = 10;
const IMAGES = 2048;

/** One engine's figures over the rounds. */
interface Row {
  readonly engine: string;
  readonly train: number[];
  readonly forward: number[];
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

/** One measurement of one side: samples/s training and forward-only. */
interface Figure {
  readonly engine: string;
  readonly train: number;
  readonly forward: number;
}

/** Our engine on one backend: ERM and mixup on one thread, and (wasm) both at once on two workers, as the audit runs. */
async function ourSide(
  preference: BackendPreference,
  images: ModelJob['images'],
  labels: Int32Array,
  steps: number,
): Promise<Figure[]> {
  const choice = await chooseBackend(preference);
  const figures: Figure[] = [];
  for (const kind of ['erm', 'mixup'] as const) {
    const job: ModelJob = { images, labels, numClasses: CLASSES, config: config(kind, steps) };
    const output = await runModelInProcess(job, {});
    figures.push({
      engine: `label-audit ${choice.name}, 1 thread, ${kind}`,
      train: output.samplesPerSecond,
      forward: forwardRate(job, output),
    });
  }
  if (preference === 'wasm') {
    const runner = workerModelRunner('wasm');
    const jobs = (['erm', 'mixup'] as const).map((kind): ModelJob => ({
      images,
      labels,
      numClasses: CLASSES,
      config: config(kind, steps),
    }));
    const outputs = await Promise.all(jobs.map((job) => runner(job, {})));
    figures.push({
      engine: 'label-audit wasm, ERM + mixup on 2 worker threads (the audit)',
      train: outputs.reduce((sum, o) => sum + o.sampleSteps, 0) / Math.max(...outputs.map((o) => o.seconds)),
      forward: (2 * IMAGES) / Math.max(...outputs.map((o) => o.scoringSeconds)),
    });
  }
  return figures;
}

async function main(): Promise<void> {
  const size = numberOption('size', 28);
  const steps = numberOption('steps', 60);
  // One run of a side decides nothing on a shared machine: every side runs this often, in turns.
  const repeats = numberOption('repeats', 3);
  const { images, labels } = await benchImageSet('mnist', IMAGES, { size, seed: 1 });
  console.log(
    `${new Date().toISOString()}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n` +
      `same network, batch ${BATCH}, Adam, ${IMAGES} real MNIST digits at ${size}×${size}, ${steps} timed training steps per run, ` +
      `${repeats} rounds, the sides interleaved within each\n`,
  );
  const candidates: { preference: BackendPreference; steps: number }[] = [
    { preference: 'tensorflow', steps },
    { preference: 'wasm', steps },
    // The plain-JavaScript fallback, 80× slower: minutes a round for its forward pass alone, so only on request.
    ...(flag('cpu') ? [{ preference: 'cpu' as const, steps: 2 }] : []),
  ];
  const backends: typeof candidates = [];
  for (const candidate of candidates) {
    try {
      console.log(`# ${(await chooseBackend(candidate.preference)).reason}`);
      backends.push(candidate);
    } catch (error) {
      console.log(`# ${candidate.preference}: not available (${(error as Error).message.split('\n')[0]})`);
    }
  }
  const torchMissing = ensurePyTorch();
  if (torchMissing) console.log(`# PyTorch column skipped: ${torchMissing}`);

  const rows = new Map<string, Row>();
  const add = (figure: Figure) => {
    const row = rows.get(figure.engine) ?? { engine: figure.engine, train: [], forward: [] };
    row.train.push(figure.train);
    row.forward.push(figure.forward);
    rows.set(figure.engine, row);
  };
  for (let round = 0; round < repeats; round++) {
    // Alternate which side goes first, so a load that drifts during a round does not favour one side.
    const sides: (() => Promise<Figure[]>)[] = [
      ...backends.map(
        ({ preference, steps: backendSteps }) =>
          () =>
            ourSide(preference, images, labels, backendSteps),
      ),
      ...(torchMissing
        ? []
        : [1, 2].map((threads) => async (): Promise<Figure[]> => {
            const torch = runPyTorch(images.pixels, labels, { size, classes: CLASSES, batch: BATCH, steps, threads });
            return [
              {
                engine: `PyTorch ${torch.torch} CPU, ${threads} thread${threads > 1 ? 's' : ''}`,
                train: torch.train,
                forward: torch.forward,
              },
            ];
          })),
    ];
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) for (const figure of await side()) add(figure);
    console.log(`# round ${round + 1} of ${repeats} done, load average ${loadavg()[0].toFixed(2)}`);
  }

  const all = [...rows.values()];
  const torch1 = all.find((r) => r.engine.startsWith('PyTorch') && r.engine.endsWith('1 thread'));
  const torchBest = all
    .filter((r) => r.engine.startsWith('PyTorch'))
    .sort((a, b) => median(b.train) - median(a.train))[0];
  console.log(
    '\n| engine | training samples/s, median (range) | forward samples/s, median (range) | training vs PyTorch 1 thread | vs PyTorch best on 2 cores |',
  );
  console.log('|---|---|---|---|---|');
  for (const row of all) {
    const ratio = (reference: Row | undefined) =>
      reference ? `${(median(row.train) / median(reference.train)).toFixed(2)}×` : '–';
    console.log(
      `| ${row.engine} | ${medianAndRange(row.train)} | ${medianAndRange(row.forward)} | ${ratio(torch1)} | ${ratio(torchBest)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
