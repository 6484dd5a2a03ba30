// One decodeImages run in a fresh Node process, so each measurement starts with a cold JIT and its
// own peak RSS: shared by bench:decode (memory of large photos) and bench:decode-speed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { DecodeOptions } from '../src/core/data/decode';

const REPO = join(__dirname, '..');

/** What one run measured. */
export interface DecodeRun {
  /** Seconds of decodeImages, the dataset's loading not counted. */
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly peakMb: number;
  readonly cacheHits: number;
}

/**
 * Loads `root` and decodes it with `options` (plain data: no signal or callbacks) in a child
 * process; throws unless every image decoded.
 */
export function decodeInChild(root: string, options: Omit<DecodeOptions, 'signal' | 'onProgress'>): DecodeRun {
  const script = `
    const { loadDataset } = require('./src/core/data/dataset');
    const { decodeImages } = require('./src/core/data/decode');
    (async () => {
      const dataset = await loadDataset(${JSON.stringify(root)});
      const started = performance.now();
      const result = await decodeImages(dataset, ${JSON.stringify(options)});
      const seconds = (performance.now() - started) / 1000;
      if (result.kept.length !== dataset.samples.length) throw new Error('not every image decoded');
      console.log(JSON.stringify({
        seconds,
        imagesPerSecond: result.kept.length / seconds,
        peakMb: Math.round(process.resourceUsage().maxRSS / 1024),
        cacheHits: result.cacheHits,
      }));
    })();`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as DecodeRun;
}
