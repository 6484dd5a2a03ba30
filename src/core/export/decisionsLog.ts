import { PLAIN_CSV, toCsv, type CsvStyle } from './csvText';
import type { Outcomes } from './outcomes';
import { spreadsheetSafeRecords } from './spreadsheetSafe';
import { reviewLogRecords, type ReviewLogEntry } from '../review/reviewLog';
import type { Dataset } from '../shared/types';

/** One row of the decisions log. */
interface LogRow {
  readonly path: string;
  readonly givenLabel: string;
  readonly action: 'keep' | 'relabel' | 'remove' | 'merge' | 'rename';
  readonly finalLabel: string;
}

/** The labels file a decisions log belongs to: its name and the SHA-256 (hex) of its bytes. */
export interface LabelsFileId {
  readonly name: string;
  readonly sha256: string;
}

/**
 * The decisions log, one row per decision sorted by path:
 * `path,given_label,action,final_label,exported_at,labels_sha256`; samples whose label changed only
 * through a class action get a row too, with the action `merge` or `rename`. A last row with the
 * action `export` names the labels file the log belongs to (its name in `path`), so a log that does
 * not match the labels beside it (copied, edited, or a crash of an older version between the two
 * writes) can be told from one that does: `labels_sha256` is the SHA-256 of that file's bytes.
 *
 * CSV rather than JSON: the people reading the log are the ones who keep labels in spreadsheets,
 * and a flat table is what they can sort, filter and diff; every CSV reader parses it too. CSV has
 * no place for a header comment, so the export time is a column: redundant within one file, but it
 * keeps each row self-describing when logs of several exports are concatenated. The line ending
 * and BOM follow the input CSV so both files open the same way in the user's tools. Cells that a
 * spreadsheet would run as a formula get a leading `'` (see spreadsheetSafe.ts).
 */
export function renderDecisionsLog(dataset: Dataset, outcomes: Outcomes, now: Date, labelsFile: LabelsFileId): string {
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
    spreadsheetSafeRecords([
      ['path', 'given_label', 'action', 'final_label', 'exported_at', 'labels_sha256'],
      ...rows.map((row) => [row.path, row.givenLabel, row.action, row.finalLabel, exportedAt, labelsFile.sha256]),
      [labelsFile.name, '', 'export', '', exportedAt, labelsFile.sha256],
    ]),
    logStyle(dataset),
  );
}

/**
 * The review log (who changed what, when) as CSV, oldest change first (see `reviewLogRecords`),
 * formula-like cells neutralised as in the decisions log.
 */
export function renderReviewLogCsv(dataset: Dataset, entries: readonly ReviewLogEntry[]): string {
  const givenLabels = new Map(dataset.samples.map((sample) => [sample.path, sample.label]));
  return toCsv(spreadsheetSafeRecords(reviewLogRecords(entries, givenLabels)), logStyle(dataset));
}

/** The logs are comma-separated, with the input CSV's line ending and BOM so all files open alike. */
function logStyle(dataset: Dataset): CsvStyle {
  const source = dataset.source;
  return source.format === 'csv' ? { ...source, delimiter: ',' } : PLAIN_CSV;
}
