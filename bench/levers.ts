// Speed levers (issue #15): does a change that makes the audit cheaper keep its detection quality?
// Each variant is a set of audit-option overrides; every variant audits the same real images under
// the same injected label noise (training seed s, noise seed 2 + s, as bench:dynamics), so its
// quality can be compared with the first variant's seed by seed rather than only by medians, which
// three seeds' spread would swamp.
//
//   npm run bench:levers -- [--variants "imageSize=32;imageSize=28"] [--count 10000] [--sources mnist,fashion]
//     [--settings sym0,sym20,sym40,pair20] [--seeds 1,2,3] [--dump runs.json [--resume]]
//   npm run bench:levers -- --from runs.json      (re-prints saved runs without training)
//
// A variant is `key=value,key=value` (numbers and true/false parsed; `flag.minMargin=0.2` for the
// flag rule), `;` between variants; the first is the baseline. An imageSize override also sets the
// size the images are loaded at (bench/data.ts: 28 is MNIST's own size, copied untouched; 32 is
// resized with sharp as the product's decoder does), since that, not the option, is what the network
// trains on. The data is loaded once per size, so two variants share their images.
//
// Every audit is the product's default one (method 'mixup': ERM and mixup, one per core, worker-thread
// runner, wasm) with the variant's overrides; `s` is its wall time. It is judged by its own verdicts,
// i.e. by judgeSamples as auditImages calls it (ERM's AUM passed in, the default flag options): what the
// product flags by default. Read in flag.ts, DEFAULT_FLAG_OPTIONS.aumWeight is 0, so that is the
// ERM-vs-mixup judge on the models' probabilities alone ("models alone" in bench:dynamics); the
// "models + AUM (w .25)" rule stayed an option (docs/learning-dynamics.md). The second table judges the
// same audits by that rule, which needs no training, in case it becomes the default.
//
// Variants run innermost, in reversed order every other round, so neither side always trains first
// (on a warm or a cold machine); with --dump every audit is saved as it ends, and --resume skips the
// audits a dump already holds.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { DEFAULT_FLAG_OPTIONS } from '../src/core/detection/flag';
import { judgeSamples, type Judgement } from '../src/core/detection/judge';
import {
  DEFAULT_AUDIT_OPTIONS,
  resolveAuditOptions,
  type AuditOptions,
  type AuditOptionsInput,
} from '../src/core/options';
import { auditImages, type ModelAudit } from '../src/core/training/auditImages';
import { groupBy } from '../src/core/shared/collections';
import { chooseBackend } from '../src/engine/backend';
import { workerModelRunner } from '../src/engine/workerRunner';
import { flag, stringOption } from './args';
import { benchImageSet, releaseSource, type BenchData } from './data';
import { NOISE_SETTINGS, noisyLabels } from './noiseSettings';
import { markdownTable, signalQuality, type SignalQuality } from './signalQuality';
import { median, medianAndRange } from './stats';

type Source = 'mnist' | 'fashion';
type Setting = keyof typeof NOISE_SETTINGS;

/** The audit's own verdicts: the product's default judge. */
const DEFAULT_JUDGE = 'default';
/** The same audit re-judged with ERM's AUM mixed in at a quarter (`--aum-weight 0.25`). */
const AUM_JUDGE = 'models + AUM (w .25)';
const AUM_WEIGHT = 0.25;

/** One audit: what it cost and how well each judge found the flipped labels. */
interface Run {
  source: Source;
  setting: Setting;
  seed: number;
  variant: string;
  seconds: number;
  /** Training throughput of each model (they train at once, one per core). */
  samplesPerSecond: { erm: number; mixup: number };
  /** Per judge. AUROC is NaN at 0% noise, saved as null. */
  quality: Record<string, SignalQuality>;
}

/** What --dump writes and --from reads: the runs, and the machine's state around them. */
interface Dump {
  variants: string[];
  cores: number;
  started: { at: string; load: number[] };
  ended: { at: string; load: number[] };
  runs: Run[];
}

/** `imageSize=28,flag.minMargin=0.2` → `{ imageSize: 28, flag: { minMargin: 0.2 } }`, every key checked. */
function parseVariant(text: string): AuditOptionsInput {
  const overrides: Record<string, unknown> = {};
  const flagOverrides: Record<string, unknown> = {};
  for (const pair of text.split(',').filter((p) => p.trim())) {
    const [key, raw] = pair.split('=').map((s) => s.trim());
    if (raw === undefined) throw new Error(`variant "${text}": expected key=value, got "${pair}"`);
    const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(+raw) ? +raw : raw;
    // resolveAuditOptions checks values but keeps unknown keys, so a typo would silently run the defaults.
    const flagKey = key.startsWith('flag.') ? key.slice('flag.'.length) : undefined;
    if (flagKey !== undefined ? !(flagKey in DEFAULT_FLAG_OPTIONS) : !(key in DEFAULT_AUDIT_OPTIONS) || key === 'flag')
      throw new Error(`variant "${text}": no audit option "${key}"`);
    if (flagKey !== undefined) flagOverrides[flagKey] = value;
    else overrides[key] = value;
  }
  return { ...overrides, ...(Object.keys(flagOverrides).length ? { flag: flagOverrides } : {}) } as AuditOptionsInput;
}

/** The variant's audit options for one seed: the product's default audit with its overrides. */
function variantOptions(variant: string, seed: number): AuditOptions {
  return resolveAuditOptions({ method: 'mixup', ...parseVariant(variant), seed });
}

/** Each judge's quality of one audit: the audit's own verdicts, and its models' probabilities re-judged with AUM. */
function judge(
  labels: Int32Array,
  flipped: Uint8Array,
  audit: ModelAudit,
  options: AuditOptions,
): Record<string, SignalQuality> {
  const quality = (verdicts: Judgement['verdicts']) => {
    const inOrder = [...verdicts].sort((a, b) => a.index - b.index);
    return signalQuality(
      inOrder.map((v) => v.flagged),
      inOrder.map((v) => v.score),
      flipped,
    );
  };
  const withAum = judgeSamples(
    labels,
    { erm: audit.ermProbabilities, mixup: audit.mixupProbabilities, aum: audit.dynamics!.aum },
    10,
    { ...options, flag: { ...options.flag, aumWeight: AUM_WEIGHT } },
  );
  return { [DEFAULT_JUDGE]: quality(audit.verdicts), [AUM_JUDGE]: quality(withAum.verdicts) };
}

async function train(): Promise<Dump> {
  const variants = stringOption('variants', 'imageSize=32;imageSize=28')
    .split(';')
    .map((v) => v.trim());
  const count = Number(stringOption('count', '10000'));
  const sources = stringOption('sources', 'mnist,fashion').split(',') as Source[];
  const settings = stringOption('settings', 'sym0,sym20,sym40,pair20').split(',') as Setting[];
  const seeds = stringOption('seeds', '1,2,3').split(',').map(Number);
  const dumpPath = flag('dump') ? stringOption('dump', '') : undefined;
  for (const setting of settings) if (!(setting in NOISE_SETTINGS)) throw new Error(`no noise setting "${setting}"`);
  // Fail on a bad variant now, not after an hour of the variants before it.
  const sizes = [...new Set(variants.map((v) => variantOptions(v, 1).imageSize))];
  const previous = dumpPath && flag('resume') && existsSync(dumpPath) ? readDump(dumpPath) : undefined;
  const done = new Set(previous?.runs.map(runKey));
  const now = () => ({ at: new Date().toISOString(), load: loadavg() });
  // A resumed run keeps the first session's start, so the table's time span covers every audit in it.
  const dump: Dump = { variants, cores: availableParallelism(), started: now(), ended: now(), runs: [] };
  if (previous) Object.assign(dump, { started: previous.started, runs: previous.runs });
  console.log(`backend: ${(await chooseBackend('auto')).reason}; load average ${loadText(dump.started.load)}`);
  let round = 0;
  for (const source of sources) {
    const data = new Map<number, BenchData>();
    for (const size of sizes) data.set(size, await benchImageSet(source, count, { size, seed: 11 }));
    releaseSource(source);
    // Seeds outermost and the settings interleaved, so a slow spell on the machine spreads over rows.
    for (const seed of seeds)
      for (const setting of settings) {
        // The same images in the same order at every size (benchImageSet picks by seed), so one noise draw fits all.
        const noisy = noisyLabels(data.get(sizes[0])!.labels, source, setting, 2 + seed);
        for (const variant of round++ % 2 ? [...variants].reverse() : variants) {
          const run = { source, setting, seed, variant };
          if (done.has(runKey(run))) continue;
          const options = variantOptions(variant, seed);
          const { images } = data.get(options.imageSize)!;
          const started = performance.now();
          const audit = await auditImages(images, noisy.labels, 10, options, { runner: workerModelRunner('auto') });
          const seconds = (performance.now() - started) / 1000;
          const quality = judge(noisy.labels, noisy.flipped, audit, options);
          dump.runs.push({
            ...run,
            seconds,
            samplesPerSecond: { erm: audit.erm.samplesPerSecond, mixup: audit.mixup.samplesPerSecond },
            quality,
          });
          const q = quality[DEFAULT_JUDGE];
          console.log(
            `${source} ${setting} seed ${seed} ${variant}: ${seconds.toFixed(0)} s, F1 ${q.f1.toFixed(3)}, ` +
              `AUROC ${q.auroc.toFixed(4)}, FPR ${(100 * q.falsePositiveRate).toFixed(2)}%; load ${loadText(loadavg())}`,
          );
          dump.ended = now();
          if (dumpPath) writeFileSync(dumpPath, JSON.stringify(dump));
        }
      }
  }
  return dump;
}

function runKey(run: Pick<Run, 'source' | 'setting' | 'seed' | 'variant'>): string {
  return `${run.source} ${run.setting} ${run.seed} ${run.variant}`;
}

function readDump(path: string): Dump {
  const dump = JSON.parse(readFileSync(path, 'utf8')) as Dump;
  // JSON has no NaN: the undefined AUROC at 0% noise comes back as null.
  for (const run of dump.runs)
    for (const [name, q] of Object.entries(run.quality)) run.quality[name] = { ...q, auroc: q.auroc ?? NaN };
  return dump;
}

function loadText(load: number[]): string {
  return load.map((l) => l.toFixed(2)).join(' ');
}

const fpr = (q: SignalQuality) => 100 * q.falsePositiveRate;

/** One table for `judgeName`: a row per source, setting and variant. */
function table(dump: Dump, judgeName: string, withCost: boolean): string {
  const rows: string[][] = [];
  for (const [key, group] of groupBy(dump.runs, (run) => `${run.source} ${run.setting}`)) {
    const baseline = new Map(group.filter((r) => r.variant === dump.variants[0]).map((r) => [r.seed, r]));
    // With no wrong label, precision, recall, F1 and AUROC say nothing: only the FPR counts.
    const clean = NOISE_SETTINGS[group[0].setting].rate === 0;
    for (const variant of dump.variants) {
      const runs = group.filter((r) => r.variant === variant);
      if (runs.length === 0) continue;
      const qualities = runs.map((r) => r.quality[judgeName]);
      const cell = (pick: (q: SignalQuality) => number, digits: number) =>
        clean && pick !== fpr ? '-' : medianAndRange(qualities.map(pick), digits);
      // Paired by seed: this variant's run minus the baseline's on the same seed, images and noise.
      const paired = runs.filter((r) => baseline.has(r.seed));
      const delta = (pick: (q: SignalQuality) => number, digits: number) =>
        medianAndRange(
          paired.map((r) => pick(r.quality[judgeName]) - pick(baseline.get(r.seed)!.quality[judgeName])),
          digits,
        );
      const first = variant === dump.variants[0] || paired.length === 0;
      rows.push([
        key,
        variant || '(defaults)',
        cell((q) => q.precision, 3),
        cell((q) => q.recall, 3),
        cell((q) => q.f1, 3),
        cell((q) => q.auroc, 4),
        cell(fpr, 2),
        first || clean ? '' : `${delta((q) => q.f1, 3)} / ${delta((q) => q.auroc, 4)}`,
        first ? '' : delta(fpr, 2),
        ...(withCost
          ? [
              medianAndRange(
                runs.map((r) => r.seconds),
                0,
              ),
              `${median(runs.map((r) => r.samplesPerSecond.erm)).toFixed(0)} / ${median(runs.map((r) => r.samplesPerSecond.mixup)).toFixed(0)}`,
            ]
          : []),
      ]);
    }
  }
  return markdownTable(
    [
      'data',
      'variant',
      'P',
      'R',
      'F1',
      'AUROC',
      'FPR %',
      `Δ F1 / Δ AUROC vs ${dump.variants[0]}, paired by seed`,
      'Δ FPR pts',
      ...(withCost ? ['s', 'samples/s ERM / mixup'] : []),
    ],
    rows,
  );
}

function report(dump: Dump): void {
  const seeds = [...new Set(dump.runs.map((r) => r.seed))].join(', ');
  console.log(
    `\n${dump.started.at.slice(0, 10)}, ${dump.started.at.slice(11, 16)}–${dump.ended.at.slice(11, 16)} UTC, ` +
      `${dump.runs.length} audits, seeds ${seeds}, ${dump.cores} cores; load average (1, 5, 15 min) ` +
      `${loadText(dump.started.load)} at the start, ${loadText(dump.ended.load)} at the end.\n` +
      `Median (min–max) over seeds. Δ: the variant's figure minus ${dump.variants[0]}'s on the same seed ` +
      '(same images and noise). FPR = share of clean labels flagged.\n\n' +
      `Judged by each audit's own flags (under the default flag options the product's judge: flag.aumWeight ${DEFAULT_FLAG_OPTIONS.aumWeight}, ` +
      `${DEFAULT_FLAG_OPTIONS.aumWeight === 0 ? 'the models alone' : 'AUM mixed in'}):\n\n` +
      table(dump, DEFAULT_JUDGE, true) +
      "\n\ns: the audit's wall time on a possibly shared machine (see the load averages), so seconds and " +
      'samples/s (median per model, both training at once) are only as steady as the machine; the ' +
      'detection figures do not depend on load.\n\n' +
      `The same audits judged by ${AUM_JUDGE} (--aum-weight ${AUM_WEIGHT}):\n\n` +
      table(dump, AUM_JUDGE, false),
  );
}

async function main(): Promise<void> {
  const from = flag('from') ? stringOption('from', '') : undefined;
  report(from ? readDump(from) : await train());
}

void main();
