import sharp from 'sharp';
import type { SmallImage } from './smallPng';

/**
 * Resizes many small images of one shape with one sharp call (issue #15, decode speed), giving the
 * very pixels a call per image would.
 *
 * A sharp call has ~0.5 ms of fixed overhead for the resize alone; one call over a row of 256 cells
 * costs ~50 µs a cell. Each cell is the image with its edge pixels repeated around it, as libvips
 * extends an image's edges before resampling, so every output pixel of a cell reads the same
 * inputs, with the same kernel weights, as it would alone. Two choices make that exact:
 * - the cell's pitch is a whole number of input pixels that maps to a whole number of output
 *   pixels (a multiple of width / gcd(width, size)), so each cell's sampling grid is the lone
 *   image's, shifted by a whole pixel;
 * - the border is wider than the kernel reaches: lanczos3 spans 3 input pixels per output pixel
 *   when shrinking (times the shrink factor), bicubic 2 when enlarging.
 * The unit test compares the result with sharp's own per-image pipeline, pixel for pixel, on real
 * images over a grid of shapes and sizes.
 */

/**
 * Largest shrink factor per axis taken here. From a factor of 3.5 libvips first box-shrinks by a
 * whole factor and resamples the rest, rounding the sizes in between, and a mosaic's sizes round
 * differently from a lone image's (measured: hundreds of pixels differ at 64→10).
 */
const MAX_SHRINK = 3;

/** Mosaic pixels per sharp call: enough to amortize the call, little enough to keep memory flat. */
const CALL_PIXELS = 1 << 20;
/** Images held unresized, over all shapes, before every partial batch is flushed. */
const PENDING_PIXELS = 4 << 20;
/** Cells per call at most; more gains little (measured: 51 µs a cell at 256, 46 at 1 024). */
const MAX_CELLS = 256;

/** One axis of a cell: input pitch and border, output pitch and border. */
interface AxisLayout {
  readonly pitch: number;
  readonly border: number;
  readonly outPitch: number;
  readonly outBorder: number;
}

interface Batch {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** The cells' layout across and down, and how many cells one call takes: fixed by the shape. */
  readonly x: AxisLayout;
  readonly y: AxisLayout;
  readonly capacity: number;
  readonly images: Uint8Array[];
  readonly waiting: { resolve: (pixels: Uint8Array) => void; reject: (error: unknown) => void }[];
}

/**
 * Batches {@link resize} calls by shape; call {@link flush} once no more images will come.
 *
 * {@link mosaicFits} keeps out the families of shapes measured to differ, but libvips' choices are
 * not all documented (13×13 → 128 differs by up to 5 levels, 11×11 and 14×14 → 128 do not), so the
 * first mosaic of every shape is checked: its first and last cells are also resized alone, and if
 * either differs by one value, every image of that shape is resized alone from then on.
 */
export class MosaicResizer {
  private readonly batches = new Map<string, Batch>();
  /** Per shape, whether its mosaics give the lone images' pixels (settled by its first mosaic). */
  private readonly exact = new Map<string, Promise<boolean>>();
  private readonly calls: Promise<void>[] = [];
  private pendingPixels = 0;

  /** @param size - side of the square output; @param fit - sharp's resize fit, as the per-image pipeline uses. */
  constructor(
    private readonly size: number,
    private readonly fit: keyof sharp.FitEnum,
  ) {}

  /** The image resized to size×size (same channels); resolves once its batch has been resized. */
  resize(image: SmallImage): Promise<Uint8Array> {
    const key = `${image.width}x${image.height}x${image.channels}`;
    let batch = this.batches.get(key);
    if (!batch) {
      batch = this.emptyBatch(image);
      this.batches.set(key, batch);
    }
    const done = new Promise<Uint8Array>((resolve, reject) => batch.waiting.push({ resolve, reject }));
    batch.images.push(image.pixels);
    this.pendingPixels += image.pixels.length;
    if (batch.images.length >= batch.capacity) this.start(key, batch);
    else if (this.pendingPixels > PENDING_PIXELS)
      for (const [other, pending] of this.batches) this.start(other, pending);
    return done;
  }

  /** Resizes every partial batch and waits for all calls started so far. */
  async flush(): Promise<void> {
    for (const [key, batch] of this.batches) this.start(key, batch);
    await Promise.all(this.calls);
    this.calls.length = 0;
  }

  /** Shapes (`width`x`height`x`channels`) whose first mosaic differed, so their images are resized alone. */
  async shapesResizedAlone(): Promise<string[]> {
    const verdicts = await Promise.all([...this.exact].map(async ([key, exact]) => ((await exact) ? [] : [key])));
    return verdicts.flat();
  }

  private emptyBatch({ width, height, channels }: SmallImage): Batch {
    const x = axisLayout(width, this.size);
    const y = axisLayout(height, this.size);
    const capacity = Math.max(1, Math.min(MAX_CELLS, Math.floor(CALL_PIXELS / (x.pitch * y.pitch))));
    return { width, height, channels, x, y, capacity, images: [], waiting: [] };
  }

  private start(key: string, batch: Batch): void {
    this.batches.delete(key);
    for (const image of batch.images) this.pendingPixels -= image.length;
    this.calls.push(
      this.resizeBatch(key, batch).then(
        (cells) => cells.forEach((cell, k) => batch.waiting[k].resolve(cell)),
        (error: unknown) => batch.waiting.forEach((waiting) => waiting.reject(error)),
      ),
    );
  }

  private async resizeBatch(key: string, batch: Batch): Promise<Uint8Array[]> {
    const known = this.exact.get(key);
    if (known) return (await known) ? resizeMosaic(batch, this.size, this.fit) : this.resizeEach(batch);
    const mosaic = resizeMosaic(batch, this.size, this.fit);
    const checked = [...new Set([0, batch.images.length - 1])];
    const alone = Promise.all(checked.map((k) => resizeAlone(batch, batch.images[k], this.size, this.fit)));
    const exact = Promise.all([mosaic, alone]).then(([cells, lone]) =>
      checked.every((k, at) => sameBytes(cells[k], lone[at])),
    );
    this.exact.set(key, exact);
    return (await exact) ? mosaic : this.resizeEach(batch);
  }

  private resizeEach(batch: Batch): Promise<Uint8Array[]> {
    return Promise.all(batch.images.map((image) => resizeAlone(batch, image, this.size, this.fit)));
  }
}

/**
 * True when a mosaic gives exactly the pixels sharp gives the image alone: both axes enlarged (or
 * kept), or both shrunk (or kept) by less than {@link MAX_SHRINK}. One axis enlarged and the other
 * shrunk differs by a few pixels (libvips resamples the two axes by different means then), and so
 * does a shrink past the box-shrink threshold; such images go to sharp one by one.
 */
export function mosaicFits(width: number, height: number, size: number): boolean {
  const x = width / size;
  const y = height / size;
  if ((x < 1 && y > 1) || (x > 1 && y < 1)) return false;
  return x < MAX_SHRINK && y < MAX_SHRINK;
}

/** Cell layout along one axis of `length` input pixels resized to `size`. */
export function axisLayout(length: number, size: number): AxisLayout {
  const unit = length / gcd(length, size);
  const reach = 3 * Math.max(1, length / size) + 2;
  const border = Math.ceil(reach / unit) * unit;
  const pitch = length + 2 * border;
  return { pitch, border, outPitch: (pitch * size) / length, outBorder: (border * size) / length };
}

async function resizeMosaic(batch: Batch, size: number, fit: keyof sharp.FitEnum): Promise<Uint8Array[]> {
  const { width, height, channels, images, x, y } = batch;
  const mosaicWidth = x.pitch * images.length;
  const mosaic = new Uint8Array(mosaicWidth * y.pitch * channels);
  images.forEach((image, k) => padInto(mosaic, mosaicWidth, k * x.pitch, image, { width, height, channels }, x, y));
  const outWidth = x.outPitch * images.length;
  const data = await resizeRaw(mosaic, { width: mosaicWidth, height: y.pitch, channels }, outWidth, y.outPitch, fit);
  const row = size * channels;
  return images.map((_, k) => {
    const cell = new Uint8Array(size * row);
    for (let r = 0; r < size; r++) {
      const from = ((r + y.outBorder) * outWidth + k * x.outPitch + x.outBorder) * channels;
      cell.set(data.subarray(from, from + row), r * row);
    }
    return cell;
  });
}

/** One image resized by itself: the reference each shape's first mosaic is checked against. */
function resizeAlone(
  shape: Pick<Batch, 'width' | 'height' | 'channels'>,
  image: Uint8Array,
  size: number,
  fit: keyof sharp.FitEnum,
): Promise<Uint8Array> {
  return resizeRaw(image, shape, size, size, fit);
}

/** Raw pixels resized to width×height with sharp, the channels kept. */
async function resizeRaw(
  pixels: Uint8Array,
  shape: { width: number; height: number; channels: 1 | 3 },
  width: number,
  height: number,
  fit: keyof sharp.FitEnum,
): Promise<Uint8Array> {
  const { channels } = shape;
  const { data, info } = await sharp(pixels, { raw: { width: shape.width, height: shape.height, channels } })
    .resize(width, height, { fit })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== channels || info.width !== width || info.height !== height) {
    throw new Error(
      `sharp resized to ${info.width}×${info.height}×${info.channels}, not ${width}×${height}×${channels}`,
    );
  }
  return data;
}

/** Writes `image` into its cell at column `left`, its edge pixels repeated over the border. */
function padInto(
  mosaic: Uint8Array,
  mosaicWidth: number,
  left: number,
  image: Uint8Array,
  shape: { width: number; height: number; channels: number },
  x: AxisLayout,
  y: AxisLayout,
): void {
  const { width, height, channels } = shape;
  const rowLength = width * channels;
  for (let cy = 0; cy < y.pitch; cy++) {
    const source = Math.min(height - 1, Math.max(0, cy - y.border)) * rowLength;
    const target = (cy * mosaicWidth + left) * channels;
    mosaic.set(image.subarray(source, source + rowLength), target + x.border * channels);
    for (let cx = 0; cx < x.border; cx++)
      for (let c = 0; c < channels; c++) {
        mosaic[target + cx * channels + c] = image[source + c];
        mosaic[target + (x.border + width + cx) * channels + c] = image[source + rowLength - channels + c];
      }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
