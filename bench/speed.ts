// Speed and memory of the product as a user runs it:
//   0. our engine and PyTorch side by side on the same network and data (bench/sideBySide.ts);
//   1. training throughput per available backend, per kernel and per lever (bench/backendThroughput.ts);
//   2. a full CLI audit of 10 000 MNIST digits stored as PNG files: wall time and peak resident
//      memory, cold (decoding every image) and warm (decode cache);
//   3. with --large, a full audit of 60 000 Fashion-MNIST images (must finish without running out
//      of memory);
//   4. duplicate-heavy (issue #18): 1 000 distinct digits, then the same plus `--copies` (default
//      20 000) byte-identical copies of one of them, cold, sides interleaved `--repeats` times (default
//      1); wall time and the child's peak RSS at exit, next to each other;
//   5. with --medium-sets alone, many medium copy sets: 60 000 Fashion-MNIST files holding 80 distinct
//      images, 750 copies each, next to 60 000 distinct ones, default settings.
//
//   npm run bench:speed -- [--large] [--skip-throughput] [--copies-only | --medium-sets] [--copies n] [--repeats n] [--epochs n]
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flag, numberOption } from './args';
import { REPO, runNode } from './runNode';
import { medianAndRange } from './stats';
import { writeCopiesDatasets } from '../test/helpers/copiesDataset';
import { forEachConcurrent } from '../test/helpers/realImages';
import { pngDataset } from './pngDatasets';
import { AUDIT_DIR } from '../src/core/report';

const OUT = join(REPO, 'bench-output');

interface ReportFigures {
  timings: Record<string, number>;
  resources: { peakRssMb: number };
  training: { erm: { samplesPerSecond: number }; mixup: { samplesPerSecond: number } };
  decode: { cacheHits: number; decoded: number };
  settings: { backend: string; imageSize: number; epochs: number };
}

async function audit(root: string, label: string, extra: string[] = []): Promise<string> {
  const result = await runNode([join(REPO, 'bin', 'label-audit.js'), 'audit', root, '--quiet', '--json', ...extra]);
  if (result.code !== 0) throw new Error(`audit of ${root} failed (${result.code}):\n${result.stderr}`);
  const report = JSON.parse(await readFile(join(root, AUDIT_DIR, 'report.json'), 'utf8')) as ReportFigures;
  const t = report.timings;
  return [
    label,
    result.seconds.toFixed(1),
    (t.load + t.decode).toFixed(1),
    t.decode.toFixed(1),
    ((report.decode.cacheHits + report.decode.decoded) / t.decode).toFixed(0),
    Math.max(t.erm, t.mixup).toFixed(1),
    `${report.training.erm.samplesPerSecond.toFixed(0)} + ${report.training.mixup.samplesPerSecond.toFixed(0)}`,
    String(report.resources.peakRssMb),
    String(report.decode.cacheHits),
  ].join(' | ');
}

/** One audit through the built CLI in a fresh child: its wall time, its peak RSS at exit and its report. */
async function measuredAudit(
  dataset: string,
  extra: readonly string[],
): Promise<{ seconds: number; peakMiB: number; files: number; copyGroups: number; conflictMembers: number }> {
  await rm(join(dataset, AUDIT_DIR), { recursive: true, force: true });
  const rssFile = `${dataset}.peak-rss`;
  const result = await runNode(
    [
      '--import',
      pathToFileURL(join(REPO, 'test', 'helpers', 'peakRss.mjs')).href,
      join(REPO, 'bin', 'label-audit.js'),
      'audit',
      dataset,
      '--quiet',
      '--json',
      '--no-cache',
      ...extra,
    ],
    { LABEL_AUDIT_PEAK_RSS_FILE: rssFile },
  );
  if (result.code !== 0) throw new Error(`audit of ${dataset} failed (${result.code}):\n${result.stderr}`);
  const report = JSON.parse(await readFile(join(dataset, AUDIT_DIR, 'report.json'), 'utf8')) as {
    dataset: { audited: number };
    copyGroups?: unknown[];
    conflicts?: { members: unknown[] }[];
  };
  const peakMiB = Number(await readFile(rssFile, 'utf8')) / 1024;
  await rm(rssFile, { force: true });
  return {
    seconds: result.seconds,
    peakMiB,
    files: report.dataset.audited,
    copyGroups: report.copyGroups?.length ?? 0,
    conflictMembers: (report.conflicts ?? []).reduce((sum, g) => sum + g.members.length, 0),
  };
}

/**
 * Audits each side `repeats` times, sides interleaved and their order reversed every other round
 * (so neither side always runs on a machine the other just warmed), one table row per run, then
 * each side's medians and ranges.
 */
async function interleavedRows(
  sides: readonly { readonly label: string; readonly dataset: string }[],
  extra: readonly string[],
  repeats: number,
): Promise<void> {
  console.log('| run | files | wall s | peak RSS MiB | copy groups | conflict members |');
  console.log('|---|---|---|---|---|---|');
  const runs = new Map(sides.map((side) => [side.label, { seconds: [] as number[], peaks: [] as number[] }]));
  for (let r = 0; r < repeats; r++) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      const run = await measuredAudit(side.dataset, extra);
      runs.get(side.label)!.seconds.push(run.seconds);
      runs.get(side.label)!.peaks.push(run.peakMiB);
      console.log(
        `| ${side.label} | ${run.files} | ${run.seconds.toFixed(1)} | ${run.peakMiB.toFixed(0)} | ${run.copyGroups} | ${run.conflictMembers} |`,
      );
    }
  }
  console.log('\n| side | wall s, median (range) | peak RSS MiB, median (range) |\n|---|---|---|');
  for (const [label, { seconds, peaks }] of runs)
    console.log(`| ${label} | ${medianAndRange(seconds, 1)} | ${medianAndRange(peaks, 0)} |`);
  console.log(
    `\n(load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}; ${new Date().toISOString()})\n`,
  );
}

/**
 * Section 4: the copies' cost next to the audit without them. Both sides train the same fixed budget
 * (the copies are one training unit), so what differs is the copies alone.
 */
async function duplicateHeavy(): Promise<void> {
  const copies = numberOption('copies', 20_000);
  const repeats = numberOption('repeats', 1);
  const epochs = numberOption('epochs', 1);
  const steps = String(Math.round(epochs * 1000));
  const root = join(OUT, `copies-${copies}`);
  if (!existsSync(join(root, '.complete'))) {
    await rm(root, { recursive: true, force: true });
    await writeCopiesDatasets(root, { distinct: 1000, copies, mislabeledCopies: 10 });
    await writeFile(join(root, '.complete'), '');
  }
  console.log(
    `## Duplicate-heavy (issue #18): 1 000 MNIST digits, ${epochs} epoch(s) of 1 000, cold, ${repeats}× interleaved\n`,
  );
  await interleavedRows(
    [
      { label: '1 000 distinct', dataset: join(root, 'distinct') },
      { label: `1 000 + ${copies.toLocaleString('en-US')} copies of one`, dataset: join(root, 'with-copies') },
    ],
    ['--epochs', String(epochs), '--min-steps', steps, '--max-steps', steps],
    repeats,
  );
}

/**
 * With --medium-sets: many medium copy sets, the first measurement. 60 000 Fashion-MNIST
 * files holding 80 distinct images (750 copies each) next to 60 000 distinct ones, default settings,
 * cold, `--repeats` rounds.
 */
async function mediumSets(): Promise<void> {
  const repeats = numberOption('repeats', 1);
  const fashion = await pngDataset('fashion', 60_000);
  const sets = await copySetsDataset(fashion, 80, 750);
  console.log(
    `## Many medium copy sets (issue #18): 60 000 Fashion-MNIST files, default settings, cold, ${repeats}× interleaved\n`,
  );
  await interleavedRows(
    [
      { label: '60 000 distinct', dataset: fashion },
      { label: '80 distinct × 750 copies', dataset: sets },
    ],
    [],
    repeats,
  );
}

/**
 * A folder-per-class dataset of `images` files of `source` (the first of each class folder in turn),
 * each hard-linked `copies` times into its own class folder: written once under bench-output/.
 */
async function copySetsDataset(source: string, images: number, copies: number): Promise<string> {
  const root = join(OUT, `copy-sets-${images}x${copies}`);
  if (existsSync(join(root, '.complete'))) return root;
  await rm(root, { recursive: true, force: true });
  const classes = (await readdir(source, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name);
  const files = await Promise.all(classes.map(async (name) => (await readdir(join(source, name))).sort()));
  const picked = Array.from({ length: images }, (_, i) => {
    const c = i % classes.length;
    return { label: classes[c], file: files[c][Math.floor(i / classes.length)] };
  });
  await Promise.all(classes.map((name) => mkdir(join(root, name), { recursive: true })));
  await forEachConcurrent(images * copies, 16, (k) => {
    const { label, file } = picked[k % images];
    const copy = `${file.replace(/\.png$/, '')}-copy-${String(Math.floor(k / images)).padStart(4, '0')}.png`;
    return link(join(source, label, file), join(root, label, copy));
  });
  await writeFile(join(root, '.complete'), '');
  return root;
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  if (flag('copies-only')) return duplicateHeavy();
  if (flag('medium-sets')) return mediumSets();
  if (!flag('skip-throughput')) {
    console.log('## Side by side with PyTorch\n');
    const sideBySide = await runNode(['--import', 'tsx', join(REPO, 'bench', 'sideBySide.ts')]);
    console.log(sideBySide.stdout + sideBySide.stderr);
    console.log('## Training throughput per backend\n');
    const throughput = await runNode([
      '--import',
      'tsx',
      join(REPO, 'bench', 'backendThroughput.ts'),
      '--cpu-steps',
      '1',
    ]);
    console.log(throughput.stdout || throughput.stderr);
  }
  console.log(
    '## Full audits through the CLI (default settings: 32×32 input, 8 epochs, both models on two worker threads)\n',
  );
  console.log(
    '| run | wall s | first training step after s | decode s | decode images/s | training s | samples/s (ERM + mixup) | peak RSS MiB | cache hits |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const mnist = await pngDataset('mnist', 10_000);
  await rm(join(mnist, AUDIT_DIR), { recursive: true, force: true });
  console.log(`| ${await audit(mnist, 'MNIST 10 000 PNG, cold')} |`);
  console.log(`| ${await audit(mnist, 'MNIST 10 000 PNG, cached decode')} |`);
  if (flag('large')) {
    const fashion = await pngDataset('fashion', 60_000);
    await rm(join(fashion, AUDIT_DIR), { recursive: true, force: true });
    console.log(`| ${await audit(fashion, 'Fashion-MNIST 60 000 PNG, cold')} |`);
  }
  console.log('');
  await duplicateHeavy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
