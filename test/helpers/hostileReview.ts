import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { realImages, writePng } from './realImages';

/**
 * The hostile-input corpus of the review, export and CLI-output hardening (issue 11 items 3, 4, 5,
 * 7), generated at test time from real MNIST digits: names that a spreadsheet would run as
 * formulas, names that a terminal would obey as commands, and a review log whose `user` field is
 * one of them. The dataset-reading items (symlinks, read-only folders, odd names) have their own.
 */

/** Cell texts a spreadsheet runs as formulas (no '/', so each is also a legal file or folder name). */
export const FORMULA_NAMES = [
  '=HYPERLINK("https:evil.example";"click")',
  '+1+cmd|calc',
  '-2+3',
  '@SUM(1+1)',
  '\t=1+1',
  '\r=1+1',
] as const;

/** Names a terminal obeys: clear screen, window title, a forged link, a carriage-return overwrite, C1 CSI, bell. */
export const TERMINAL_NAMES = [
  '\x1b[2J\x1b[Hcleared',
  '\x1b]0;pwned\x07title',
  '\x1b]8;;https:evil.example\x07click\x1b]8;;\x07',
  'real\rFORGED',
  '\u009b31mred',
  'bell\x07\x08back',
] as const;

/** True when `text` holds a character a terminal would act on (anything but newline among C0, DEL, C1). */
export function hasTerminalControl(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  return /[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(text);
}

/**
 * Writes a folder-per-class dataset of real digits to `root`: one class per name of `classNames`
 * (plus the plain classes '0' and '1'), each image file named after an entry of `fileNames`.
 * @returns the sample paths written, relative to the root with '/' separators.
 */
export async function writeHostileFolderDataset(
  root: string,
  classNames: readonly string[],
  fileNames: readonly string[],
  perClass = 4,
): Promise<string[]> {
  const classes = ['0', '1', ...classNames];
  const { images } = realImages(classes.length * perClass, { seed: 7 });
  const paths: string[] = [];
  let next = 0;
  for (const name of classes) {
    for (let i = 0; i < perClass; i++) {
      const file = `${fileNames[(next + i) % fileNames.length] ?? 'image'}-${i}.png`;
      paths.push(`${name}/${file}`);
      await writePng(join(root, name, file), images[next++] as Uint8Array);
    }
  }
  return paths;
}

/** Writes `<root>/.label-audit/review-log.jsonl` with one entry per path, by a reviewer named `user`. */
export async function writeHostileReviewLog(root: string, paths: readonly string[], user: string): Promise<void> {
  const lines = paths.map((path) =>
    JSON.stringify({
      time: '2026-12-01T12:00:00.000Z',
      user,
      path,
      action: 'remove',
      from: null,
      to: { action: 'remove' },
    }),
  );
  await mkdir(join(root, '.label-audit'), { recursive: true });
  await writeFile(join(root, '.label-audit', 'review-log.jsonl'), `${lines.join('\n')}\n`);
}
