// Peak memory of decoding large photos, with and without the decode pixel budget (src/core/data/pixelBudget.ts).
// Writes `--count` colour PNGs just under the 50-megapixel limit (real MNIST digits, tinted and
// upscaled with sharp; interlaced PNG, which libvips must hold whole to decode — a plain PNG or a
// JPEG streams through the resize in strips and hardly costs memory at any size), then decodes them in a fresh child process per run and prints its peak RSS.
// Sides alternate (budget, none, budget, none…) so machine load hits both alike.
//
//   npm run bench:decode -- [--count 24] [--concurrency 4] [--repeats 2]
import { decodeInChild } from './decodeInChild';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { numberOption } from './args';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { realImages, SOURCE_SIZE } from '../test/helpers/realImages';
import { median } from './stats';

const REPO = join(__dirname, '..');
const WIDTH = 8000;
const HEIGHT = 6240; // 49.9 megapixels

async function photoDataset(count: number): Promise<string> {
  const root = join(REPO, 'bench-output', `large-interlaced-png-${count}`);
  if (existsSync(join(root, '.complete'))) return root;
  await rm(root, { recursive: true, force: true });
  const { images, labels, classNames } = realImages(count, { seed: 3, classes: [0, 1] });
  for (let i = 0; i < count; i++) {
    const tint = i % 2 === 0 ? [255, 160, 40] : [60, 200, 255];
    const rgb = Uint8Array.from(
      { length: images[i].length * 3 },
      (_, j) => (images[i][(j / 3) | 0] * tint[j % 3]) / 255,
    );
    await mkdir(join(root, classNames[labels[i]]), { recursive: true });
    await sharp(rgb, { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 3 } })
      .resize(WIDTH, HEIGHT, { fit: 'fill', kernel: 'cubic' })
      .png({ compressionLevel: 1, progressive: true })
      .toFile(join(root, classNames[labels[i]], `${i}.png`));
  }
  await writeFile(join(root, '.complete'), '');
  return root;
}

async function main(): Promise<void> {
  const count = numberOption('count', 24);
  const concurrency = numberOption('concurrency', 4);
  const repeats = numberOption('repeats', 2);
  const root = await photoDataset(count);
  const sides = { 'budget 100 MP (default)': 100, 'no budget (before)': 1e9 };
  console.log(`writing ${count} large PNGs (once, kept in bench-output/)…`);
  const results = new Map<string, { seconds: number; peakMb: number }[]>();
  for (let r = 0; r < repeats; r++) {
    for (const [name, budget] of Object.entries(sides)) {
      const run = decodeInChild(root, { size: 32, concurrency, budgetMegapixels: budget });
      results.set(name, [...(results.get(name) ?? []), run]);
    }
  }
  console.log(
    `${count} PNGs of ${WIDTH}×${HEIGHT} (${((WIDTH * HEIGHT) / 1e6).toFixed(1)} MP), concurrency ${concurrency}, ` +
      `${repeats} runs per side, ${new Date().toISOString()}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  for (const [name, runs] of results) {
    const peaks = runs.map((r) => r.peakMb);
    const seconds = runs.map((r) => r.seconds);
    console.log(
      `${name.padEnd(24)} peak RSS median ${median(peaks)} MiB (${Math.min(...peaks)}–${Math.max(...peaks)}), ` +
        `wall median ${median(seconds).toFixed(1)} s (${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)})`,
    );
  }
}

void main();
