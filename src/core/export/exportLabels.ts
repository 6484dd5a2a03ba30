import { stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../atomicWrite';
import { classActionsProblem, mapClass } from '../shared/classActions';
import { AuditError } from '../errors';
import { reviewLogRecords, type ReviewLogEntry } from '../review/reviewLog';
import type { ClassAction, Dataset, Decisions, LabelSource } from '../shared/types';

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
export interface ExportResult {
  /** Absolute path of the cleaned label file. */
  labelsPath: string;
  /** Absolute path of the decisions log (`<labels file without extension>.decisions.csv`). */
  logPath: string;
  /** Absolute path of the review log, when `reviewLog` was given. */
  reviewLogPath?: string;
  /** Samples decided 'keep' (including a relabel to the label they already had). */
  kept: number;
  /** Samples whose label changed. */
  relabeled: number;
  /** Samples left out of the cleaned file. */
  removed: number;
  /** Samples without a decision, written with their given label. */
  unchanged: number;
  /** Samples without a decision whose label changed through a class merge or rename. */
  classChanged: number;
}

/** The effect of the review on one sample. */
type Outcome =
  | { readonly action: 'keep' | 'unchanged'; readonly label: string }
  | { readonly action: 'relabel'; readonly label: string }
  /** No decision of its own, but its class was merged or renamed. */
  | { readonly action: 'merge' | 'rename'; readonly label: string }
  | { readonly action: 'remove' };

/** One row of the decisions log. */
interface LogRow {
  readonly path: string;
  readonly givenLabel: string;
  readonly action: 'keep' | 'relabel' | 'remove' | 'merge' | 'rename';
  readonly finalLabel: string;
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
 * follow its decision (see {@link changeFinder}). The log is written beside the labels as
 * `<labels file without extension>.decisions.csv` (see {@link renderLog}).
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
 *   the way and `overwrite` is not set. Nothing is written in any of these cases.
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
  const output = chooseOutput(dataset, options);
  const { labelsPath } = output;
  const beside = (suffix: string) => join(dirname(labelsPath), `${basename(labelsPath, extname(labelsPath))}${suffix}`);
  const logPath = beside('.decisions.csv');
  const reviewLogPath = options.reviewLog ? beside('.review-log.csv') : undefined;
  for (const target of [labelsPath, logPath, reviewLogPath]) {
    if (target !== undefined) await refuseUnsafeTarget(dataset, target, options.overwrite ?? false);
  }

  const relabelEntry = (label: string) => mapClass(label, classActions);
  const labelsText =
    output.format === 'csv'
      ? renderCsv(dataset, outcomes, output, relabelEntry)
      : renderJson(dataset, outcomes, output, relabelEntry);
  const logText = renderLog(dataset, outcomes, options.now ?? new Date());
  // Labels first: a log without its labels file would describe an export that does not exist.
  await writeFileAtomic(labelsPath, labelsText);
  await writeFileAtomic(logPath, logText);
  if (reviewLogPath !== undefined && options.reviewLog) {
    const givenLabels = new Map(dataset.samples.map((sample) => [sample.path, sample.label]));
    await writeFileAtomic(reviewLogPath, toCsv(reviewLogRecords(options.reviewLog, givenLabels), logStyle(dataset)));
  }

  const counts = { kept: 0, relabeled: 0, removed: 0, unchanged: 0, classChanged: 0 };
  for (const outcome of outcomes.values()) {
    if (outcome.action === 'keep') counts.kept++;
    else if (outcome.action === 'relabel') counts.relabeled++;
    else if (outcome.action === 'remove') counts.removed++;
    else if (outcome.action === 'unchanged') counts.unchanged++;
    else counts.classChanged++;
  }
  return { labelsPath, logPath, ...(reviewLogPath ? { reviewLogPath } : {}), ...counts };
}

/**
 * The outcome of every sample, keyed by sample path, after checking that each decision names a
 * sample. Class actions first: every label goes through them (a sample without a decision whose
 * class was merged or renamed gets that class). Then the sample's decision: a relabel's label goes
 * through the class actions too, and a relabel that ends at the label the sample already has
 * changes nothing, so it counts as a keep; a keep keeps the label its class now has.
 */
function decideOutcomes(
  dataset: Dataset,
  decisions: Decisions,
  classActions: readonly ClassAction[],
): Map<string, Outcome> {
  const givenLabels = new Map(dataset.samples.map((sample) => [sample.path, sample.label]));
  const outcomes = new Map<string, Outcome>(
    dataset.samples.map((sample) => [sample.path, classOutcome(sample.label, classActions)]),
  );
  for (const [path, decision] of Object.entries(decisions)) {
    const given = givenLabels.get(path);
    if (given === undefined) throw unknownPath(dataset, path);
    const relabeled = decision.action === 'relabel' ? mapClass(decision.label, classActions) : undefined;
    if (decision.action === 'remove') outcomes.set(path, { action: 'remove' });
    else if (relabeled !== undefined && relabeled !== given)
      outcomes.set(path, { action: 'relabel', label: relabeled });
    else outcomes.set(path, { action: 'keep', label: mapClass(given, classActions) });
  }
  return outcomes;
}

/** A sample without a decision: its label after the class actions, and which kind changed it. */
function classOutcome(given: string, classActions: readonly ClassAction[]): Outcome {
  const label = mapClass(given, classActions);
  if (label === given) return { action: 'unchanged', label };
  // Named after the action that first moved it (a rename then a merge is logged as a rename).
  const first = classActions.find((action) => action.from === given);
  return { action: first?.action ?? 'rename', label };
}

function unknownPath(dataset: Dataset, path: string): AuditError {
  const where = dataset.manifestPath ?? dataset.root;
  const skipped = dataset.issues.find((issue) => issue.file === path);
  const why = skipped
    ? `it was skipped when the dataset was read (${skipped.problem})`
    : 'no sample has that path (paths are relative to the dataset root, with "/" separators)';
  return new AuditError('decisionsMalformed', `A decision names "${path}", which is not a sample of ${where}: ${why}.`);
}

/** Where the cleaned labels go and how they are written. */
interface Output {
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
function chooseOutput(dataset: Dataset, options: ExportOptions): Output {
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
 * when `overwrite` is not set. Comparing device and inode as well as the path also catches the
 * original reached through a symlink, a hard link or a case-insensitive file system.
 */
async function refuseUnsafeTarget(dataset: Dataset, target: string, overwrite: boolean): Promise<void> {
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
      `${target} already exists; pass overwrite to replace the previous export.`,
      target,
    );
  }
}

/** What the export does to one entry of the label source; entries without a change are copied as read. */
type Change = Extract<Outcome, { action: 'relabel' | 'merge' | 'rename' | 'remove' }>;

function isChange(outcome: Outcome): outcome is Change {
  return outcome.action !== 'keep' && outcome.action !== 'unchanged';
}

/**
 * Finds the change for an entry of the label source from its source index and its path as written.
 *
 * An entry that names a sample gets that sample's change. An entry skipped at load (bad path,
 * missing file, empty label, a repeated path, ...) has no sample and is copied exactly as it was:
 * it is the user's data, not ours to delete, and the next load reports it again. The one exception
 * is an entry that names a decided image a second time (a 'duplicateEntry'): it gets the same
 * change, or the next load would bring a removed image back, or see two different labels for a
 * relabeled one and skip it as a conflicting duplicate. Paths are compared once resolved against
 * the root, the way `loadDataset` resolves them ('\\' read as '/', cells trimmed).
 */
function changeFinder(
  dataset: Dataset,
  outcomes: Map<string, Outcome>,
): (sourceIndex: number | string, writtenPath: unknown) => Change | undefined {
  const bySourceIndex = new Map<number | string, Change>();
  const byAbsolutePath = new Map<string, Change>();
  for (const sample of dataset.samples) {
    const outcome = outcomes.get(sample.path);
    if (outcome === undefined || !isChange(outcome)) continue;
    bySourceIndex.set(sample.sourceIndex, outcome);
    byAbsolutePath.set(resolve(dataset.root, sample.path), outcome);
  }
  return (sourceIndex, writtenPath) => {
    const change = bySourceIndex.get(sourceIndex);
    if (change !== undefined || typeof writtenPath !== 'string' || writtenPath.trim() === '') return change;
    return byAbsolutePath.get(resolve(dataset.root, writtenPath.trim().replace(/\\/g, '/')));
  };
}

/**
 * CSV → CSV. Unchanged rows are re-encoded from their cells with quotes only where CSV needs them,
 * so they come out byte-for-byte as read unless the input quoted cells that did not need it.
 */
function renderCsv(
  dataset: Dataset,
  outcomes: Map<string, Outcome>,
  output: Output,
  classOf: (label: string) => string,
): string {
  const source = dataset.source;
  if (source.format !== 'csv') return renderFolderCsv(dataset, outcomes, output);
  const changeOf = changeFinder(dataset, outcomes);
  const rows = source.rows.flatMap((row, index) => {
    const change = changeOf(index, row[source.pathColumn]);
    if (change === undefined) return [mapSkippedCell(row, source.labelColumn, classOf)];
    return change.action === 'remove' ? [] : [withCell(row, source.labelColumn, change.label)];
  });
  return toCsv([source.header, ...rows], source);
}

function renderFolderCsv(dataset: Dataset, outcomes: Map<string, Outcome>, output: Output): string {
  const rows = finalSamples(dataset, outcomes, output).map(({ path, label }) => [path, label]);
  return toCsv([['path', 'label'], ...rows], { delimiter: ',', lineEnding: '\n', bom: false });
}

function renderJson(
  dataset: Dataset,
  outcomes: Map<string, Outcome>,
  output: Output,
  classOf: (label: string) => string,
): string {
  const source = dataset.source;
  if (source.format !== 'json') return toJson(finalSamples(dataset, outcomes, output));
  const changeOf = changeFinder(dataset, outcomes);
  const document = source.document;
  if (source.shape === 'array') {
    if (!Array.isArray(document)) throw new TypeError(`JSON label source of ${dataset.manifestPath} is not an array`);
    const entries = document.flatMap((entry: unknown, index) => {
      const fields = isRecord(entry) ? entry : {};
      const change = changeOf(index, fields[source.pathKey]);
      if (change === undefined) {
        const label = skippedLabel(fields[source.labelKey], classOf);
        return [label === undefined ? entry : { ...fields, [source.labelKey]: label }];
      }
      if (change.action === 'remove') return [];
      // Spreading keeps every other field and the key order; the label key keeps its position.
      return [{ ...fields, [source.labelKey]: jsonLabel(fields[source.labelKey], change.label) }];
    });
    return toJson(entries);
  }
  if (!isRecord(document)) throw new TypeError(`JSON label source of ${dataset.manifestPath} is not an object`);
  // Object.entries gives JSON.parse's key order, which is the file's order except for
  // integer-like keys (JavaScript lists those first); image paths are not integers in practice.
  const kept = Object.entries(document).flatMap(([key, value]): [string, unknown][] => {
    const change = changeOf(key, key);
    if (change === undefined) return [[key, skippedLabel(value, classOf) ?? value]];
    return change.action === 'remove' ? [] : [[key, jsonLabel(value, change.label)]];
  });
  return toJson(Object.fromEntries(kept));
}

/**
 * An entry that is not a sample (skipped at load) keeps its cells, but a label of a merged or
 * renamed class follows the class, or the cleaned file would still name a class that is gone.
 */
function mapSkippedCell(row: readonly string[], column: number, classOf: (label: string) => string): readonly string[] {
  const cell = row[column];
  if (cell === undefined) return row;
  const mapped = classOf(cell.trim());
  return mapped === cell.trim() ? row : withCell(row, column, mapped);
}

/** As {@link mapSkippedCell}, for a JSON label value; undefined when it stays as it is. */
function skippedLabel(value: unknown, classOf: (label: string) => string): string | number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  const mapped = classOf(text);
  return mapped === text ? undefined : jsonLabel(value, mapped);
}

/**
 * The new label as a JSON value: a number when the file gave this entry a number and the new label
 * is one, so a file of integer class ids stays one (loaders such as PyTorch's expect ints).
 */
function jsonLabel(previous: unknown, label: string): string | number {
  return typeof previous === 'number' && label !== '' && String(Number(label)) === label ? Number(label) : label;
}

/**
 * Folder-per-class: the samples left after the review, in dataset order (sorted by path), with their
 * final labels and their paths relative to the label file's folder. Files skipped at load (not
 * images) are not listed: a manifest entry for them would only be skipped again.
 */
function finalSamples(
  dataset: Dataset,
  outcomes: Map<string, Outcome>,
  output: Output,
): { path: string; label: string }[] {
  return dataset.samples.flatMap((sample) => {
    const outcome = outcomes.get(sample.path) ?? { action: 'unchanged', label: sample.label };
    return outcome.action === 'remove' ? [] : [{ path: output.pathPrefix + sample.path, label: outcome.label }];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The decisions log, one row per decision sorted by path: `path,given_label,action,final_label,exported_at`;
 * samples whose label changed only through a class action get a row too, with the action `merge` or `rename`.
 *
 * CSV rather than JSON: the people reading the log are the ones who keep labels in spreadsheets,
 * and a flat table is what they can sort, filter and diff; every CSV reader parses it too. CSV has
 * no place for a header comment, so the export time is a column: redundant within one file, but it
 * keeps each row self-describing when logs of several exports are concatenated. The line ending
 * and BOM follow the input CSV so both files open the same way in the user's tools.
 */
function renderLog(dataset: Dataset, outcomes: Map<string, Outcome>, now: Date): string {
  const givenLabels = new Map(dataset.samples.map((sample) => [sample.path, sample.label]));
  const rows: LogRow[] = [...outcomes.entries()]
    .filter(([, outcome]) => outcome.action !== 'unchanged')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, outcome]) => {
      const givenLabel = givenLabels.get(path) ?? '';
      if (outcome.action === 'unchanged') throw new Error(`unreachable: ${path} is unchanged`);
      return outcome.action === 'remove'
        ? { path, givenLabel, action: 'remove', finalLabel: '' }
        : { path, givenLabel, action: outcome.action, finalLabel: outcome.label };
    });
  const exportedAt = now.toISOString();
  return toCsv(
    [
      ['path', 'given_label', 'action', 'final_label', 'exported_at'],
      ...rows.map((row) => [row.path, row.givenLabel, row.action, row.finalLabel, exportedAt]),
    ],
    logStyle(dataset),
  );
}

/** The logs are comma-separated, with the input CSV's line ending and BOM so all files open alike. */
function logStyle(dataset: Dataset): CsvStyle {
  const source = dataset.source;
  return source.format === 'csv' ? { ...source, delimiter: ',' } : { delimiter: ',', lineEnding: '\n', bom: false };
}

type CsvStyle = Pick<Extract<LabelSource, { format: 'csv' }>, 'delimiter' | 'lineEnding' | 'bom'>;

function toCsv(records: readonly (readonly string[])[], style: CsvStyle): string {
  return stringify(records as string[][], {
    delimiter: style.delimiter,
    record_delimiter: style.lineEnding,
    bom: style.bom,
    // With an explicit record delimiter csv-stringify would otherwise stop quoting a lone '\n' or
    // '\r' inside a CRLF file's cell, which csv-parse then reads as a row break.
    quote_record_delimiter: true,
    // The reader trims unquoted path and label cells (spreadsheets pad them), so a name with outer
    // whitespace (a class folder "cat ") is quoted to read back as written.
    quoted_match: /^\s|\s$/,
  });
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function withCell(row: readonly string[], column: number, value: string): string[] {
  const copy = [...row];
  copy[column] = value;
  return copy;
}
