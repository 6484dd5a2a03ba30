import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { BmpUnreadable, bmpDimensions, decodeBmp, isBmp } from './bmp';
import { contentHash, readDecodeCache, writeDecodeCache, type CacheEntry, type DecodeSettings } from './decodeCache';
import { AuditError, throwIfAborted } from '../errors';
import { PixelBudget } from './pixelBudget';
import { MosaicResizer, mosaicFits } from './mosaicResize';
import { PixelStore, firstChannel, isGray } from './pixelStore';
import { readSmallPng } from './smallPng';
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
  /**
   * false decodes every file with sharp, also the small plain PNGs read in JavaScript by default
   * (smallPng.ts; the pixels are the same): for benchmarks and tests that compare the two.
   */
  readonly smallPngs?: boolean;
  /** Called after each image with the number done so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * What {@link decodeImages} returns. Byte-identical files share one row of `images` (issue #18):
 * file `kept[i]`'s pixels are row `contentOf[i]`. Without copies `contentOf[i] = i`.
 */
export interface DecodeResult {
  /** One row per distinct file content, in the order of the first kept file with it. */
  readonly images: ImageSet;
  /** Indices into `dataset.samples` of the images decoded, ascending. */
  readonly kept: number[];
  /** `(kept.length,)` row of `images` holding each kept file's pixels. */
  readonly contentOf: Int32Array;
  /** SHA-256 (hex) of the file bytes of each row of `images`: the cache key, reused to find exact duplicates. */
  readonly contentHashes: string[];
  /** Width and height of the files (before resizing) of each row of `images`. */
  readonly dimensions: { readonly width: number; readonly height: number }[];
  /** Images skipped: 'decodeFailed', 'notAnImage', 'tooLarge', 'missingFile' (gone since loading). */
  readonly issues: InputIssue[];
  /** Images taken from the cache instead of being decoded. */
  readonly cacheHits: number;
  /** Set when the cache could not be written (e.g. a read-only dataset folder); the result is still complete. */
  readonly cacheProblem?: string;
}

/**
 * Decodes and resizes every sample of `dataset` to size×size pixels with sharp, storing them in a
 * single Uint8Array (channels last), one row per distinct file content. PNG, JPEG, WebP, GIF, TIFF
 * and BMP are read; whatever the file, the pixels are decoded as RGB, and when every image turns out
 * gray (R = G = B everywhere) the set has 1 channel, else 3. A file that cannot be decoded is
 * skipped and listed in `issues`, never thrown.
 *
 * With `cacheDir`, decoded pixels are cached by the SHA-256 of the file's bytes (see decodeCache.ts):
 * a second run on an unchanged dataset only reads files to hash them. Broken files are not cached,
 * so they are tried (and fail fast) again on each run.
 *
 * @param dataset - From {@link loadDataset}; files are read from `dataset.root`.
 * @param options - See {@link DecodeOptions}.
 * @returns `images` (one row per distinct content), `kept`, `contentOf`, `issues`, `cacheHits`.
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
  // Per file only the store row of its content (-1: skipped); per content its small fields.
  const rowOfFile = new Int32Array(total).fill(-1);
  const sources: Pick<CacheEntry, 'hash' | 'width' | 'height'>[] = [];
  const issues: (InputIssue | undefined)[] = new Array(total);
  let cacheHits = 0;
  let done = 0;
  // Byte-identical files are decoded and stored once (issue #18: 20 000 copies of a placeholder would
  // otherwise cost 20 000 decodes and 20 000 pixel rows): the first file with some content decodes
  // it, the others point at its row.
  const firstWithContent = new Map<string, Promise<StoredOutcome>>();
  // Outcomes still to be recorded: copies and small PNGs waiting for their mosaic do not hold a pool
  // slot, or the pool would wait for a batch that only fills once the pool goes on.
  const settling: Promise<void>[] = [];
  const record = (index: number, outcome: StoredOutcome): void => {
    if ('kind' in outcome) issues[index] = { file: dataset.samples[index].path, ...outcome };
    else {
      rowOfFile[index] = outcome.row;
      if (outcome.cached) cacheHits++;
    }
  };
  const storeFresh = (fresh: SampleOutcome): StoredOutcome => {
    if ('kind' in fresh) return fresh;
    const row = store.add(fresh.pixels, fresh.channels);
    sources[row] = { hash: fresh.hash, width: fresh.width, height: fresh.height };
    return { row, cached: fresh.cached };
  };
  const resizer = new MosaicResizer(size, FIT);
  const context: DecodeContext = { cache, size, maxPixels, budget, resizer, smallPngs: options.smallPngs !== false };
  await forEachPooled(total, concurrency, signal, async (index) => {
    const sample = dataset.samples[index];
    const read = await readSample(join(dataset.root, sample.path));
    if ('kind' in read) issues[index] = { file: sample.path, ...read };
    else {
      let outcome = firstWithContent.get(read.hash);
      if (!outcome) {
        // The first file of a content keeps its slot while sharp decodes it, which bounds the bytes
        // and pixels in flight; it is in the map before that, so copies read meanwhile wait for it.
        const started = decodeSample(read.bytes, read.hash, context);
        outcome = started.then(({ outcome }) => outcome).then(storeFresh);
        firstWithContent.set(read.hash, outcome);
        await started;
      }
      const settled = outcome.then((stored) => record(index, stored));
      // A failure (a bug, not a bad file) surfaces once, through Promise.all below, not meanwhile as
      // an unhandled rejection.
      settled.catch(() => undefined);
      settling.push(settled);
    }
    options.onProgress?.(++done, total);
  });
  await resizer.flush();
  await Promise.all(settling);
  throwIfAborted(signal);
  const kept: number[] = [];
  for (let index = 0; index < total; index++) if (rowOfFile[index] >= 0) kept.push(index);
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
  const { order, contentOf } = contentOrder(kept, rowOfFile);
  const images = store.finish(order);
  const contents = order.map((row) => sources[row]);
  const cacheProblem = options.cacheDir
    ? await updateCache(options.cacheDir, settings, cache, images, contents)
    : undefined;
  return {
    images,
    kept,
    contentOf,
    contentHashes: contents.map((source) => source.hash),
    dimensions: contents.map(({ width, height }) => ({ width, height })),
    issues: skipped,
    cacheHits,
    ...(cacheProblem ? { cacheProblem } : {}),
  };
}

/** SHA-256 (hex) of each kept file's bytes, row-aligned with `kept` (copies share the string). */
export function fileHashes(decoded: Pick<DecodeResult, 'contentOf' | 'contentHashes'>): string[] {
  return Array.from(decoded.contentOf, (content) => decoded.contentHashes[content]);
}

/**
 * The store rows in the order of their first kept file (`order`), and the position in that order
 * of each kept file's row (`contentOf`): the contents' final rows.
 */
function contentOrder(kept: readonly number[], rowOfFile: Int32Array): { order: number[]; contentOf: Int32Array } {
  // Every store row has a kept file, so there are at most kept.length of them.
  const finalRow = new Int32Array(kept.length).fill(-1);
  const order: number[] = [];
  const contentOf = new Int32Array(kept.length);
  kept.forEach((index, at) => {
    const row = rowOfFile[index];
    if (finalRow[row] < 0) finalRow[row] = order.push(row) - 1;
    contentOf[at] = finalRow[row];
  });
  return { order, contentOf };
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

/** A decoded file as the first file with its content left it: the store row its pixels are in. */
type StoredOutcome = { row: number; cached: boolean } | { kind: InputIssueKind; problem: string };

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

/** What every file's decode needs from {@link decodeImages}. */
interface DecodeContext {
  readonly cache: ReadonlyMap<string, CacheEntry>;
  readonly size: number;
  readonly maxPixels: number;
  readonly budget: PixelBudget;
  readonly resizer: MosaicResizer;
  /** Small plain PNGs read by pngjs and resized in mosaics (smallPng.ts, mosaicResize.ts). */
  readonly smallPngs: boolean;
}

/**
 * Starts one file's decode. Resolves when the pool may go on: with the outcome already there for a
 * cache hit or a sharp decode, and at once for a small PNG, whose pixels wait for the resizer's next
 * mosaic (`outcome` resolves after it). Wrapped in an object so the inner promise is not flattened.
 */
async function decodeSample(
  bytes: Buffer,
  hash: string,
  context: DecodeContext,
): Promise<{ outcome: Promise<SampleOutcome> }> {
  const { cache, size, maxPixels, resizer } = context;
  const hit = cache.get(hash);
  if (hit) {
    const { width, height, channels, pixels } = hit;
    const outcome = checkPixelCount(width, height, maxPixels) ?? {
      pixels,
      channels,
      hash,
      width,
      height,
      cached: true,
    };
    return { outcome: Promise.resolve(outcome) };
  }
  const small = context.smallPngs ? readSmallPng(bytes) : undefined;
  if (!small || (!sameSize(small, size) && !mosaicFits(small.width, small.height, size)))
    return { outcome: Promise.resolve(await decodeWithSharp(bytes, hash, context)) };
  const { width, height, channels } = small;
  const tooLarge = checkPixelCount(width, height, maxPixels);
  if (tooLarge) return { outcome: Promise.resolve(tooLarge) };
  // sharp's pipeline leaves an image already at the size untouched; so does this path.
  const resized = sameSize(small, size) ? Promise.resolve(small.pixels) : resizer.resize(small);
  const outcome = resized.then(
    (pixels): SampleOutcome => ({ pixels, channels, hash, width, height, cached: false }),
    // Not expected (the mosaic is plain raw pixels); sharp's own pipeline then decides the file.
    () => decodeWithSharp(bytes, hash, context),
  );
  return { outcome };
}

function sameSize(image: { width: number; height: number }, size: number): boolean {
  return image.width === size && image.height === size;
}

/** One file decoded and resized by sharp, or the reason it was skipped. */
async function decodeWithSharp(bytes: Buffer, hash: string, context: DecodeContext): Promise<SampleOutcome> {
  const { size, maxPixels, budget } = context;
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
