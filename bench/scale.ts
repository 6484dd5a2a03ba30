// Reports at a million samples (issue #15): a report of `--samples` (default 1 000 000) synthetic
// rows over real MNIST digits (hard links to 500 distinct PNGs, test/helpers/largeReport.ts), every
// sample with its ERM trajectory as a quick audit records it and a health section (image-quality and
// outlier scores, a map point per sample; test/helpers/largeHealth.ts). Prints the files' sizes and write
// times, then, in a fresh process per measurement (so each peak memory is its own), sides
// interleaved `--repeats` times (default 3): reading the report, opening the review panel (report,
// sample files, webview content, message) and the Problems-panel findings; in today's format
// (header + Arrow samples) and in version 3's (one JSON file); then the CLI exports. The page itself
// at this size: `npm run bench:panel -- --samples 1000000 --side 28`.
//
//   npm run bench:scale -- [--samples 1000000] [--suspects 10000] [--repeats 3]
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../src/core/atomicWrite';
import { readReport, reportJson, reportPath, writeReport, type ReportHeader } from '../src/core/reportFile';
import { writeLargeReportDataset } from '../test/helpers/largeReport';
import { numberOption } from './args';
import { REPO, runNode } from './runNode';
import { medianAndRange } from './stats';

const samples = numberOption('samples', 1_000_000);
const suspects = numberOption('suspects', 10_000);
const repeats = numberOption('repeats', 3);
const PEAK_RSS = pathToFileURL(join(REPO, 'test', 'helpers', 'peakRss.mjs')).href;

const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const load = () => loadavg()[0].toFixed(1);

type Format = 'v5' | 'v3';
type Figures = Record<string, number>;

async function main(): Promise<void> {
  const name = `scale-${samples}-${suspects}`;
  const root = join(REPO, 'bench-output', name);
  const variants = join(REPO, 'bench-output', `${name}-variants`);
  console.log(`bench:scale ${new Date().toISOString()}, load ${load()}: ${samples} samples, ${suspects} flagged`);
  let started = performance.now();
  await writeLargeReportDataset(root, { samples, suspects, side: 28, health: true });
  console.log(`dataset ${root} ready in ${seconds(started)} s`);
  const report = await readReport(reportPath(root));

  // ---- the two formats on disk ----
  await mkdir(variants, { recursive: true });
  const v3 = join(variants, 'report.v3.json');
  started = performance.now();
  // Without health: with it the one JSON string is longer than V8's limit (~512 MB), so version 3
  // could not hold this report at all; the read figures compare the samples alone.
  await writeFileAtomic(v3, `${reportJson({ ...report, version: 3, health: undefined } as unknown as ReportHeader)}\n`);
  console.log(`write version 3 (one JSON file, without health): ${seconds(started)} s, ${mb((await stat(v3)).size)}`);
  started = performance.now();
  await writeReport(report, reportPath(root));
  const header = JSON.parse(await readFile(reportPath(root), 'utf8')) as ReportHeader;
  const samplesSize = (await stat(join(root, '.label-audit', header.samples.file))).size;
  console.log(
    `write version 5 (header + Arrow samples): ${seconds(started)} s, header ${mb((await stat(reportPath(root))).size)} + samples ${mb(samplesSize)}`,
  );
  const v5 = join(variants, 'report.v5.json');
  await copyFile(reportPath(root), v5);

  // ---- opening, each in a fresh process, the formats interleaved ----
  const modes = ['read', 'panel', 'findings'] as const;
  const results = new Map<string, Figures[]>();
  const child = async (mode: string): Promise<Figures> => {
    const run = await runNode(['--import', 'tsx', join(REPO, 'bench', 'scaleOpen.ts'), mode, root]);
    if (run.code !== 0) throw new Error(`scaleOpen ${mode} failed (${run.code}):\n${run.stderr}`);
    return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Figures;
  };
  for (let r = 0; r < repeats; r++) {
    const order: Format[] = r % 2 === 0 ? ['v5', 'v3'] : ['v3', 'v5'];
    const baseline = await child('baseline');
    push(results, 'baseline', baseline);
    for (const format of order) {
      await copyFile(format === 'v5' ? v5 : v3, reportPath(root));
      for (const mode of modes) {
        const figures = await child(mode);
        push(results, `${format} ${mode}`, figures);
        console.log(`  round ${r + 1}, ${format} ${mode}: ${JSON.stringify(figures)} (load ${load()})`);
      }
    }
  }
  await copyFile(v5, reportPath(root));
  console.log(`\nmedian (range) of ${repeats} fresh processes each; peak RSS includes the Node + tsx baseline:`);
  console.log(`baseline process: peak RSS ${medianAndRange(column(results, 'baseline', 'peakRssMb'))} MiB`);
  for (const mode of modes) {
    for (const format of ['v5', 'v3'] as const) {
      const runs = results.get(`${format} ${mode}`)!;
      const times = Object.keys(runs[0]).filter((k) => k.endsWith('Ms'));
      console.log(
        `${format} ${mode.padEnd(8)} ` +
          times.map((k) => `${k} ${medianAndRange(runs.map((f) => f[k]))}`).join(', ') +
          `; RSS after ${medianAndRange(runs.map((f) => f.rssMb))} MiB, peak ${medianAndRange(runs.map((f) => f.peakRssMb))} MiB` +
          (runs[0].messageMb === undefined ? '' : `; message ${runs[0].messageMb} MB`),
      );
    }
  }

  // ---- exports from the report (today's format), the CLI as a user runs it ----
  // A label file lists paths relative to its folder, so the cleaned one goes in the dataset's root.
  const labels = join(root, 'bench-scale.cleaned.csv');
  for (const [label, args] of [
    ['export --accept-suggestions', ['--accept-suggestions', '--out', labels, '--force']],
    ['export --format cleanlab', ['--format', 'cleanlab', '--out', join(variants, 'label_issues.csv'), '--force']],
  ] as const) {
    const walls: number[] = [];
    const peaks: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const rssFile = join(variants, 'peak-rss');
      const run = await runNode(['--import', PEAK_RSS, join(REPO, 'bin', 'label-audit.js'), 'export', root, ...args], {
        LABEL_AUDIT_PEAK_RSS_FILE: rssFile,
      });
      if (run.code !== 0) throw new Error(`${label} failed (${run.code}):\n${run.stderr}`);
      walls.push(run.seconds);
      peaks.push(Number(await readFile(rssFile, 'utf8')) / 1024);
    }
    console.log(
      `${label}: ${medianAndRange(walls, 1)} s, peak RSS ${medianAndRange(peaks)} MiB (the CLI; --accept-suggestions loads the dataset, --format cleanlab only the report)`,
    );
  }
  await rm(labels, { force: true });
  await rm(join(root, 'bench-scale.cleaned.decisions.csv'), { force: true });
}

function push(results: Map<string, Figures[]>, key: string, figures: Figures): void {
  results.set(key, [...(results.get(key) ?? []), figures]);
}

function column(results: Map<string, Figures[]>, key: string, field: string): number[] {
  return (results.get(key) ?? []).map((f) => f[field]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
