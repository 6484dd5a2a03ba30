import type { ImageSet } from '../shared/types';

/**
 * The one pixel buffer of a decode, one row per distinct file content (issue #18: 20 000 copies of a
 * placeholder hold one row, not 20 000). Rows are filled as contents finish decoding, which with
 * several files in flight is not quite file order; {@link finish} puts them in the order of their
 * first file.
 *
 * The buffer is allocated once at its largest (one row per file), so a dataset without copies costs
 * what it always did, with no regrowth copies; the rows that copies and skipped files leave unused
 * are never written, so their pages are never touched. It starts with 1 channel (most datasets that
 * are gray are large, e.g. MNIST) and is widened to RGB the first time a colour image arrives.
 */
export class PixelStore {
  private readonly area: number;
  private pixels: Uint8Array;
  private channels: 1 | 3 = 1;
  private used = 0;

  constructor(
    private readonly capacity: number,
    private readonly size: number,
  ) {
    this.area = size * size;
    this.pixels = new Uint8Array(capacity * this.area);
  }

  /** Stores an image, given as gray (1 channel) or RGB (3 channels, possibly gray); returns its row. */
  add(image: Uint8Array, channels: 1 | 3): number {
    if (this.used === this.capacity) throw new RangeError(`PixelStore: more than ${this.capacity} images`);
    if (this.channels === 1 && channels === 3 && !isGray(image)) this.widen();
    const row = this.used++;
    const offset = row * this.area * this.channels;
    if (channels === this.channels) this.pixels.set(image, offset);
    else if (channels === 3) this.pixels.set(firstChannel(image), offset);
    else
      for (let p = 0; p < this.area; p++)
        this.pixels[offset + p * 3] = this.pixels[offset + p * 3 + 1] = this.pixels[offset + p * 3 + 2] = image[p];
    return row;
  }

  /**
   * The rows `order` lists (each row once), packed in that order. The rows are permuted in place,
   * one cycle at a time through a single spare row, so the store never needs a second full buffer.
   */
  finish(order: readonly number[]): ImageSet {
    if (order.length !== this.used) throw new RangeError(`finish: ${order.length} rows of ${this.used}`);
    const length = this.area * this.channels;
    const spare = new Uint8Array(length);
    // Target t takes row order[t]; follow each cycle t → from(t) → … back to t.
    const placed = new Uint8Array(order.length);
    for (let start = 0; start < order.length; start++) {
      if (placed[start] || order[start] === start) continue;
      spare.set(this.pixels.subarray(start * length, (start + 1) * length));
      let target = start;
      while (order[target] !== start) {
        const from = order[target];
        this.pixels.copyWithin(target * length, from * length, (from + 1) * length);
        placed[target] = 1;
        target = from;
      }
      this.pixels.set(spare, target * length);
      placed[target] = 1;
    }
    // slice() copies, but only when rows went unused (copies, skipped files), so the rest can be freed.
    const pixels = order.length === this.capacity ? this.pixels : this.pixels.slice(0, order.length * length);
    return { size: this.size, channels: this.channels, pixels, count: order.length };
  }

  private widen(): void {
    const gray = this.pixels;
    const rgb = new Uint8Array(gray.length * 3);
    // Only the rows in use: the others are zero already and stay untouched.
    for (let i = 0; i < this.used * this.area; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = gray[i];
    this.pixels = rgb;
    this.channels = 3;
  }
}

/** True when R = G = B at every pixel of an RGB image. */
export function isGray(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
}

/** The R channel of an RGB image (all of it, when the image is gray). */
export function firstChannel(rgb: Uint8Array): Uint8Array {
  const gray = new Uint8Array(rgb.length / 3);
  for (let p = 0; p < gray.length; p++) gray[p] = rgb[p * 3];
  return gray;
}
