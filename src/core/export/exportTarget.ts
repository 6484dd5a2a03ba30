import { stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AuditError } from '../errors';
import type { Dataset } from '../shared/types';

/**
 * Where an export may write: the output path and format (checked so the file can be read back),
 * and the refusal of any target that is the user's data (the original manifest, an image) or a
 * previous export that the caller did not agree to replace.
 */

/** Where the cleaned labels go and how they are written. */
export interface ExportTarget {
  /** Absolute path of the cleaned label file. */
  readonly labelsPath: string;
  readonly format: 'csv' | 'json';
  /** Folder-per-class only: what goes before a sample path to make it relative to the label file's folder. */
  readonly pathPrefix: string;
}

/**
 * The output path and format, checked so that the file can be read back: image paths in a label
 * file are relative to its folder, so a CSV/JSON export must stay in the original's folder (its path
 * cells are copied untouched) and a folder-per-class manifest must sit in the dataset root or above it.
 */
export function chooseTarget(
  dataset: Dataset,
  options: { readonly outPath?: string; readonly folderFormat?: 'csv' | 'json' },
): ExportTarget {
  const outPath = options.outPath === undefined ? undefined : resolve(options.outPath);
  const outExtension = outPath === undefined ? '' : extname(outPath).toLowerCase();
  let labelsPath: string;
  let format: 'csv' | 'json';
  if (dataset.format === 'folder') {
    format = options.folderFormat ?? (outExtension === '.json' ? 'json' : 'csv');
    if (outExtension === '.json' && format !== 'json') {
      throw new AuditError('badOption', `Output ${outPath} ends in .json but the folder export format is ${format}.`);
    }
    labelsPath = outPath ?? join(dataset.root, `labels.cleaned.${format}`);
  } else {
    const manifest = dataset.manifestPath;
    if (manifest === undefined) {
      throw new AuditError(
        'badOption',
        `The ${dataset.format} dataset at ${dataset.root} has no label file to export from.`,
      );
    }
    format = dataset.format;
    // A CSV written under a .json name (or the reverse) would be misread by every tool that trusts
    // the extension, loadDataset included.
    if (
      (format === 'csv' && outExtension === '.json') ||
      (format === 'json' && ['.csv', '.tsv'].includes(outExtension))
    ) {
      throw new AuditError(
        'badOption',
        `Output ${outPath} has a ${outExtension} extension but the dataset's labels are ${format}.`,
      );
    }
    const extension = extname(manifest);
    labelsPath = outPath ?? join(dirname(manifest), `${basename(manifest, extension)}.cleaned${extension}`);
  }
  const rootFromOutput = relative(dirname(labelsPath), dataset.root);
  const readable =
    dataset.format === 'folder'
      ? rootFromOutput !== '..' && !rootFromOutput.startsWith(`..${sep}`) && !isAbsolute(rootFromOutput)
      : rootFromOutput === '';
  if (!readable) {
    const where =
      dataset.format === 'folder'
        ? `in ${dataset.root} or a folder above it`
        : `in ${dataset.root}, next to the original`;
    throw new AuditError(
      'badOption',
      `Cannot export to ${labelsPath}: image paths in a label file are relative to its folder, so it must be written ${where}.`,
      labelsPath,
    );
  }
  const pathPrefix = rootFromOutput === '' ? '' : `${rootFromOutput.split(sep).join('/')}/`;
  return { labelsPath, format, pathPrefix };
}

/**
 * Refuses a target that is the original manifest or one of the dataset's images (whatever
 * `overwrite` says: those are the user's data), that is a folder, or that holds a previous export
 * when `overwrite` is not set (the message then says how to replace it: `replaceHint`, e.g. "pass
 * --force" for the CLI). Comparing device and inode as well as the path also catches the
 * original reached through a symlink, a hard link or a case-insensitive file system.
 */
export async function refuseUnsafeTarget(
  dataset: Dataset,
  target: string,
  overwrite: boolean,
  replaceHint = 'pass `overwrite: true`',
): Promise<void> {
  const targetStat = await stat(target).catch(() => undefined);
  const manifest = dataset.manifestPath === undefined ? undefined : resolve(dataset.manifestPath);
  const manifestStat = manifest === undefined ? undefined : await stat(manifest).catch(() => undefined);
  const isManifest =
    target === manifest ||
    (targetStat !== undefined &&
      manifestStat !== undefined &&
      targetStat.dev === manifestStat.dev &&
      targetStat.ino === manifestStat.ino);
  if (isManifest) {
    throw new AuditError(
      'badOption',
      `Refusing to write ${target}: it is the original label file, which export never changes.`,
      target,
    );
  }
  if (dataset.samples.some((sample) => resolve(dataset.root, sample.path) === target)) {
    throw new AuditError('badOption', `Refusing to write ${target}: it is one of the dataset's images.`, target);
  }
  if (targetStat === undefined) return;
  if (targetStat.isDirectory()) {
    throw new AuditError('badOption', `Cannot write the export to ${target}: it is a folder.`, target);
  }
  if (!overwrite) {
    throw new AuditError(
      'exportExists',
      `${target} already exists; ${replaceHint} to replace the previous export.`,
      target,
    );
  }
}
