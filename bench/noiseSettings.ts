// The label noise the quality benchmarks inject (bench:quality, bench:own-model): one table, so
// their rows mean the same thing.
import { injectLabelNoise, type NoisyLabels } from '../src/core/detection/noise';

/** Pair-flip targets per class: the look-alike class each label is flipped to. */
export const PAIRS: Record<'mnist' | 'fashion', readonly number[]> = {
  // 0→6, 1→7, 2→7, 3→8, 4→9, 5→6, 6→5, 7→1, 8→3, 9→4
  mnist: [6, 7, 7, 8, 9, 6, 5, 1, 3, 4],
  // t-shirt→shirt, trouser→dress, pullover→coat, dress→trouser, coat→pullover, sandal→sneaker,
  // shirt→t-shirt, sneaker→ankle-boot, bag→pullover, ankle-boot→sneaker
  fashion: [6, 3, 4, 1, 2, 7, 0, 9, 2, 7],
};

/** The noise settings by name (`--settings sym20,pair20`). */
export const NOISE_SETTINGS = {
  sym0: { rate: 0, kind: 'symmetric' },
  sym20: { rate: 0.2, kind: 'symmetric' },
  sym40: { rate: 0.4, kind: 'symmetric' },
  pair20: { rate: 0.2, kind: 'pairFlip' },
} as const;

/** `labels` (10 classes) under `setting`'s noise drawn from `seed`, and which were flipped (none at sym0). */
export function noisyLabels(
  labels: Int32Array,
  source: keyof typeof PAIRS,
  setting: keyof typeof NOISE_SETTINGS,
  seed: number,
): NoisyLabels {
  const noise = NOISE_SETTINGS[setting];
  return noise.rate === 0
    ? { labels: Int32Array.from(labels), flipped: new Uint8Array(labels.length) }
    : injectLabelNoise(labels, 10, { ...noise, seed, pairs: PAIRS[source] });
}
