import type { ImageSet } from '../shared/types';

/**
 * 64-bit DCT perceptual hashes ("pHash") of decoded images, computed from the uint8 pixels the audit
 * already holds, so near-duplicate search costs no extra file reads or decodes.
 *
 * Each image is reduced to 32×32 gray, transformed with a 2-D DCT-II, and its 8×8 lowest frequencies
 * are compared to their median: bit = coefficient > median. Low frequencies describe the overall
 * shape, so re-encoding, mild resizing, blur and uniform brightness/contrast changes (which scale the
 * coefficients, not their order) leave most bits unchanged, while a different picture flips about half.
 */

/** Side of the gray square the DCT runs on (the classic pHash size). */
const DCT_SIZE = 32;
/** Side of the block of low frequencies kept: 8×8 = 64 bits. */
const KEEP = 8;

/** cos(π(2n+1)k / 2N) for k < KEEP, n < DCT_SIZE: the only DCT basis rows pHash needs. */
const COSINES = (() => {
  const table = new Float64Array(KEEP * DCT_SIZE);
  for (let k = 0; k < KEEP; k++) {
    for (let n = 0; n < DCT_SIZE; n++) table[k * DCT_SIZE + n] = Math.cos((Math.PI * (2 * n + 1) * k) / (2 * DCT_SIZE));
  }
  return table;
})();

/**
 * Perceptual hashes of every image of a set.
 *
 * @param images - Decoded pixels (any size, 1 or 3 channels).
 * @returns `2·count` words: image i's hash is `(hashes[2i] << 32) | hashes[2i+1]` (high word first).
 */
export function perceptualHashes(images: ImageSet): Uint32Array {
  const hashes = new Uint32Array(2 * images.count);
  const gray = new Float64Array(DCT_SIZE * DCT_SIZE);
  const rows = new Float64Array(DCT_SIZE * KEEP);
  const coefficients = new Float64Array(KEEP * KEEP);
  const sorted = new Float64Array(KEEP * KEEP);
  for (let i = 0; i < images.count; i++) {
    grayThumbnail(images, i, gray);
    lowFrequencies(gray, rows, coefficients);
    sorted.set(coefficients);
    sorted.sort();
    const median = (sorted[(KEEP * KEEP) / 2 - 1] + sorted[(KEEP * KEEP) / 2]) / 2;
    let high = 0;
    let low = 0;
    for (let b = 0; b < 32; b++) {
      if (coefficients[b] > median) high |= 1 << (31 - b);
      if (coefficients[32 + b] > median) low |= 1 << (31 - b);
    }
    hashes[2 * i] = high >>> 0;
    hashes[2 * i + 1] = low >>> 0;
  }
  return hashes;
}

/** Number of differing bits between hashes i and j of a {@link perceptualHashes} array. */
export function hammingDistance(hashes: Uint32Array, i: number, j: number): number {
  return popCount(hashes[2 * i] ^ hashes[2 * j]) + popCount(hashes[2 * i + 1] ^ hashes[2 * j + 1]);
}

/** Set bits of a 32-bit word (SWAR: a handful of operations, no loop). */
export function popCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Image `row` as 32×32 luma in `target`. Larger images are box-averaged (every source pixel counts,
 * so no aliasing); smaller ones (an audit at 16 px, say) are sampled nearest-neighbour.
 */
function grayThumbnail(images: ImageSet, row: number, target: Float64Array): void {
  const { size, channels, pixels } = images;
  const base = row * size * size * channels;
  const gray = channels === 1;
  for (let ty = 0; ty < DCT_SIZE; ty++) {
    const y0 = Math.floor((ty * size) / DCT_SIZE);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * size) / DCT_SIZE));
    for (let tx = 0; tx < DCT_SIZE; tx++) {
      const x0 = Math.floor((tx * size) / DCT_SIZE);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * size) / DCT_SIZE));
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const at = base + (y * size + x) * channels;
          sum += gray ? pixels[at] : 0.299 * pixels[at] + 0.587 * pixels[at + 1] + 0.114 * pixels[at + 2];
        }
      }
      target[ty * DCT_SIZE + tx] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
}

/**
 * The KEEP×KEEP lowest DCT-II coefficients of a 32×32 block, as a separable transform that computes
 * only the rows and columns kept (32·32·8 + 32·8·8 products instead of a full 32×32 DCT).
 */
function lowFrequencies(gray: Float64Array, rows: Float64Array, out: Float64Array): void {
  for (let y = 0; y < DCT_SIZE; y++) {
    for (let u = 0; u < KEEP; u++) {
      let sum = 0;
      for (let x = 0; x < DCT_SIZE; x++) sum += COSINES[u * DCT_SIZE + x] * gray[y * DCT_SIZE + x];
      rows[y * KEEP + u] = sum;
    }
  }
  for (let v = 0; v < KEEP; v++) {
    for (let u = 0; u < KEEP; u++) {
      let sum = 0;
      for (let y = 0; y < DCT_SIZE; y++) sum += COSINES[v * DCT_SIZE + y] * rows[y * KEEP + u];
      out[v * KEEP + u] = sum;
    }
  }
}
