import { createHash } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';
import { withFileLock } from '../fileLock';
import { classActionsProblem, mapClass } from '../shared/classActions';
import { AuditError } from '../errors';
import type { ReviewLogEntry } from '../review/reviewLog';
import type { ClassAction, Dataset, Decisions } from '../shared/types';
import { renderCsvLabels } from './csvLabels';
import { renderDecisionsLog, renderReviewLogCsv } from './decisionsLog';
import {
  exportJournalPath,
  exportLockPath,
  recoverInterruptedExport,
  stageExport,
  type ExportFile,
} from './exportCommit';
import { chooseTarget, refuseUnsafeTarget } from './exportTarget';
import { renderFolderManifest } from './folderManifest';
import { renderJsonLabels } from './jsonLabels';
import { countOutcomes, decideOutcomes, type OutcomeCounts } from './outcomes';

/** Where and how {@link exportCleanedLabels} writes. */
export interface ExportOptions {
  /**
   * For folder-per-class datasets, which manifest to write. Default: 'json' when `outPath` ends in
   * `.json`, else 'csv'. Ignored for CSV and JSON datasets, which are always written in their own format.
   */
  folderFormat?: 'csv' | 'json';
  /**
   * Output path. Default: next to the original manifest with `.cleaned` before the extension
   * (labels.csv → labels.cleaned.csv); for a folder-per-class dataset `<root>/labels.cleaned.csv`
   * (or `.json`).
   */
  outPath?: string;
  /** Replace a previous export (labels file and log). Never allows replacing the original manifest. */
  overwrite?: boolean;
  /**
   * How the caller's user asks for `overwrite`, for the message when a previous export is in the way
   * (the CLI: "pass --force"; the editor: its confirmation). Default: "pass `overwrite: true`".
   */
  replaceHint?: string;
  /** Export time, written into the log. Default: now. */
  now?: Date;
  /**
   * The review log (who changed what and when, see `reviewLog.ts`). When given, it is written as
   * `<labels file without extension>.review-log.csv`, oldest change first, even when empty.
   */
  reviewLog?: readonly ReviewLogEntry[];
  /**
   * Merges and renames of whole classes, applied to every label before the per-sample decisions
   * (see src/core/shared/classActions.ts for the order). Default: none.
   */
  classActions?: readonly ClassAction[];
  /** The decisions file the decisions and class actions came from, named in error messages. */
  decisionsFile?: string;
}

/** What {@link exportCleanedLabels} wrote. */
export interface ExportResult extends OutcomeCounts {
  /** Absolute path of the cleaned label file. */
  labelsPath: string;
  /** Absolute path of the decisions log (`<labels file without extension>.decisions.csv`). */
  logPath: string;
  /** Absolute path of the review log, when `reviewLog` was given. */
  reviewLogPath?: string;
}

/**
 * Writes the dataset's labels with the review decisions applied, in the dataset's own format, plus
 * a log of the decisions. The original label file is never modified.
 *
 * - CSV → CSV: same header, column order, delimiter, line ending and BOM; only the label cell of a
 *   relabeled row changes, removed rows are dropped, cells are quoted only where CSV needs it (so a
 *   row comes out byte-for-byte unless the input quoted cells that did not need quotes).
 * - JSON → JSON: same shape (array of objects or path→label map), other fields and key order kept;
 *   2-space indent. A label given as a number stays a number when the new label is one.
 * - Folder-per-class → a manifest (CSV `path,label` or a JSON array of `{ path, label }`) listing
 *   every sample with its final label, paths relative to the manifest's folder (the dataset root by
 *   default), so `loadDataset` on it gives back the dataset as decided.
 *
 * Entries skipped at load are copied unchanged, except repeats of a decided image's path, which
 * follow its decision (see `changeFinder` in outcomes.ts). The log is written beside the labels as
 * `<labels file without extension>.decisions.csv` (see decisionsLog.ts).
 *
 * A relabel to a label that is not one of the dataset's classes is allowed: it creates that class.
 * Reviewers split or rename classes ("7" vs "7-crossed"), and the decisions were made by a person
 * looking at the image, so refusing would only force them to edit the file by hand.
 *
 * @param dataset - The dataset as loaded by `loadDataset` (its `source` is what gets written back).
 * @param decisions - Review decisions keyed by sample path; samples without one keep their label.
 * @param options - See {@link ExportOptions}.
 * @returns The paths written and the counts of each outcome.
 * @throws AuditError('decisionsMalformed') when a decision names a path that is not a sample of the
 *   dataset, or a class action names no class of it; AuditError('badOption') when the output would replace the original manifest or an image,
 *   or its extension contradicts the format; AuditError('exportExists') when a previous export is in
 *   the way and `overwrite` is not set; AuditError('busy') when another export to the same file
 *   keeps its lock for a minute. Nothing is written in any of these cases.
 *
 * Two exports to one labels file take turns (an exclusive lock file beside it), so without
 * `overwrite` exactly one of them writes and the other finds its files in the way. The files are
 * written together (see exportCommit.ts): all old or all new, also after a crash, and the log
 * names the labels file it belongs to by its SHA-256.
 */
export async function exportCleanedLabels(
  dataset: Dataset,
  decisions: Decisions,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const classActions = options.classActions ?? [];
  // Hand-written decisions files reach here too: a typo in a merge would otherwise do nothing.
  const actionsProblem = classActionsProblem(classActions, dataset.classes);
  if (actionsProblem !== undefined) {
    const where = options.decisionsFile ? `Decisions file ${options.decisionsFile}` : 'Class actions';
    throw new AuditError('decisionsMalformed', `${where}: ${actionsProblem}.`, options.decisionsFile);
  }
  const outcomes = decideOutcomes(dataset, decisions, classActions);
  const target = chooseTarget(dataset, options);
  const { labelsPath } = target;
  const beside = (suffix: string) => join(dirname(labelsPath), `${basename(labelsPath, extname(labelsPath))}${suffix}`);
  const logPath = beside('.decisions.csv');
  const reviewLogPath = options.reviewLog ? beside('.review-log.csv') : undefined;
  const targets = [labelsPath, logPath, ...(reviewLogPath ? [reviewLogPath] : [])];

  const classOf = (label: string) => mapClass(label, classActions);
  const source = dataset.source;
  const labelsText =
    source.format === 'csv'
      ? renderCsvLabels(dataset, source, outcomes, classOf)
      : source.format === 'json'
        ? renderJsonLabels(dataset, source, outcomes, classOf)
        : renderFolderManifest(dataset, outcomes, target.format, target.pathPrefix);
  const labelsFile = { name: basename(labelsPath), sha256: createHash('sha256').update(labelsText).digest('hex') };
  const files: ExportFile[] = [
    { path: labelsPath, text: labelsText },
    { path: logPath, text: renderDecisionsLog(dataset, outcomes, options.now ?? new Date(), labelsFile) },
    ...(reviewLogPath && options.reviewLog
      ? [{ path: reviewLogPath, text: renderReviewLogCsv(dataset, options.reviewLog) }]
      : []),
  ];
  await withFileLock(
    exportLockPath(labelsPath),
    async () => {
      // A crashed export's renames are finished first, so what is checked below is a whole export.
      const journal = exportJournalPath(labelsPath);
      await recoverInterruptedExport(journal, targets);
      for (const path of targets) {
        await refuseUnsafeTarget(dataset, path, options.overwrite ?? false, options.replaceHint);
      }
      await (await stageExport(files, journal)).commit();
    },
    { what: `the export to ${labelsPath}`, timeoutMs: 60_000 },
  );
  return { labelsPath, logPath, ...(reviewLogPath ? { reviewLogPath } : {}), ...countOutcomes(outcomes) };
}
