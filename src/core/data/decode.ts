import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { BmpUnreadable, bmpDimensions, decodeBmp, isBmp } from './bmp';
import { contentHash, readDecodeCache, writeDecodeCache, type CacheEntry, type DecodeSettings } from './decodeCache';
import { AuditError, throwIfAborted } from '../errors';
import { PixelBudget } from './pixelBudget';
import type { Dataset, ImageSet, InputIssue, InputIssueKind } from '../shared/types';

/** Images above this many megapixels are skipped as 'tooLarge' unless `maxMegapixels` says otherwise. */
export const DEFAULT_MAX_MEGAPIXELS = 50;

/**
 * Megapixels decoded at once, whatever the number of cores: two images at the 50-megapixel limit.
 * Keeps the decode's peak memory near 1 GiB at most (measured in docs/hardening.md) instead of growing
 * with the pool of 2 × cores.
 */
export const DEFAULT_DECODE_BUDGET_MEGAPIXELS = 100;

/**
 * How every image becomes size×size:
 * - fit 'fill' stretches to the square. Nothing of the picture is cut away ('cover' could crop off
 *   the very thing that decides the label) and no artificial border is added ('contain' letterboxes
 *   make bar width a feature the model can learn). It is what `torchvision.transforms.Resize((s, s))`
 *   does; square images (MNIST-like) are unaffected.
 * - alpha is flattened onto black: transparent pixels are usually stored as (0, 0, 0, 0), so this
 *   matches what PIL's `convert('RGB')` gives a PyTorch pipeline, and MNIST-like data is light-on-dark.
 * - EXIF orientation is applied, so phone photos are upright; GIF/TIFF use their first frame/page.
 * Bump DECODER_VERSION whenever any of this changes: it invalidates every decode cache.
 */
const FIT = 'fill';
const BACKGROUND = { r: 0, g: 0, b: 0 };
const DECODER_VERSION = 1;

/** Options of {@link decodeImages}. */
export interface DecodeOptions {
  /** Side of the square the images are resized to, in pixels (integer 1..4096). */
  readonly size: number;
  /** Folder for the decode cache (the engine passes `<root>/.label-audit/cache`); no cache when absent. */
  readonly cacheDir?: string;
  /** Images read and decoded at once; default 2 × CPU cores (sharp itself works on libuv's threads). */
  readonly concurrency?: number;
  /** Larger images are skipped as 'tooLarge' without decoding their pixels; default {@link DEFAULT_MAX_MEGAPIXELS}. */
  readonly maxMegapixels?: number;
  /** Megapixels of the images being decoded at once (see pixelBudget.ts); default {@link DEFAULT_DECODE_BUDGET_MEGAPIXELS}. */
  readonly budgetMegapixels?: number;
  /** Checked between images; on abort the call rejects with AuditError('cancelled') and writes no cache. */
  readonly signal?: AbortSignal;
  /** Called after each image with the number done so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What {@link decodeImages} returns. */
export interface DecodeResult {
  /** Row i holds `dataset.samples[kept[i]]`. */
  readonly images: ImageSet;
  /** Indices into `dataset.samples` of the images decoded, ascending. */
  readonly kept: number[];
  /** SHA-256 (hex) of each kept image's file bytes, row-aligned with `images`: the cache key, reused to find exact duplicates. */
  readonly contentHashes: string[];
  /** Width and height of each kept image's file (before resizing), row-aligned with `images`. */
  readonly dimensions: { readonly width: number; readonly height: number }[];
  /** Images skipped: 'decodeFailed', 'notAnImage', 'tooLarge', 'missingFile' (gone since loading). */
  readonly issues: InputIssue[];
  /** Images taken from the cache instead of being decoded. */
  readonly cacheHits: number;
  /** Set when the cache could not be written (e.g. a read-only dataset folder); the result is still complete. */
  readonly cacheProblem?: string;
}

/**
 * Decodes and resizes every sample of `dataset` to size×size pixels with sharp, storing them once in
 * a single Uint8Array (channels last). PNG, JPEG, WebP, GIF, TIFF and BMP are read; whatever the file,
 * the pixels are decoded as RGB, and when every image turns out gray (R = G = B everywhere) the set
 * has 1 channel, else 3. A file that cannot be decoded is skipped and listed in `issues`, never thrown.
 *
 * With `cacheDir`, decoded pixels are cached by the SHA-256 of the file's bytes (see decodeCache.ts):
 * a second run on an unchanged dataset only reads files to hash them. Broken files are not cached,
 * so they are tried (and fail fast) again on each run.
 *
 * @param dataset - From {@link loadDataset}; files are read from `dataset.root`.
 * @param options - See {@link DecodeOptions}.
 * @returns `images` (count = kept.length), `kept`, `issues`, `cacheHits`.
 * @throws AuditError('decodeFailed') when no image at all could be decoded, 'badOption' for an invalid
 *   size/concurrency/maxMegapixels, 'cancelled' on abort.
 */
export async function decodeImages(dataset: Dataset, options: DecodeOptions): Promise<DecodeResult> {
  const { size, signal } = options;
  const concurrency = options.concurrency ?? 2 * availableParallelism();
  const maxPixels = (options.maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS) * 1e6;
  checkOptions(size, concurrency, maxPixels);
  const budget = new PixelBudget((options.budgetMegapixels ?? DEFAULT_DECODE_BUDGET_MEGAPIXELS) * 1e6);
  throwIfAborted(signal);
  const settings: DecodeSettings = {
    size,
    fingerprint: `fit=${FIT};background=black;orient=auto;decoder=${DECODER_VERSION};vips=${sharp.versions.vips}`,
  };
  const cache = options.cacheDir ? await readDecodeCache(options.cacheDir, settings) : new Map<string, CacheEntry>();
  const total = dataset.samples.length;
  const store = new PixelStore(total, size);
  const decoded: (Pick<CacheEntry, 'hash' | 'width' | 'height'> | undefined)[] = new Array(total);
  const issues: (InputIssue | undefined)[] = new Array(total);
  let cacheHits = 0;
  let done = 0;
  // Byte-identical files are decoded once (issue #18: 20 000 copies of a placeholder would otherwise
  // cost 20 000 decodes): the first file with some content decodes it, the others copy its row. Only
  // the row and the outcome's small fields are kept per content, never its pixels.
  const firstWithContent = new Map<string, Promise<StoredOutcome>>();
  await forEachPooled(total, concurrency, signal, async (index) => {
    const sample = dataset.samples[index];
    const read = await readSample(join(dataset.root, sample.path));
    if ('kind' in read) issues[index] = { file: sample.path, ...read };
    else {
      const first = firstWithContent.get(read.hash);
      const outcome = first
        ? await first
        : await remember(firstWithContent, read.hash, async (): Promise<StoredOutcome> => {
            const fresh = await decodeSample(read.bytes, read.hash, cache, size, maxPixels, budget);
            if ('kind' in fresh) return fresh;
            store.put(index, fresh.pixels, fresh.channels);
            return { row: index, hash: fresh.hash, width: fresh.width, height: fresh.height, cached: fresh.cached };
          });
      if ('kind' in outcome) issues[index] = { file: sample.path, ...outcome };
      else {
        if (outcome.row !== index) store.copy(outcome.row, index);
        decoded[index] = { hash: outcome.hash, width: outcome.width, height: outcome.height };
        if (outcome.cached) cacheHits++;
      }
    }
    options.onProgress?.(++done, total);
  });
  throwIfAborted(signal);
  const kept = decoded.flatMap((entry, index) => (entry ? [index] : []));
  const skipped = issues.filter((issue): issue is InputIssue => issue !== undefined);
  if (kept.length === 0) {
    const first = skipped
      .slice(0, 3)
      .map((issue) => `${issue.file}: ${issue.problem}`)
      .join('; ');
    throw new AuditError(
      'decodeFailed',
      `None of the ${total} images in ${dataset.root} could be decoded (${first}).`,
      dataset.root,
    );
  }
  const images = store.finish(kept);
  const sources = kept.map((index) => decoded[index]!);
  const cacheProblem = options.cacheDir
    ? await updateCache(options.cacheDir, settings, cache, images, sources)
    : undefined;
  const contentHashes = sources.map((source) => source.hash);
  const dimensions = sources.map(({ width, height }) => ({ width, height }));
  return {
    images,
    kept,
    contentHashes,
    dimensions,
    issues: skipped,
    cacheHits,
    ...(cacheProblem ? { cacheProblem } : {}),
  };
}

/**
 * Rewrites the cache with exactly the images of this run (so it never grows beyond the dataset),
 * unless it already holds exactly them. A failed write is reported, not thrown: the pixels are fine.
 */
async function updateCache(
  cacheDir: string,
  settings: DecodeSettings,
  cache: ReadonlyMap<string, CacheEntry>,
  images: ImageSet,
  sources: readonly Pick<CacheEntry, 'hash' | 'width' | 'height'>[],
): Promise<string | undefined> {
  const hashes = new Set(sources.map((source) => source.hash));
  if (hashes.size === cache.size && [...hashes].every((hash) => cache.has(hash))) return undefined;
  const entries = sources.map((source, row) => cacheEntry(images, row, source));
  return writeDecodeCache(cacheDir, settings, entries).then(
    () => undefined,
    (error: NodeJS.ErrnoException) =>
      `could not write the decode cache in ${cacheDir} (${error.code ?? error.message})`,
  );
}

function checkOptions(size: number, concurrency: number, maxPixels: number): void {
  if (!Number.isInteger(size) || size < 1 || size > 4096) {
    throw new AuditError('badOption', `Image size must be a whole number of pixels from 1 to 4096, not ${size}.`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new AuditError('badOption', `Decode concurrency must be a whole number ≥ 1, not ${concurrency}.`);
  }
  if (!(maxPixels > 0))
    throw new AuditError('badOption', `The megapixel limit must be above 0, not ${maxPixels / 1e6}.`);
}

/** The cache entry for row `row` of `images`, stored with 1 channel when the image is gray. */
function cacheEntry(images: ImageSet, row: number, source: Pick<CacheEntry, 'hash' | 'width' | 'height'>): CacheEntry {
  const length = images.size * images.size * images.channels;
  const pixels = images.pixels.subarray(row * length, (row + 1) * length);
  const gray = images.channels === 1 || isGray(pixels);
  return { ...source, channels: gray ? 1 : 3, pixels: gray && images.channels === 3 ? firstChannel(pixels) : pixels };
}

type SampleOutcome =
  | { pixels: Uint8Array; channels: 1 | 3; hash: string; width: number; height: number; cached: boolean }
  | { kind: InputIssueKind; problem: string };

/** A decoded file as the first file with its content left it: the row its pixels are in. */
type StoredOutcome =
  | { row: number; hash: string; width: number; height: number; cached: boolean }
  | { kind: InputIssueKind; problem: string };

/** Starts `make` and keeps its promise under `key` before awaiting it, so files read meanwhile wait for it. */
function remember<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const promise = make();
  map.set(key, promise);
  return promise;
}

/** Reads one file and hashes its bytes, or says why it cannot be read. */
async function readSample(
  path: string,
): Promise<{ bytes: Buffer; hash: string } | { kind: InputIssueKind; problem: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missingFile', problem: 'the file disappeared after the dataset was read' };
    return { kind: 'decodeFailed', problem: `the file could not be read (${code ?? String(error)})` };
  }
  if (bytes.length === 0) return { kind: 'notAnImage', problem: 'the file is empty' };
  return { bytes, hash: contentHash(bytes) };
}

/** One file's pixels from the cache or the decoder, or the reason it was skipped. */
async function decodeSample(
  bytes: Buffer,
  hash: string,
  cache: ReadonlyMap<string, CacheEntry>,
  size: number,
  maxPixels: number,
  budget: PixelBudget,
): Promise<SampleOutcome> {
  const hit = cache.get(hash);
  if (hit) {
    const tooLarge = checkPixelCount(hit.width, hit.height, maxPixels);
    return (
      tooLarge ?? {
        pixels: hit.pixels,
        channels: hit.channels,
        hash,
        width: hit.width,
        height: hit.height,
        cached: true,
      }
    );
  }
  try {
    const { image, width, height } = await openImage(bytes, maxPixels);
    const tooLarge = checkPixelCount(width, height, maxPixels);
    if (tooLarge) return tooLarge;
    const { data, info } = await budget.run(width * height, () =>
      image()
        .autoOrient()
        .resize(size, size, { fit: FIT })
        .flatten({ background: BACKGROUND })
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true }),
    );
    if (info.channels !== 3 || data.length !== size * size * 3) {
      return {
        kind: 'decodeFailed',
        problem: `the decoder returned ${info.channels} channels at ${info.width}×${info.height}`,
      };
    }
    return { pixels: data, channels: 3, hash, width, height, cached: false };
  } catch (error) {
    return describeDecodeError(error);
  }
}

/**
 * The file's size in pixels, read from its header only, and a function that starts the sharp
 * pipeline on it — called only once the size has passed the megapixel check, so a huge image
 * costs nothing.
 */
async function openImage(
  bytes: Buffer,
  maxPixels: number,
): Promise<{ width: number; height: number; image: () => sharp.Sharp }> {
  if (isBmp(bytes)) {
    const { width, height } = bmpDimensions(bytes);
    return {
      width,
      height,
      image: () => {
        const raw = decodeBmp(bytes);
        return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } });
      },
    };
  }
  // No pixel limit for the header, or sharp refuses before telling us the size.
  const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  return {
    width: metadata.width ?? 0,
    height: metadata.height ?? 0,
    // failOn 'error': damaged or cut-short data fails; harmless warnings (odd EXIF, extra bytes) do not.
    image: () => sharp(bytes, { failOn: 'error', limitInputPixels: Math.ceil(maxPixels) }),
  };
}

function checkPixelCount(
  width: number,
  height: number,
  maxPixels: number,
): { kind: 'tooLarge'; problem: string } | undefined {
  if (width * height <= maxPixels) return undefined;
  const megapixels = (width * height) / 1e6;
  return {
    kind: 'tooLarge',
    problem: `${width}×${height} pixels (${megapixels.toFixed(1)} megapixels) is above the ${maxPixels / 1e6}-megapixel limit; not decoded`,
  };
}

/** sharp/libvips and BMP errors in plain words: "not an image", "damaged or cut short (...)". */
function describeDecodeError(error: unknown): { kind: InputIssueKind; problem: string } {
  if (error instanceof BmpUnreadable) return { kind: 'decodeFailed', problem: error.message };
  const message = error instanceof Error ? error.message : String(error);
  if (/unsupported image format/i.test(message)) {
    return { kind: 'notAnImage', problem: 'not a PNG, JPEG, WebP, GIF, BMP or TIFF image' };
  }
  if (/exceeds pixel limit/i.test(message)) return { kind: 'tooLarge', problem: 'too many pixels to decode' };
  // libvips repeats lines and prefixes them with its loader's name ("VipsJpeg: ", "vipspng: ").
  const lines = message
    .replace(/^Input (buffer|file) has corrupt header:?/i, '')
    .split('\n')
    .map((line) => line.replace(/^\s*[\w.]+: /, '').trim())
    .filter((line) => line !== '');
  const detail = [...new Set(lines)].slice(0, 2).join('; ') || 'corrupt header';
  return { kind: 'decodeFailed', problem: `the image data is damaged or cut short (${detail})` };
}

/**
 * Runs `task(0..count-1)` with at most `concurrency` in flight, stopping before the next item once
 * `signal` is aborted (items already started finish; the caller then throws).
 */
async function forEachPooled(
  count: number,
  concurrency: number,
  signal: AbortSignal | undefined,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < count && !signal?.aborted && !failed) {
      try {
        await task(next++);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/**
 * The one pixel buffer of a decode. It starts with 1 channel (most datasets that are gray are large,
 * e.g. MNIST) and is widened to RGB the first time a colour image arrives, so memory stays at
 * count·size²·channels bytes plus the file buffers in flight.
 */
class PixelStore {
  private readonly area: number;
  private pixels: Uint8Array;
  private channels: 1 | 3 = 1;

  constructor(
    private readonly count: number,
    private readonly size: number,
  ) {
    this.area = size * size;
    this.pixels = new Uint8Array(count * this.area);
  }

  /** Stores image `row`, given as gray (1 channel) or RGB (3 channels, possibly gray). */
  put(row: number, image: Uint8Array, channels: 1 | 3): void {
    if (this.channels === 1 && channels === 3 && !isGray(image)) this.widen();
    const offset = row * this.area * this.channels;
    if (channels === this.channels) this.pixels.set(image, offset);
    else if (channels === 3) this.pixels.set(firstChannel(image), offset);
    else
      for (let p = 0; p < this.area; p++)
        this.pixels[offset + p * 3] = this.pixels[offset + p * 3 + 1] = this.pixels[offset + p * 3 + 2] = image[p];
  }

  /** Copies stored image `from` to row `to` (a byte-identical file). */
  copy(from: number, to: number): void {
    const length = this.area * this.channels;
    this.pixels.copyWithin(to * length, from * length, (from + 1) * length);
  }

  /** The images of `rows` (ascending), packed in that order. */
  finish(rows: readonly number[]): ImageSet {
    const length = this.area * this.channels;
    rows.forEach((row, target) => {
      if (row !== target) this.pixels.copyWithin(target * length, row * length, (row + 1) * length);
    });
    // slice() copies, but only when images were skipped, so the spare rows can be freed.
    const pixels = rows.length === this.count ? this.pixels : this.pixels.slice(0, rows.length * length);
    return { size: this.size, channels: this.channels, pixels, count: rows.length };
  }

  private widen(): void {
    const gray = this.pixels;
    const rgb = new Uint8Array(gray.length * 3);
    for (let i = 0; i < gray.length; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = gray[i];
    this.pixels = rgb;
    this.channels = 3;
  }
}

/** True when R = G = B at every pixel of an RGB image. */
function isGray(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
}

/** The R channel of an RGB image (all of it, when the image is gray). */
function firstChannel(rgb: Uint8Array): Uint8Array {
  const gray = new Uint8Array(rgb.length / 3);
  for (let p = 0; p < gray.length; p++) gray[p] = rgb[p * 3];
  return gray;
}
