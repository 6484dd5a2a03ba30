// Detection from how ERM learns (issue #16): area under the margin, learned-late / forgetting, and
// each fused with the ERM-vs-mixup judge's score on the models' probabilities, against that score
// alone — on real images with injected label noise, over several seeds (training seed s, noise seed
// 2 + s), medians and ranges. "models + AUM (w .25)" is `--aum-weight 0.25` (flag.aumWeight); the
// default stayed 0, "models alone" (docs/learning-dynamics.md: not better on every Fashion-MNIST row).
//
//   npm run bench:dynamics -- [--count 10000] [--sources mnist,fashion] [--settings sym0,sym20,sym40,pair20]
//     [--seeds 1,2,3] [--dump runs.json]
//   npm run bench:dynamics -- --from runs.json      (re-judges saved runs without training)
//
// Every signal here comes from the one default audit (method 'mixup': ERM and mixup, one per core,
// worker-thread runner, wasm backend): the trajectory signals are read from ERM's own training
// forward passes, so they add no training. `s` is that audit's wall time.
import { readFileSync, writeFileSync } from 'node:fs';
import { aumSuspicion, AUM_THRESHOLD, learnedLateSuspicion } from '../src/core/detection/dynamicsSignals';
import { judgeSamples } from '../src/core/detection/judge';
import { resolveAuditOptions } from '../src/core/options';
import { auditImages } from '../src/core/training/auditImages';
import { groupBy } from '../src/core/shared/collections';
import { chooseBackend } from '../src/engine/backend';
import { workerModelRunner } from '../src/engine/workerRunner';
import { stringOption } from './args';
import { benchImageSet, releaseSource } from './data';
import { noisyLabels, type NOISE_SETTINGS } from './noiseSettings';
import { markdownTable, signalQuality, type SignalQuality } from './signalQuality';

/** One audit's per-sample outputs, in sample order: all a signal needs to be judged again. */
interface Run {
  source: string;
  setting: string;
  seed: number;
  seconds: number;
  epochs: number;
  flipped: number[];
  judgeScore: number[];
  judgeFlag: number[];
  aum: number[];
  learnedAtEpoch: number[];
  forgettingEvents: number[];
}

/** The ERM-vs-mixup judge on the models' probabilities alone: the default before AUM joined it. */
const TODAY = 'models alone';
const fpr = (q: SignalQuality) => 100 * q.falsePositiveRate;

/** The judge's flag rule (a margin of 0.1, i.e. score ≥ 0.55), applied to a fused score. */
const FLAG_AT_SCORE = 0.55;

/** Each signal alone, and fused with the judge: its flags and scores for one run. */
const SIGNALS: Record<string, (run: Run) => { flags: ArrayLike<number>; scores: ArrayLike<number> }> = {
  [TODAY]: (run) => ({ flags: run.judgeFlag, scores: run.judgeScore }),
  [`AUM < ${AUM_THRESHOLD}`]: (run) => ({ flags: run.aum.map((a) => +(a < AUM_THRESHOLD)), scores: aumScores(run) }),
  'never learned / late': (run) => ({ flags: run.learnedAtEpoch.map((e) => +(e === 0)), scores: lateScores(run) }),
  // w .25 is the default since this benchmark (flag.aumWeight): the new judge.
  'models + AUM (w .25)': (run) => mixed(run, aumScores(run), 0.25),
  'models + AUM (w .5)': (run) => mixed(run, aumScores(run), 0.5),
  'models + late (w .25)': (run) => mixed(run, lateScores(run), 0.25),
};

function aumScores(run: Run): Float32Array {
  return aumSuspicion({ aum: Float32Array.from(run.aum) });
}

function lateScores(run: Run): Float32Array {
  return learnedLateSuspicion({
    epochs: run.epochs,
    learnedAtEpoch: Uint16Array.from(run.learnedAtEpoch),
    forgettingEvents: Uint16Array.from(run.forgettingEvents),
  });
}

function mixed(run: Run, other: Float32Array, weight: number) {
  const scores = run.judgeScore.map((s, i) => (1 - weight) * s + weight * other[i]);
  return { flags: scores.map((s) => +(s >= FLAG_AT_SCORE - 1e-6)), scores };
}

async function train(): Promise<Run[]> {
  const count = Number(stringOption('count', '10000'));
  const sources = stringOption('sources', 'mnist,fashion').split(',') as ('mnist' | 'fashion')[];
  const settings = stringOption('settings', 'sym0,sym20,sym40,pair20').split(',') as (keyof typeof NOISE_SETTINGS)[];
  const seeds = stringOption('seeds', '1,2,3').split(',').map(Number);
  const dumpPath = process.argv.includes('--dump') ? stringOption('dump', '') : undefined;
  console.log(`backend: ${(await chooseBackend('auto')).reason}`);
  const runs: Run[] = [];
  for (const source of sources) {
    const data = await benchImageSet(source, count, { size: 32, seed: 11 });
    releaseSource(source);
    // Seeds innermost and the settings interleaved, so a slow spell on the machine spreads over rows.
    for (const seed of seeds)
      for (const setting of settings) {
        const options = resolveAuditOptions({ method: 'mixup', seed });
        const noisy = noisyLabels(data.labels, source, setting, 2 + seed);
        const started = performance.now();
        const audit = await auditImages(data.images, noisy.labels, 10, options, { runner: workerModelRunner('auto') });
        const seconds = (performance.now() - started) / 1000;
        const verdicts = [
          ...judgeSamples(noisy.labels, { erm: audit.ermProbabilities, mixup: audit.mixupProbabilities }, 10, options)
            .verdicts,
        ].sort((a, b) => a.index - b.index);
        const dynamics = audit.dynamics!;
        runs.push({
          source,
          setting,
          seed,
          seconds,
          epochs: dynamics.epochs,
          flipped: Array.from(noisy.flipped),
          judgeScore: verdicts.map((v) => v.score),
          judgeFlag: verdicts.map((v) => +v.flagged),
          aum: Array.from(dynamics.aum),
          learnedAtEpoch: Array.from(dynamics.learnedAtEpoch),
          forgettingEvents: Array.from(dynamics.forgettingEvents),
        });
        console.log(`${source} ${setting} seed ${seed}: ${seconds.toFixed(0)} s`);
        if (dumpPath) writeFileSync(dumpPath, JSON.stringify(runs));
      }
  }
  return runs;
}

function report(runs: Run[]): void {
  const rows: string[][] = [];
  for (const [key, group] of groupBy(runs, (run) => `${run.source} ${run.setting}`)) {
    const seconds = spread(
      group.map((r) => r.seconds),
      0,
    );
    const judged = (signal: (typeof SIGNALS)[string]) =>
      group.map((run) => {
        const { flags, scores } = signal(run);
        return signalQuality(flags, scores, Uint8Array.from(run.flipped));
      });
    const today = judged(SIGNALS[TODAY]);
    // With no wrong label, precision, recall and F1 say nothing (an empty flag set is "perfect"): only the FPR counts.
    const clean = group.every((run) => !run.flipped.includes(1));
    for (const [name, signal] of Object.entries(SIGNALS)) {
      const qualities = judged(signal);
      const of = (pick: (q: SignalQuality) => number, digits: number) =>
        clean && pick !== fpr ? '-' : spread(qualities.map(pick), digits);
      // Paired by seed against the models alone: on how many seeds it does better.
      const wins = (pick: (q: SignalQuality) => number) =>
        clean || name === TODAY ? '' : `${qualities.filter((q, i) => pick(q) > pick(today[i])).length}/${group.length}`;
      rows.push([
        key,
        name,
        of((q) => q.precision, 3),
        of((q) => q.recall, 3),
        of((q) => q.f1, 3),
        of((q) => q.auroc, 4),
        of(fpr, 2),
        wins((q) => q.f1),
        wins((q) => q.auroc),
        name === TODAY ? seconds : '',
      ]);
    }
  }
  const seeds = [...new Set(runs.map((r) => r.seed))].join(', ');
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, ${runs.length} audits, seeds ${seeds}; median (min–max) over seeds:\n\n` +
      markdownTable(['data', 'signal', 'P', 'R', 'F1', 'AUROC', 'FPR %', 'F1 wins', 'AUROC wins', 's'], rows) +
      "\n\nwins: seeds on which the signal beats the models alone (paired by seed); s: the audit's wall time.",
  );
}

/** Median, and the range when the values differ: "0.912 (0.905–0.920)". */
function spread(values: number[], digits: number): string {
  const finite = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (finite.length === 0) return '-';
  const middle = finite.length >> 1;
  const median = finite.length % 2 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
  const low = finite[0].toFixed(digits);
  const high = finite.at(-1)!.toFixed(digits);
  return low === high ? median.toFixed(digits) : `${median.toFixed(digits)} (${low}–${high})`;
}

async function main(): Promise<void> {
  const from = process.argv.includes('--from') ? stringOption('from', '') : undefined;
  report(from ? (JSON.parse(readFileSync(from, 'utf8')) as Run[]) : await train());
}

void main();
