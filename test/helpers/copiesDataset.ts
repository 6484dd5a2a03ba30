import { link, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachConcurrent, realImages, writeDataset } from './realImages';

/** What {@link writeCopiesDatasets} wrote. */
export interface CopiesDatasets {
  /** `distinct` real digits, folder per class. */
  readonly distinct: string;
  /** The same digits plus `copies` byte-identical copies (hard links) of the first one. */
  readonly withCopies: string;
  /** The copied file, relative to each root, and its class. */
  readonly original: { readonly path: string; readonly label: string };
  /** How many of the copies sit under another class's folder (a conflict). */
  readonly mislabeledCopies: number;
}

/**
 * Issue #18's dataset, twice: `distinct` real MNIST digits, and the same digits plus `copies` hard
 * links to the first one ("image not available" placeholders, blank frames), all but
 * `mislabeledCopies` of them in its own class folder, the rest in the next class's. Hard links: the
 * audit reads bytes, so they are copies to it, and writing 20 000 of them takes a second.
 */
export async function writeCopiesDatasets(
  root: string,
  options: { distinct: number; copies: number; mislabeledCopies: number; seed?: number },
): Promise<CopiesDatasets> {
  const digits = realImages(options.distinct, { seed: options.seed ?? 18 });
  const labels = digits.labels.map((id) => digits.classNames[id]);
  const distinct = join(root, 'distinct');
  const withCopies = join(root, 'with-copies');
  const paths = await writeDataset(distinct, { images: digits.images, labels }, 'folder');
  const other = digits.classNames[(digits.labels[0] + 1) % digits.classNames.length];
  await Promise.all(digits.classNames.map((name) => mkdir(join(withCopies, name), { recursive: true })));
  await forEachConcurrent(paths.length, 16, (i) => link(join(distinct, paths[i]), join(withCopies, paths[i])));
  await forEachConcurrent(options.copies, 16, (i) =>
    link(
      join(distinct, paths[0]),
      join(withCopies, i < options.mislabeledCopies ? other : labels[0], `copy-${String(i).padStart(5, '0')}.png`),
    ),
  );
  return {
    distinct,
    withCopies,
    original: { path: paths[0], label: labels[0] },
    mislabeledCopies: options.mislabeledCopies,
  };
}
