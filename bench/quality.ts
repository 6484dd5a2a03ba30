// Detection quality on real images with injected label noise: precision, recall and F1 of the flags,
// AUROC of the suspicion score, and each model's accuracy on a clean held-out test set — for the
// three methods (mixup, confident-learning, fused) side by side, judged from one run on the same
// images: the audit trains ERM, mixup and the cross-fitting folds once, and each method judges
// the same probabilities.
//
//   npm run bench:quality -- [--count 10000] [--sources mnist,fashion] [--settings sym0,sym20,sym40,pair20]
//     [--epochs 8] [--alpha 8] [--image-size 32] [--folds 4] [--fold-epochs 2.5] [--fold-model erm|mixup] [--dump file.json]
//
// Seconds per method: mixup = until the ERM and mixup models are done (they train first, one per
// core; the folds wait for a free core), confident-learning = the fold phase after that (what it
// would cost on its own), fused = the whole run.
//
// Every audit runs the engine's own code path (worker-thread runner, wasm backend) on in-memory
// images (bench/data.ts), so the figures are the product's, minus PNG decoding.
import { writeFileSync } from 'node:fs';
import { auditImages } from '../src/core/training/auditImages';
import type { Verdict } from '../src/core/detection/flag';
import { judgeSamples } from '../src/core/detection/judge';
import { auroc, accuracy, detectionQuality } from '../src/core/detection/metrics';
import type { ModelRunner } from '../src/core/training/modelRunner';
import { injectLabelNoise } from '../src/core/detection/noise';
import { AUDIT_METHODS, DEFAULT_AUDIT_OPTIONS, resolveAuditOptions, type AuditMethod } from '../src/core/options';
import type { ImageSet } from '../src/core/shared/types';
import { chooseBackend } from '../src/engine/backend';
import { workerModelRunner } from '../src/engine/workerRunner';
import { benchImageSet, releaseSource } from './data';
import { NOISE_SETTINGS, PAIRS } from './noiseSettings';
import { stringOption } from './args';
import { markdownTable, qualityCells, signalQuality } from './signalQuality';

/** Realistic confusions for pair-flip noise: class c is mislabeled as PAIRS[c]. */
async function main(): Promise<void> {
  const count = Number(stringOption('count', '10000'));
  const sources = stringOption('sources', 'mnist,fashion').split(',') as ('mnist' | 'fashion')[];
  const settings = stringOption('settings', 'sym0,sym20,sym40,pair20').split(',') as (keyof typeof NOISE_SETTINGS)[];
  const backend = await chooseBackend('auto');
  const options = resolveAuditOptions({
    method: 'fused',
    epochs: Number(stringOption('epochs', '8')),
    alpha: Number(stringOption('alpha', '8')),
    imageSize: Number(stringOption('image-size', String(DEFAULT_AUDIT_OPTIONS.imageSize))),
    folds: Number(stringOption('folds', String(DEFAULT_AUDIT_OPTIONS.folds))),
    foldEpochs: Number(stringOption('fold-epochs', String(DEFAULT_AUDIT_OPTIONS.foldEpochs))),
    foldModel: stringOption('fold-model', DEFAULT_AUDIT_OPTIONS.foldModel) as 'erm' | 'mixup',
  });
  const dumpPath = process.argv.includes('--dump') ? stringOption('dump', '') : undefined;
  const dump: unknown[] = [];
  console.log(`backend: ${backend.reason}`);
  console.log(
    `audit: ${count} images per dataset, ${options.imageSize}×${options.imageSize}, epochs ${options.epochs}, α ${options.alpha}, scored by ${options.flag.scoredBy}, min margin ${options.flag.minMargin}; ` +
      `cross-fitting: ${options.folds} folds of ${options.foldModel}, ${options.foldEpochs} epochs each`,
  );
  console.log(
    'true acc: accuracy against the true labels on the audited images; test acc: on 2 000 held-out clean images (Fashion only: the mnist package has 10 000 images in all)\n',
  );
  const methodHeader = ['data', 'noise', ...AUDIT_METHODS.flatMap((m) => [`${m} P`, 'R', 'F1', 'AUROC', 's'])];
  const methodRows: string[][] = [];
  const header = [
    'data',
    'noise',
    'precision',
    'recall',
    'F1',
    'AUROC',
    'FPR',
    'ERM true acc',
    'mixup true acc',
    'ERM test acc',
    'mixup test acc',
    'ERM fits given',
    'mixup fits given',
    'seconds',
  ];
  const rows: string[][] = [];
  const margins = [0.1, 0.2, 0.3, 0.4, 0.5];
  const sweep: string[][] = [];

  for (const source of sources) {
    // The mnist package has 10 000 images in all, too few to also hold out a test set.
    const testCount = source === 'mnist' ? 0 : 2000;
    const all = await benchImageSet(source, count + testCount, { size: options.imageSize, seed: 11 });
    releaseSource(source);
    const trainCount = all.images.count - testCount;
    const train = slice(all.images, 0, trainCount);
    const test = slice(all.images, trainCount, all.images.count);
    const trueTrain = all.labels.subarray(0, trainCount);
    const trueTest = all.labels.subarray(trainCount);
    for (const name of settings) {
      const setting = NOISE_SETTINGS[name];
      const noisy =
        setting.rate === 0
          ? { labels: Int32Array.from(trueTrain), flipped: new Uint8Array(trainCount) }
          : injectLabelNoise(trueTrain, 10, { ...setting, seed: 3, pairs: PAIRS[source] });
      const started = performance.now();
      const finished = { mainModels: 0 };
      const audit = await auditImages(train, noisy.labels, 10, options, {
        runner: timedRunner(workerModelRunner('auto'), () => (finished.mainModels = performance.now())),
        ...(testCount ? { evalImages: test } : {}),
      });
      const seconds = (performance.now() - started) / 1000;
      const mainSeconds = (finished.mainModels - started) / 1000;
      const probabilities = {
        erm: audit.ermProbabilities,
        mixup: audit.mixupProbabilities,
        outOfSample: audit.outOfSampleProbabilities,
        aum: audit.dynamics?.aum,
      };
      const judged = (method: AuditMethod) =>
        [...judgeSamples(noisy.labels, probabilities, 10, { method, flag: options.flag }).verdicts].sort(
          (a, b) => a.index - b.index,
        );
      const methodSeconds = { mixup: mainSeconds, 'confident-learning': seconds - mainSeconds, fused: seconds };
      methodRows.push([
        `${source} ${trainCount}`,
        name,
        ...AUDIT_METHODS.flatMap((method) => [
          ...methodQuality(judged(method), noisy.flipped),
          methodSeconds[method].toFixed(0),
        ]),
      ]);
      console.log(methodRows.at(-1)!.join('  '));
      if (dumpPath) {
        dump.push({
          source,
          setting: name,
          labels: Array.from(noisy.labels),
          flipped: Array.from(noisy.flipped),
          ...Object.fromEntries(Object.entries(probabilities).map(([k, v]) => [k, Array.from(v ?? [])])),
        });
        writeFileSync(dumpPath, JSON.stringify(dump));
      }
      const byIndex = judged('mixup');
      const quality = detectionQuality(
        byIndex.map((v) => v.flagged),
        noisy.flipped,
      );
      const area = auroc(
        byIndex.map((v) => v.score),
        noisy.flipped,
      );
      rows.push([
        `${source} ${trainCount}`,
        name,
        fixed(quality.precision),
        fixed(quality.recall),
        fixed(quality.f1),
        Number.isNaN(area) ? '-' : area.toFixed(4),
        fixed(quality.falsePositiveRate),
        fixed(accuracy(audit.ermProbabilities, trueTrain, 10)),
        fixed(accuracy(audit.mixupProbabilities, trueTrain, 10)),
        audit.evalProbabilities ? fixed(accuracy(audit.evalProbabilities.erm, trueTest, 10)) : '-',
        audit.evalProbabilities ? fixed(accuracy(audit.evalProbabilities.mixup, trueTest, 10)) : '-',
        fixed(audit.erm.fitsGivenLabels),
        fixed(audit.mixup.fitsGivenLabels),
        mainSeconds.toFixed(0),
      ]);
      console.log(rows.at(-1)!.join('  '));
      // The same verdicts under other --min-margin values: how the default was chosen.
      for (const method of ['mixup', 'fused'] as const) {
        const verdicts = method === 'mixup' ? byIndex : judged(method);
        sweep.push([
          `${source} ${name} ${method}`,
          ...margins.map((m) => {
            const q = detectionQuality(
              verdicts.map((v) => v.margin >= m - 1e-6),
              noisy.flipped,
            );
            return setting.rate === 0
              ? `FPR ${fixed(q.falsePositiveRate)}`
              : `F1 ${fixed(q.f1)} (FPR ${fixed(q.falsePositiveRate)})`;
          }),
        ]);
      }
    }
  }
  console.log(
    `\nThe three methods on the same images (P precision, R recall, s seconds; see the header comment):\n\n${markdownTable(methodHeader, methodRows)}`,
  );
  console.log(`\nThe mixup method in detail:\n\n${markdownTable(header, rows)}`);
  console.log(
    `\nFlags under other --min-margin values:\n\n${markdownTable(['data', ...margins.map((m) => `margin ${m}`)], sweep)}`,
  );
}

/** Precision, recall, F1 and AUROC of one method's verdicts (in sample order). */
function methodQuality(verdicts: readonly Verdict[], flipped: Uint8Array): string[] {
  return qualityCells(
    signalQuality(
      verdicts.map((v) => v.flagged),
      verdicts.map((v) => v.score),
      flipped,
    ),
  );
}

/** Runs jobs through `runner` and calls `onMainModelsDone` when the last job without a fold ends. */
function timedRunner(runner: ModelRunner, onMainModelsDone: () => void): ModelRunner {
  let running = 0;
  return async (job, events) => {
    if (!job.fold) running++;
    try {
      return await runner(job, events);
    } finally {
      if (!job.fold && --running === 0) onMainModelsDone();
    }
  };
}

function slice(images: ImageSet, from: number, to: number): ImageSet {
  const length = images.size * images.size * images.channels;
  return { ...images, count: to - from, pixels: images.pixels.subarray(from * length, to * length) };
}

function fixed(value: number): string {
  return value.toFixed(3);
}

void main();
