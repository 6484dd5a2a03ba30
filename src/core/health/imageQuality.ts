/**
 * Image-quality statistics and flags in the manner of CleanVision (cleanlab/cleanvision,
 * `issue_managers/image_property.py`): dark, light, blurry, low information, odd aspect ratio,
 * odd size and grayscale-in-a-colour-dataset. Every score is in [0, 1], lower is worse, and a sample
 * is flagged when its score is below the type's threshold (CleanVision's convention).
 *
 * The pixel statistics are measured on the pixels the audit already decoded for training (the
 * network size, 32 px by default; box-averaged to at most {@link MAX_MEASURED_SIDE} when larger),
 * so no image is decoded twice; width and height are the original file's, kept by the decoder.
 */

import type { ImageSet } from '../shared/types';

/** The image-quality issue types, as named in the report and in `--fail-on`. */
export const QUALITY_TYPES = [
  'dark',
  'light',
  'blurry',
  'lowInformation',
  'oddAspectRatio',
  'oddSize',
  'grayscale',
] as const;
export type QualityType = (typeof QUALITY_TYPES)[number];

/** Largest side the statistics are measured at: CleanVision's MAX_RESOLUTION_FOR_BLURRY_DETECTION. */
export const MAX_MEASURED_SIDE = 64;

/** A threshold and the reason for it, as the report states them. */
export interface QualityThreshold {
  /** Flag when the score is below this. */
  readonly threshold: number;
  /** What the score measures. */
  readonly score: string;
  /** Where the threshold comes from. */
  readonly why: string;
}

/** The thresholds; see docs/dataset-health.md for how each was checked on real images. */
export const QUALITY_THRESHOLDS: Readonly<Record<QualityType, QualityThreshold>> = {
  dark: {
    threshold: 0.32,
    score: '99th percentile of pixel brightness sqrt(.241R²+.691G²+.068B²)/255',
    why: "CleanVision's default (0.32): even the brightest pixels are dim",
  },
  light: {
    threshold: 0.05,
    score: '1 − the 5th percentile of pixel brightness',
    why: "CleanVision's default (0.05): even the darkest pixels are near white",
  },
  blurry: {
    threshold: 0.29,
    score: '1 − exp(−0.01 · standard deviation of the 3×3 edge filter on the gray image, ≤ 64 px)',
    why: "CleanVision's default (threshold 0.29, normalizing factor 0.01); as CleanVision does for dark images, a dark, light or low-information image gets 1 − that score added, so it is not also called blurry",
  },
  lowInformation: {
    threshold: 0.15,
    score: '0.1 · entropy of the pixel histogram in bits, capped at 1',
    why: "Datalab's default for CleanVision (0.15, i.e. under 1.5 bits), held to the dataset's far-out fence Q1 − 3·IQR (but at least 0.01, so a blank frame is always flagged): on clean MNIST, whose black background fills most of each image, 0.15 alone fires on 9% of the images and CleanVision's own 0.3 on over half",
  },
  oddAspectRatio: {
    threshold: 0.35,
    score: 'min(width/height, height/width) of the original file',
    why: "CleanVision's default (0.35): one side under about a third of the other",
  },
  oddSize: {
    threshold: 0.1,
    score: 'min(s/m, m/s) where s = √(width·height) and m its median over the dataset',
    why: "CleanVision's default ratio of 10 to the dataset's typical size",
  },
  grayscale: {
    threshold: 0.5,
    score: '0 when R = G = B at every pixel, else 1; only in a dataset with colour images',
    why: 'a gray image among colour ones is usually a conversion slip (CleanVision flags every gray image)',
  },
};

/**
 * Types whose threshold is also held to the dataset's own distribution, with the floor below which
 * a score is flagged anyway: a flag needs the score below both the fixed threshold and
 * max(floor, Q1 − 3·IQR of the dataset's scores) (see {@link QUALITY_THRESHOLDS}).
 */
export const RELATIVE_QUALITY_FLOORS: Readonly<Partial<Record<QualityType, number>>> = { lowInformation: 0.01 };

/** Per-image scores, `(N,)` each, row-aligned with the images. */
export type QualityScores = Readonly<Record<QualityType, Float32Array>>;

/**
 * Scores every file for every quality type, measuring each distinct content once in one pass over
 * the uint8 pixels (byte-identical files score alike; issue #18).
 *
 * @param contents The decoded pixels, one row per distinct content (`decodeImages`' `images`).
 * @param dimensions Original width and height of the files of each row of `contents`.
 * @param contentOf `(N,)` row of `contents` of each file.
 * @returns One `(N,)` array of scores per type, lower is worse.
 */
export function qualityScores(
  contents: ImageSet,
  dimensions: readonly { readonly width: number; readonly height: number }[],
  contentOf: Int32Array,
): QualityScores {
  const perContent = contentScores(contents, dimensions);
  if (contentOf.length === contents.count && contentOf.every((content, row) => content === row)) return perContent;
  const scores = Object.fromEntries(
    QUALITY_TYPES.map((type) => [type, Float32Array.from(contentOf, (content) => perContent[type][content])]),
  ) as Record<QualityType, Float32Array>;
  // Size is judged against the median file, so a content counts once per file here.
  const sides = Array.from(contentOf, (content) => Math.sqrt(dimensions[content].width * dimensions[content].height));
  oddSizeScores(sides, scores.oddSize);
  return scores;
}

/** {@link qualityScores} of the rows of `images`, each its own file. */
function contentScores(
  images: ImageSet,
  dimensions: readonly { readonly width: number; readonly height: number }[],
): QualityScores {
  const { count } = images;
  if (dimensions.length !== count) throw new RangeError(`dimensions: ${dimensions.length} for ${count} images`);
  const scores = Object.fromEntries(QUALITY_TYPES.map((type) => [type, new Float32Array(count)])) as Record<
    QualityType,
    Float32Array
  >;
  const measure = new ImageMeasure(images.size, images.channels);
  const colourSet = images.channels === 3;
  for (let row = 0; row < count; row++) {
    const m = measure.run(images.pixels, row);
    scores.dark[row] = m.p99;
    scores.light[row] = 1 - m.p5;
    scores.lowInformation[row] = Math.min(1, 0.1 * m.entropy);
    // As CleanVision does for dark images, generalized: a dim, washed-out or flat image has weak
    // edges for another reason, so its shortfall on that type is added to its blur score.
    let blur = 1 - Math.exp(-0.01 * m.edgeSpread);
    for (const type of ['dark', 'light', 'lowInformation'] as const)
      if (scores[type][row] < QUALITY_THRESHOLDS[type].threshold) blur += 1 - scores[type][row];
    scores.blurry[row] = Math.min(1, blur);
    scores.grayscale[row] = colourSet && m.gray ? 0 : 1;
    const { width, height } = dimensions[row];
    scores.oddAspectRatio[row] = width > 0 && height > 0 ? Math.min(width / height, height / width) : 1;
  }
  oddSizeScores(
    dimensions.map(({ width, height }) => Math.sqrt(width * height)),
    scores.oddSize,
  );
  return scores;
}

/** Each file's side (√(width·height)) against the median side, into `out`. */
function oddSizeScores(sides: readonly number[], out: Float32Array): void {
  const median = medianOf(sides);
  sides.forEach((side, row) => {
    out[row] = median > 0 && side > 0 ? Math.min(side / median, median / side) : 1;
  });
}

/** What {@link ImageMeasure.run} measures of one image. */
interface Measured {
  /** 5th and 99th percentile of brightness, in [0, 1]. */
  p5: number;
  p99: number;
  /** Shannon entropy of the pixel histogram in bits (256 bins for gray, 3 × 256 for colour, as PIL's `entropy`). */
  entropy: number;
  /** Standard deviation of the edge filter's output (0..255 scale). */
  edgeSpread: number;
  /** R = G = B everywhere. */
  gray: boolean;
}

/** Reusable buffers for measuring one image at a time: no allocation per image. */
class ImageMeasure {
  private readonly factor: number;
  private readonly side: number;
  private readonly luma: Float32Array;
  private readonly brightness: Float32Array;
  private readonly channelSums: Float32Array;
  private readonly brightnessHistogram = new Uint32Array(256);
  private readonly pixelHistogram = new Uint32Array(768);
  private readonly result: Measured = { p5: 0, p99: 0, entropy: 0, edgeSpread: 0, gray: true };

  constructor(
    private readonly size: number,
    private readonly channels: 1 | 3,
  ) {
    this.factor = Math.ceil(size / MAX_MEASURED_SIDE);
    this.side = Math.floor(size / this.factor);
    const area = this.side * this.side;
    this.luma = new Float32Array(area);
    this.brightness = new Float32Array(area);
    this.channelSums = new Float32Array(area * 3);
  }

  run(pixels: Uint8Array, row: number): Measured {
    const { size, channels, factor, side } = this;
    const offset = row * size * size * channels;
    const sums = this.channelSums.fill(0);
    // Box-average factor×factor blocks (factor 1 at the default 32 px: a plain copy).
    for (let y = 0; y < side * factor; y++)
      for (let x = 0; x < side * factor; x++) {
        const target = (Math.floor(y / factor) * side + Math.floor(x / factor)) * 3;
        const source = offset + (y * size + x) * channels;
        for (let c = 0; c < 3; c++) sums[target + c] += pixels[source + (channels === 3 ? c : 0)];
      }
    const block = factor * factor;
    const brightnessHistogram = this.brightnessHistogram.fill(0);
    const pixelHistogram = this.pixelHistogram.fill(0);
    let gray = true;
    const area = side * side;
    for (let p = 0; p < area; p++) {
      const r = sums[p * 3] / block;
      const g = sums[p * 3 + 1] / block;
      const b = sums[p * 3 + 2] / block;
      if (r !== g || r !== b) gray = false;
      this.luma[p] = 0.299 * r + 0.587 * g + 0.114 * b;
      const bright = Math.sqrt(0.241 * r * r + 0.691 * g * g + 0.068 * b * b) / 255;
      this.brightness[p] = bright;
      brightnessHistogram[Math.min(255, Math.round(bright * 255))]++;
      pixelHistogram[Math.round(r)]++;
      pixelHistogram[256 + Math.round(g)]++;
      pixelHistogram[512 + Math.round(b)]++;
    }
    const m = this.result;
    m.gray = gray;
    m.p5 = percentile(brightnessHistogram, area, 0.05);
    m.p99 = percentile(brightnessHistogram, area, 0.99);
    m.entropy = entropy(gray ? pixelHistogram.subarray(0, 256) : pixelHistogram);
    m.edgeSpread = edgeSpread(this.luma, side);
    return m;
  }
}

/** The `q` quantile of a 256-bin histogram of values in [0, 1] (nearest rank), in [0, 1]. */
function percentile(histogram: Uint32Array, total: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let bin = 0; bin < histogram.length; bin++) {
    seen += histogram[bin];
    if (seen >= rank) return bin / 255;
  }
  return 1;
}

/** Shannon entropy of a histogram, in bits. */
function entropy(histogram: Uint32Array): number {
  let total = 0;
  for (const count of histogram) total += count;
  let bits = 0;
  for (const count of histogram)
    if (count > 0) {
      const p = count / total;
      bits -= p * Math.log2(p);
    }
  return bits;
}

/**
 * Standard deviation of PIL's FIND_EDGES filter (8 at the centre, −1 around it, clipped to 0..255)
 * over the interior pixels of a side×side gray image. A sharp image has many strong edges and a
 * large spread; a blurred one has weak edges everywhere.
 */
function edgeSpread(luma: Float32Array, side: number): number {
  let sum = 0;
  let squares = 0;
  let n = 0;
  for (let y = 1; y < side - 1; y++)
    for (let x = 1; x < side - 1; x++) {
      const p = y * side + x;
      let around = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) if (dy !== 0 || dx !== 0) around += luma[p + dy * side + dx];
      const edge = Math.min(255, Math.max(0, 8 * luma[p] - around));
      sum += edge;
      squares += edge * edge;
      n++;
    }
  if (n === 0) return 0;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, squares / n - mean * mean));
}

function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
