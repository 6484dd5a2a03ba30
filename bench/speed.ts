// Speed and memory of the product as a user runs it:
//   0. our engine and PyTorch side by side on the same network and data (bench/sideBySide.ts);
//   1. training throughput per available backend, per kernel and per lever (bench/backendThroughput.ts);
//   2. a full CLI audit of 10 000 MNIST digits stored as PNG files: wall time and peak resident
//      memory, cold (decoding every image) and warm (decode cache);
//   3. with --large, a full audit of 60 000 Fashion-MNIST images (must finish without running out
//      of memory);
//   4. duplicate-heavy (issue #18): 1 000 distinct digits, then the same plus `--copies` (default
//      20 000) byte-identical copies of one of them, cold, sides interleaved `--repeats` times (default
//      1); wall time and the child's peak RSS at exit, next to each other.
//
//   npm run bench:speed -- [--large] [--skip-throughput] [--copies-only] [--copies n] [--repeats n] [--epochs n]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flag, numberOption } from './args';
import { writeCopiesDatasets } from '../test/helpers/copiesDataset';
import { pngDataset } from './pngDatasets';
import { AUDIT_DIR } from '../src/core/report';

const REPO = join(__dirname, '..');
const OUT = join(REPO, 'bench-output');

function runNode(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; seconds: number; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - started) / 1000, stdout, stderr }));
  });
}

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
  console.log('| run | files | wall s | peak RSS MiB | copy groups | conflict members |');
  console.log('|---|---|---|---|---|---|');
  for (let r = 0; r < repeats; r++) {
    for (const [side, label] of [
      ['distinct', '1 000 distinct'],
      ['with-copies', `1 000 + ${copies.toLocaleString('en-US')} copies of one`],
    ] as const) {
      const dataset = join(root, side);
      await rm(join(dataset, AUDIT_DIR), { recursive: true, force: true });
      const rssFile = join(root, `peak-${side}`);
      const args = [
        'audit',
        dataset,
        '--quiet',
        '--json',
        '--epochs',
        String(epochs),
        '--min-steps',
        steps,
        '--max-steps',
        steps,
      ];
      const result = await runNode(
        [
          '--import',
          pathToFileURL(join(REPO, 'test', 'helpers', 'peakRss.mjs')).href,
          join(REPO, 'bin', 'label-audit.js'),
          ...args,
        ],
        {
          LABEL_AUDIT_PEAK_RSS_FILE: rssFile,
        },
      );
      if (result.code !== 0) throw new Error(`audit of ${dataset} failed (${result.code}):\n${result.stderr}`);
      const report = JSON.parse(await readFile(join(dataset, AUDIT_DIR, 'report.json'), 'utf8')) as {
        dataset: { audited: number };
        copyGroups?: unknown[];
        conflicts?: { members: unknown[] }[];
      };
      const peak = Number(await readFile(rssFile, 'utf8')) / 1024;
      const members = (report.conflicts ?? []).reduce((sum, g) => sum + g.members.length, 0);
      console.log(
        `| ${label} | ${report.dataset.audited} | ${result.seconds.toFixed(1)} | ${peak.toFixed(0)} | ${report.copyGroups?.length ?? 0} | ${members} |`,
      );
    }
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  if (flag('copies-only')) return duplicateHeavy();
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
