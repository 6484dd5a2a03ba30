// In-memory benchmark datasets: real MNIST / Fashion-MNIST images put straight into an ImageSet,
// skipping the PNG encode + decode that the unit tests go through (at 60 000 images that round trip
// would be most of a benchmark's set-up time and measures nothing we want to know).
import sharp from 'sharp';
import type { ImageSet } from '../src/core/shared/types';
import { Random } from '../src/core/training/random';
import { forEachConcurrent, loadSource, pickImages, SOURCE_SIZE, type ImageSource } from '../test/helpers/realImages';

/** Call once the sets of a source are built: the loaded fashion-mnist package alone holds ~450 MB of heap. */
export { releaseSource } from '../test/helpers/realImages';
export { unitPixels } from '../test/helpers/standInEmbeddings';

/** A benchmark dataset: pixels, the true class id per image, and the class names those ids index. */
export interface BenchData {
  readonly images: ImageSet;
  readonly labels: Int32Array;
  readonly classNames: string[];
}

// Resizes run on libuv's thread pool (4 threads by default); a few more in flight keeps it busy
// without queueing thousands of buffers.
const RESIZE_CONCURRENCY = 16;

/**
 * `count` real images of `source` (mnist: up to 10 000, fashion: up to 70 000), balanced over the 10
 * classes as far as the package allows, in a seeded random order, as one grayscale ImageSet of
 * `size`×`size`. size 28 is the images' own size and copies them untouched; any other size is resized
 * with sharp's default kernel (lanczos3), which is what a decoder that resizes with sharp does.
 */
export async function benchImageSet(
  source: ImageSource,
  count: number,
  options: { size: number; seed: number },
): Promise<BenchData> {
  const { size, seed } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  const images = loadSource(source);
  const picks = pickImages(images, count, seed);
  // pickImages goes round-robin over the classes; shuffle so that any prefix or fold is a fair sample.
  const order = new Random(seed + 1).permutation(picks.length);
  const labels = Int32Array.from(order, (i) => picks[i].classId);
  const pixels = new Uint8Array(count * size * size);

  if (size === SOURCE_SIZE) {
    order.forEach((pick, i) => images.copyImage(picks[pick].classId, picks[pick].index, pixels, i * size * size));
  } else {
    await forEachConcurrent(count, RESIZE_CONCURRENCY, async (i) => {
      const original = new Uint8Array(SOURCE_SIZE * SOURCE_SIZE);
      images.copyImage(picks[order[i]].classId, picks[order[i]].index, original);
      pixels.set(await resizeGray(original, size), i * size * size);
    });
  }
  return { images: { size, channels: 1, pixels, count }, labels, classNames: [...images.classNames] };
}

async function resizeGray(original: Uint8Array, size: number): Promise<Uint8Array> {
  const { data, info } = await sharp(original, { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 1 } })
    .resize(size, size)
    // Keep one channel: sharp otherwise hands back sRGB (3 channels) from grayscale input.
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || data.length !== size * size) {
    throw new Error(`resize to ${size}×${size} gave ${info.width}×${info.height}×${info.channels}`);
  }
  return data;
}
