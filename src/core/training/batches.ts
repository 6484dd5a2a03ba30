import type { ImageSet } from '../shared/types';
import type { Random } from './random';

/**
 * Writes training batches into reusable Float32Arrays without allocating per sample: plain batches
 * with one-hot labels, and mixup batches. Subclasses say how one sample is written.
 */
export abstract class SampleFiller {
  /** Floats per sample. */
  abstract readonly sampleLength: number;
  /** Shape of one sample as the network takes it, e.g. [size, size, channels] or [width]. */
  abstract readonly sampleShape: readonly number[];

  constructor(
    protected readonly labels: Int32Array,
    /** Width of the one-hot (or mixed) label rows written into `y`. */
    readonly numClasses: number,
  ) {}

  /** Writes (or, with `accumulate`, adds) `weight` × sample `index`, normalised, at `offset` of `x`. */
  protected abstract writeSample(
    index: number,
    x: Float32Array,
    offset: number,
    weight: number,
    accumulate: boolean,
  ): void;

  /**
   * Writes the samples `order[start .. start+count)` into `x` (`count * sampleLength` floats) and
   * their one-hot given labels into `y` (`count * numClasses`), if `y` is given.
   */
  fill(order: Int32Array, start: number, count: number, x: Float32Array, y?: Float32Array): void {
    for (let b = 0; b < count; b++) this.writeSample(order[start + b], x, b * this.sampleLength, 1, false);
    if (y) {
      y.fill(0, 0, count * this.numClasses);
      for (let b = 0; b < count; b++) y[b * this.numClasses + this.labels[order[start + b]]] = 1;
    }
  }

  /**
   * Writes a mixup batch (Zhang et al. 2018): each sample i of the batch is mixed with a partner
   * from a shuffled copy of the same batch, x' = λ·xi + (1−λ)·xj and y' = λ·yi + (1−λ)·yj, with
   * one λ ~ Beta(α, α) drawn per sample (lower-variance than one λ per batch, same expectation).
   *
   * @returns For each batch row, its partner's row and its λ (for tests and diagnostics).
   */
  fillMixup(
    order: Int32Array,
    start: number,
    count: number,
    alpha: number,
    random: Random,
    x: Float32Array,
    y: Float32Array,
  ): { partners: Int32Array; lambdas: Float32Array } {
    const partners = random.permutation(count);
    const lambdas = new Float32Array(count);
    y.fill(0, 0, count * this.numClasses);
    for (let b = 0; b < count; b++) {
      const i = order[start + b];
      const j = order[start + partners[b]];
      const lambda = random.beta(alpha, alpha);
      lambdas[b] = lambda;
      this.writeSample(i, x, b * this.sampleLength, lambda, false);
      this.writeSample(j, x, b * this.sampleLength, 1 - lambda, true);
      y[b * this.numClasses + this.labels[i]] += lambda;
      y[b * this.numClasses + this.labels[j]] += 1 - lambda;
    }
    return { partners, lambdas };
  }
}

/**
 * Turns uint8 pixels into normalised float batches: pixels stay in the one uint8 buffer of the
 * {@link ImageSet}; each sample is written through a 256-entry lookup table per channel.
 */
export class BatchFiller extends SampleFiller {
  readonly sampleLength: number;
  readonly sampleShape: readonly number[];
  /** The standardisation used, to be reused when predicting with a model trained on these batches. */
  readonly normalization: Normalization;

  constructor(
    private readonly images: ImageSet,
    labels: Int32Array,
    numClasses: number,
    normalization?: Normalization,
  ) {
    super(labels, numClasses);
    this.sampleLength = images.size * images.size * images.channels;
    this.sampleShape = [images.size, images.size, images.channels];
    this.normalization = normalization ?? measureNormalization(images);
  }

  protected writeSample(index: number, x: Float32Array, offset: number, weight: number, accumulate: boolean): void {
    const { pixels, channels } = this.images;
    const length = this.sampleLength;
    const source = index * length;
    if (channels === 1) {
      const table = this.normalization[0];
      if (accumulate) for (let k = 0; k < length; k++) x[offset + k] += weight * table[pixels[source + k]];
      else if (weight === 1) for (let k = 0; k < length; k++) x[offset + k] = table[pixels[source + k]];
      else for (let k = 0; k < length; k++) x[offset + k] = weight * table[pixels[source + k]];
      return;
    }
    for (let k = 0; k < length; k++) {
      const value = weight * this.normalization[k % 3][pixels[source + k]];
      x[offset + k] = accumulate ? x[offset + k] + value : value;
    }
  }
}

/** One 256-entry table per channel mapping a uint8 value to its standardised float. */
export type Normalization = readonly Float32Array[];

/**
 * Per-channel standardisation tables: value v ↦ (v/255 − mean) / std, with mean and std measured
 * on the dataset itself so that dark, light and colour datasets all reach the network centred.
 */
export function measureNormalization(images: ImageSet): Normalization {
  const { pixels, channels } = images;
  const sum = new Float64Array(channels);
  const sumSquares = new Float64Array(channels);
  for (let k = 0; k < pixels.length; k++) {
    const v = pixels[k] / 255;
    sum[k % channels] += v;
    sumSquares[k % channels] += v * v;
  }
  const perChannel = pixels.length / channels;
  return Array.from({ length: channels }, (_, c) => {
    const mean = sum[c] / perChannel;
    const std = Math.sqrt(Math.max(sumSquares[c] / perChannel - mean * mean, 1e-6));
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - mean) / std;
    return table;
  });
}
