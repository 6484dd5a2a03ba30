// Real MNIST / Fashion-MNIST images written once as a folder-per-class PNG dataset under
// bench-output/, as a user would have them, and reused by every later benchmark run.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  loadSource,
  pickImages,
  releaseSource,
  SOURCE_SIZE,
  writeDataset,
  type ImageSource,
} from '../test/helpers/realImages';

const OUT = join(__dirname, '..', 'bench-output');

/** The folder holding `count` real images of `source` as 28×28 gray PNGs, written the first time. */
export async function pngDataset(source: ImageSource, count: number): Promise<string> {
  const root = join(OUT, `${source}-${count}`);
  if (existsSync(join(root, '.complete'))) return root;
  await rm(root, { recursive: true, force: true });
  const images = loadSource(source);
  const picks = pickImages(images, count, 1);
  const pixels = picks.map((p) => {
    const image = new Uint8Array(SOURCE_SIZE * SOURCE_SIZE);
    images.copyImage(p.classId, p.index, image);
    return image;
  });
  await writeDataset(root, { images: pixels, labels: picks.map((p) => images.classNames[p.classId]) }, 'folder');
  releaseSource(source);
  await writeFile(join(root, '.complete'), '');
  return root;
}
