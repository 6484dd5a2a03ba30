// Decode speed (issue #15): images/s of decodeImages on real PNG files, cold (no decode cache; the
// OS file cache is warm after the first run, as for a user's second audit of the day) and cached.
// Sides: every file through sharp (`smallPngs: false`, the decode before this change) and small
// PNGs through pngjs + mosaic resizes (the default), then the decode cache's second run. Each run is
// a fresh process; the sides take turns, the order reversed every other round.
//
//   npm run bench:decode-speed -- [--source mnist|fashion] [--count 10000] [--size 32] [--repeats 3]
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberOption, stringOption } from './args';
import { decodeInChild, type DecodeRun } from './decodeInChild';
import { pngDataset } from './pngDatasets';
import { medianAndRange } from './stats';
import type { ImageSource } from '../test/helpers/realImages';

type Side = 'sharp only' | 'small PNGs' | 'cached';

/** One decode of `root` on `side`, in a fresh process. */
function decodeOnce(root: string, size: number, side: Side, cacheDir: string): DecodeRun {
  return decodeInChild(root, {
    size,
    ...(side === 'sharp only' ? { smallPngs: false } : {}),
    ...(side === 'cached' ? { cacheDir } : {}),
  });
}

async function main(): Promise<void> {
  const source = stringOption('source', 'mnist') as ImageSource;
  const count = numberOption('count', 10_000);
  const size = numberOption('size', 32);
  const repeats = numberOption('repeats', 3);
  const root = await pngDataset(source, count);
  const cacheDir = await mkdtemp(join(tmpdir(), 'label-audit-decode-cache-'));
  try {
    // Warms the OS file cache and fills the decode cache the 'cached' side reads.
    decodeOnce(root, size, 'cached', cacheDir);
    const sides: Side[] = ['sharp only', 'small PNGs', 'cached'];
    const runs = new Map<Side, DecodeRun[]>(sides.map((side) => [side, []]));
    const loads: number[] = [];
    for (let round = 0; round < repeats; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        loads.push(loadavg()[0]);
        const run = decodeOnce(root, size, side, cacheDir);
        if (side === 'cached' && run.cacheHits !== count)
          throw new Error(`cached run hit ${run.cacheHits} of ${count}`);
        runs.get(side)!.push(run);
      }
    }
    console.log(
      `\nDecode of ${count} real ${source} PNGs (28×28) to ${size}×${size}, ${repeats} runs a side, ` +
        `${new Date().toISOString().slice(0, 10)}, load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}; median (min–max)\n`,
    );
    console.log('| decode | images/s | seconds | peak RSS MiB |');
    console.log('|---|---|---|---|');
    for (const side of sides) {
      const list = runs.get(side)!;
      console.log(
        `| ${side} | ${medianAndRange(list.map((r) => r.imagesPerSecond))} | ${medianAndRange(
          list.map((r) => r.seconds),
          2,
        )} | ${medianAndRange(list.map((r) => r.peakMb))} |`,
      );
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

void main();
