// Heads on embeddings (`--heads embeddings`) against the audit's CNNs on pixels: how each finds
// injected label errors on real images, with the embeddings of a real pretrained network.
//
// The embeddings come from nsfwjs's MobileNetV2 (ImageNet-derived; test/helpers/backbones.ts) at its
// 224×224 input (its classifier pools a fixed 7×7 map, so it takes no other size), read at `--layer` (default block_13_expand_relu, which carried much more class
// information than its last layers on other images), through the same loadBackbone the audit uses.
// Each row: ERM and mixup trained as in a default quick audit (method 'mixup'), scored by the same
// margin rule, and the kNN label agreement on the same embeddings for reference. Repeated with
// --seeds, interleaving the two sides per seed; medians and ranges printed.
//
// Usage: npm run bench:heads -- [--count 1000] [--sources fashion,mnist] [--noise sym20,pair20] [--seeds 1,2,3]
import { loadavg, tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { benchImageSet, releaseSource } from './data';
import { NOISE_SETTINGS, PAIRS } from './noiseSettings';
import { stringOption } from './args';
import { auditImages } from '../src/core/training/auditImages';
import { embeddingHeadRunner } from '../src/core/training/headRunner';
import { neighbourVotes } from '../src/core/detection/neighbourVotes';
import { auroc, detectionQuality } from '../src/core/detection/metrics';
import { injectLabelNoise } from '../src/core/detection/noise';
import { averageProbabilities, suspicionScores } from '../src/core/detection/score';
import { resolveAuditOptions } from '../src/core/options';
import { loadBackbone } from '../src/core/userModel/backboneModel';
import type { AlignedRows } from '../src/core/userModel/userSignals';
import { chooseBackend } from '../src/engine/backend';
import { writeMobileNetV2 } from '../test/helpers/backbones';

const INPUT = 224;

async function main(): Promise<void> {
  const count = Number(stringOption('count', '1000'));
  const sources = stringOption('sources', 'fashion,mnist').split(',') as ('mnist' | 'fashion')[];
  const noises = stringOption('noise', 'sym20,pair20').split(',') as (keyof typeof NOISE_SETTINGS)[];
  const seeds = stringOption('seeds', '1,2,3').split(',').map(Number);
  const layer = stringOption('layer', 'block_13_expand_relu');
  const backend = await chooseBackend('auto');
  const options = resolveAuditOptions({ method: 'mixup' });
  const stamp = () =>
    `${new Date().toISOString()}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`;
  console.log(`backend: ${backend.reason}; ${stamp()}`);
  const folder = await mkdtemp(join(tmpdir(), 'label-audit-bench-heads-'));
  await writeMobileNetV2(folder);
  const backbone = await loadBackbone(folder, { layer });
  console.log(
    `${count} images per dataset; MobileNetV2 at ${INPUT}×${INPUT}, layer ${layer}; seeds ${seeds.join(',')}\n`,
  );
  const rows: string[][] = [];
  for (const source of sources) {
    const small = await benchImageSet(source, count, { size: options.imageSize, seed: 11 });
    const large = await benchImageSet(source, count, { size: INPUT, seed: 11 });
    releaseSource(source);
    const started = performance.now();
    const embeddings = embedAll(backbone, large.images.pixels, count);
    const embedSeconds = (performance.now() - started) / 1000;
    console.log(
      `${source}: ${embeddings.width}-dimensional embeddings of ${count} images in ${embedSeconds.toFixed(1)} s`,
    );
    for (const noiseName of noises) {
      const results = new Map<string, number[][]>();
      const add = (signal: string, figures: number[]) => results.set(signal, [...(results.get(signal) ?? []), figures]);
      for (const seed of seeds) {
        const noisy = injectLabelNoise(small.labels, 10, { ...NOISE_SETTINGS[noiseName], seed, pairs: PAIRS[source] });
        const labels = noisy.labels;
        const seeded = { ...options, seed };
        const judge = (erm: Float32Array, mixup: Float32Array) =>
          figures(suspicionScores(labels, averageProbabilities(erm, mixup), 10), noisy.flipped, options.flag.minMargin);
        // Interleaved per seed: the two sides see the same machine load.
        let t = performance.now();
        const cnn = await auditImages(small.images, labels, 10, seeded, {});
        add('CNNs on pixels (default)', [...judge(cnn.ermProbabilities, cnn.mixupProbabilities), seconds(t)]);
        t = performance.now();
        const heads = await auditImages(small.images, labels, 10, seeded, { runner: embeddingHeadRunner(embeddings) });
        const headSeconds = seconds(t);
        add('heads on MobileNetV2 embeddings', [
          ...judge(heads.ermProbabilities, heads.mixupProbabilities),
          headSeconds,
        ]);
        // The same heads scored by mixup alone too (scoredBy 'mixup'): the ERM head fits the given labels fast.
        add('  same heads, scored by mixup alone', [
          ...judge(heads.mixupProbabilities, heads.mixupProbabilities),
          headSeconds,
        ]);
        const votes = neighbourVotes(embeddings.values, embeddings.width, labels, 10, embeddings.covered).votes;
        add('kNN agreement on the embeddings', [
          ...figures(suspicionScores(labels, votes, 10), noisy.flipped, options.flag.minMargin),
          0,
        ]);
      }
      for (const [signal, runs] of results) {
        rows.push([
          source,
          noiseName,
          signal,
          ...[0, 1, 2, 3, 4].map((k) =>
            summary(
              runs.map((r) => r[k]),
              k === 3 ? 4 : k === 4 ? 1 : 3,
            ),
          ),
        ]);
        console.log(rows.at(-1)!.join('  '));
      }
    }
  }
  backbone.dispose();
  await rm(folder, { recursive: true, force: true });
  const header = ['data', 'noise', 'method', 'P', 'R', 'F1', 'AUROC', 'training s'];
  console.log(`\n${[header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
  console.log(`\nmedian (min–max) over ${seeds.length} seeds; ${stamp()}`);
}

/** Unit-length embeddings of every image, in batches of 32 (gray repeated into RGB by the backbone). */
function embedAll(backbone: Awaited<ReturnType<typeof loadBackbone>>, pixels: Uint8Array, count: number): AlignedRows {
  const area = INPUT * INPUT;
  let values = new Float32Array(0);
  let width = 0;
  for (let start = 0; start < count; start += 32) {
    const n = Math.min(32, count - start);
    const out = backbone.embed(pixels.subarray(start * area, (start + n) * area), n, 1);
    if (width === 0) {
      width = out.length / n;
      values = new Float32Array(count * width);
    }
    values.set(out, start * width);
  }
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let c = 0; c < width; c++) norm += values[r * width + c] ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < width; c++) values[r * width + c] *= scale;
  }
  return { values, width, covered: new Uint8Array(count).fill(1), missing: 0 };
}

function figures(scores: Float32Array, flipped: Uint8Array, minMargin: number): number[] {
  const q = detectionQuality(
    Array.from(scores, (s) => 2 * s - 1 >= minMargin - 1e-6),
    flipped,
  );
  return [q.precision, q.recall, q.f1, auroc(scores, flipped)];
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/** "0.912 (0.900–0.925)": median and range. */
function summary(values: number[], digits: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] / 2 + sorted[Math.ceil((sorted.length - 1) / 2)] / 2;
  return sorted.length === 1
    ? median.toFixed(digits)
    : `${median.toFixed(digits)} (${sorted[0].toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)})`;
}

void main();
