import { hammingDistance } from '../data/perceptualHash';
import type { ImageSet } from '../shared/types';

/** Thresholds of {@link findNearPairs}. */
export interface NearPairOptions {
  /** Largest Hamming distance between two 64-bit perceptual hashes that may be a near duplicate (integer 0..16). */
  readonly maxDistance: number;
  /** Smallest Pearson correlation of the two images' pixels that confirms it (in [-1, 1]). */
  readonly minCorrelation: number;
}

/** The 64 hash bits are indexed as four 16-bit chunks. */
const CHUNKS = 4;
const CHUNK_BITS = 16;

/**
 * Pairs of images whose perceptual hashes differ in at most `maxDistance` bits and whose pixels
 * correlate at least `minCorrelation`.
 *
 * Search, not O(N²): multi-index hashing (Norouzi, Punjani & Fleet 2012). The 64 bits are four 16-bit
 * chunks, each indexed in its own table. Two hashes within maxDistance bits differ in at most
 * ⌊maxDistance / 4⌋ bits in at least one chunk (pigeonhole), so each image is compared only with the
 * images found under its chunk values and their ≤ ⌊maxDistance / 4⌋-bit variants, each pair once.
 *
 * The correlation check is there because the hash alone is too coarse for small images: among 10 000
 * MNIST digits at 32×32, 375 distinct digits have a twin with the very same hash (thin "1"s look
 * alike at low frequencies). Correlation ignores brightness and contrast, so re-encoded, brightened
 * or blurred copies stay above 0.99, while distinct images rarely exceed 0.97 (measured: README,
 * "Duplicates").
 *
 * @param images - Decoded pixels, row-aligned with `hashes`.
 * @param hashes - From {@link perceptualHashes}: 2 words per image.
 * @returns Pairs [i, j] of rows with i < j, ordered by i.
 */
export function findNearPairs(images: ImageSet, hashes: Uint32Array, options: NearPairOptions): [number, number][] {
  const { maxDistance, minCorrelation } = options;
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 11) {
    throw new RangeError(`maxDistance must be an integer from 0 to 11, not ${maxDistance}`);
  }
  if (hashes.length !== 2 * images.count)
    throw new RangeError(`hashes: ${hashes.length / 2} hashes for ${images.count} images`);
  const count = images.count;
  const keys = Array.from({ length: CHUNKS }, (_, c) =>
    Int32Array.from({ length: count }, (_, i) => chunkOf(hashes, i, c)),
  );
  const tables = keys.map(bucketTable);
  const probes = flipMasks(Math.floor(maxDistance / CHUNKS));
  const pixels = new PixelCorrelation(images);
  // seen[j] === i: the pair (i, j) was already looked at through another chunk or probe.
  const seen = new Int32Array(count).fill(-1);
  const pairs: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < CHUNKS; c++) {
      const { starts, rows } = tables[c];
      for (const mask of probes) {
        const key = keys[c][i] ^ mask;
        for (let at = starts[key]; at < starts[key + 1]; at++) {
          const j = rows[at];
          if (j <= i || seen[j] === i) continue;
          seen[j] = i;
          if (hammingDistance(hashes, i, j) <= maxDistance && pixels.correlation(i, j) >= minCorrelation)
            pairs.push([i, j]);
        }
      }
    }
  }
  return pairs;
}

/** 16-bit chunk `c` of hash `i` (chunks 0, 1 from the high word, 2, 3 from the low word). */
function chunkOf(hashes: Uint32Array, i: number, c: number): number {
  const word = hashes[2 * i + (c >> 1)];
  return c % 2 === 0 ? word >>> 16 : word & 0xffff;
}

/** Rows sorted by key (counting sort): rows with key k are rows[starts[k] .. starts[k + 1]). */
function bucketTable(keys: Int32Array): { starts: Int32Array; rows: Int32Array } {
  const starts = new Int32Array((1 << CHUNK_BITS) + 1);
  for (const key of keys) starts[key + 1]++;
  for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1];
  const next = starts.slice();
  const rows = new Int32Array(keys.length);
  keys.forEach((key, row) => (rows[next[key]++] = row));
  return { starts, rows };
}

/** Every 16-bit mask with at most `radius` bits set (0 first). */
function flipMasks(radius: number): number[] {
  let masks = [0];
  let frontier = [0];
  for (let r = 0; r < radius; r++) {
    const seen = new Set<number>();
    for (const mask of frontier) {
      for (let bit = 0; bit < CHUNK_BITS; bit++) if (!(mask & (1 << bit))) seen.add(mask | (1 << bit));
    }
    frontier = [...seen];
    masks = masks.concat(frontier);
  }
  return masks;
}

/** Pearson correlation between two images of a set, with each image's mean and norm computed once. */
class PixelCorrelation {
  private readonly length: number;
  private readonly means: Float64Array;
  private readonly norms: Float64Array;

  constructor(private readonly images: ImageSet) {
    this.length = images.size * images.size * images.channels;
    this.means = new Float64Array(images.count);
    this.norms = new Float64Array(images.count);
    for (let i = 0; i < images.count; i++) {
      const base = i * this.length;
      let sum = 0;
      for (let p = 0; p < this.length; p++) sum += images.pixels[base + p];
      const mean = sum / this.length;
      let squares = 0;
      for (let p = 0; p < this.length; p++) squares += (images.pixels[base + p] - mean) ** 2;
      this.means[i] = mean;
      this.norms[i] = Math.sqrt(squares);
    }
  }

  correlation(i: number, j: number): number {
    const { pixels } = this.images;
    // Two flat images (e.g. both blank) are the same picture; one flat and one not are not.
    if (this.norms[i] === 0 || this.norms[j] === 0)
      return this.norms[i] === this.norms[j] && this.means[i] === this.means[j] ? 1 : 0;
    const a = i * this.length;
    const b = j * this.length;
    let dot = 0;
    for (let p = 0; p < this.length; p++) dot += (pixels[a + p] - this.means[i]) * (pixels[b + p] - this.means[j]);
    return dot / (this.norms[i] * this.norms[j]);
  }
}
