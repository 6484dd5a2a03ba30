// Speed and memory of the product as a user runs it:
//   0. our engine and PyTorch side by side on the same network and data (bench/sideBySide.ts);
//   1. training throughput per available backend, per kernel and per lever (bench/backendThroughput.ts);
//   2. a full CLI audit of 10 000 MNIST digits stored as PNG files: wall time and peak resident
//      memory, cold (decoding every image) and warm (decode cache);
//   3. with --large, a full audit of 60 000 Fashion-MNIST images (must finish without running out
//      of memory).
//
//   npm run bench:speed -- [--large] [--skip-throughput]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flag } from './args';
import {
  loadSource,
  pickImages,
  SOURCE_SIZE,
  writeDataset,
  releaseSource,
  type ImageSource,
} from '../test/helpers/realImages';
import { AUDIT_DIR } from '../src/core/report';

const REPO = join(__dirname, '..');
const OUT = join(REPO, 'bench-output');

/** Writes `count` real images of `source` as a folder-per-class PNG dataset, once (reused later). */
async function pngDataset(source: ImageSource, count: number): Promise<string> {
  const root = join(OUT, `${source}-${count}`);
  if (existsSync(join(root, '.complete'))) return root;
  await rm(root, { recursive: true, force: true });
  const images = loadSource(source);
  const picks = pickImages(images, count, 1);
  const pixels = picks.map((p) => {
    const image = new Uint8Array(SOURCE_SIZE * SOURCE_SIZE);
    images.copyImage(p.classId, p.index, image);
    return image;
  });
  await writeDataset(root, { images: pixels, labels: picks.map((p) => images.classNames[p.classId]) }, 'folder');
  releaseSource(source);
  await writeFile(join(root, '.complete'), '');
  return root;
}

function runNode(args: string[]): Promise<{ code: number | null; seconds: number; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO });
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

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
