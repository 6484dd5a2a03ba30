// The hostile-input corpus of issue #11 (data half), generated at test time from real MNIST digits:
// datasets whose links lead outside them, a label file reached through a linked folder, an output
// folder that is a link, names that do not survive a careless round trip, look-alike class names.
// Nothing is checked in: symbolic links and odd names do not survive every checkout.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { realImages, writePng } from './realImages';

/** Paths of one generated corpus; every folder is below `base`. */
export interface HostileCorpus {
  /** Holds everything below. */
  readonly base: string;
  /** Outside every dataset: the secret image, a class folder of images, a folder `out`. */
  readonly outside: string;
  /** Folder-per-class dataset ('0', '1', 12 real digits each) with links in and out, see {@link writeHostileCorpus}. */
  readonly folderDataset: string;
  /** CSV dataset: images/…, labels.csv listing them plus rows through `linked/` (a link to outside). */
  readonly csvDataset: string;
  /** A dataset whose `labels.csv` is itself a link to a label file outside. */
  readonly linkedManifestDataset: string;
  /** A clean folder dataset whose `.label-audit` is a link to `outside/out`. */
  readonly linkedOutputDataset: string;
}

/** Rows of the folder dataset's real images: '0/00000.png' … */
const PER_CLASS = 12;

/**
 * Writes the corpus under `base`:
 * - folderDataset: classes '0' and '1' of real digits, plus
 *   `0/leak.png` → outside/secret.png (file link out), `evil` → outside/cls (class folder link out),
 *   `1/passwd.png` → /etc/passwd, `1/inside.png` → ../0/00000.png (link inside: kept),
 *   `alias` → 1 (class folder link inside: kept);
 * - csvDataset: the rows of its own images, and `linked/secret-*.png` rows where `linked` → outside/cls;
 * - linkedManifestDataset: images and a `labels.csv` that is a link to outside/labels.csv;
 * - linkedOutputDataset: real digits and `.label-audit` → outside/out.
 */
export async function writeHostileCorpus(base: string): Promise<HostileCorpus> {
  const outside = join(base, 'outside');
  const digits = realImages(2 * PER_CLASS + 4, { seed: 11, classes: [0, 1] });
  const label = (i: number) => digits.classNames[digits.labels[i]];
  await writePng(join(outside, 'secret.png'), digits.images[2 * PER_CLASS]);
  for (let i = 0; i < 3; i++)
    await writePng(join(outside, 'cls', `secret-${i}.png`), digits.images[2 * PER_CLASS + 1 + i]);
  await mkdir(join(outside, 'out'), { recursive: true });

  const folderDataset = join(base, 'folder');
  const own: { path: string; label: string }[] = [];
  for (let i = 0; i < 2 * PER_CLASS; i++) {
    const path = `${label(i)}/${String(i).padStart(5, '0')}.png`;
    own.push({ path, label: label(i) });
    await writePng(join(folderDataset, path), digits.images[i]);
  }
  await symlink(join(outside, 'secret.png'), join(folderDataset, '0', 'leak.png'));
  await symlink(join(outside, 'cls'), join(folderDataset, 'evil'));
  await symlink('/etc/passwd', join(folderDataset, '1', 'passwd.png'));
  await symlink(join('..', own[0].path), join(folderDataset, '1', 'inside.png'));
  await symlink('1', join(folderDataset, 'alias'));

  const csvDataset = join(base, 'csv');
  const rows = ['path,label'];
  for (let i = 0; i < 2 * PER_CLASS; i++) {
    const path = `images/${String(i).padStart(5, '0')}.png`;
    await writePng(join(csvDataset, path), digits.images[i]);
    rows.push(`${path},${label(i)}`);
  }
  await symlink(join(outside, 'cls'), join(csvDataset, 'linked'));
  for (let i = 0; i < 3; i++) rows.push(`linked/secret-${i}.png,1`);
  await writeFile(join(csvDataset, 'labels.csv'), `${rows.join('\n')}\n`);

  const linkedManifestDataset = join(base, 'linked-manifest');
  await writeFile(join(outside, 'labels.csv'), `${rows.slice(0, 2 * PER_CLASS + 1).join('\n')}\n`);
  for (let i = 0; i < 2 * PER_CLASS; i++)
    await writePng(join(linkedManifestDataset, 'images', `${String(i).padStart(5, '0')}.png`), digits.images[i]);
  await symlink(join(outside, 'labels.csv'), join(linkedManifestDataset, 'labels.csv'));

  const linkedOutputDataset = join(base, 'linked-output');
  for (let i = 0; i < own.length; i++) await writePng(join(linkedOutputDataset, own[i].path), digits.images[i]);
  await symlink(join(outside, 'out'), join(linkedOutputDataset, '.label-audit'));

  return { base, outside, folderDataset, csvDataset, linkedManifestDataset, linkedOutputDataset };
}

/** The folder dataset's own image paths (no links): what an audit of it must keep. */
export function ownImagePaths(): string[] {
  const digits = realImages(2 * PER_CLASS, { seed: 11, classes: [0, 1] });
  return digits.labels.map((l, i) => `${digits.classNames[l]}/${String(i).padStart(5, '0')}.png`);
}
