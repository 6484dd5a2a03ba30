// The Export Cleaned Labels flow, with the questions to the user passed in. Free of `vscode`
// imports, so it is unit-tested on real files; exportCommand.ts supplies the dialogs.
import { join } from 'node:path';
import { loadDataset } from '../../core/data/dataset';
import { defaultDecisionsPath, readDecisionsDocument } from '../../core/review/decisions';
import { AuditError } from '../../core/errors';
import { exportCleanedLabels, type ExportResult } from '../../core/export/exportLabels';
import { withCopyDecisions } from '../../core/review/copySets';
import { readReport, reportPath } from '../../core/reportFile';
import { defaultReviewLogPath, readReviewLog } from '../../core/review/reviewLog';

/** The questions the export may need to ask; each resolves to `undefined`/`false` when the user backs out. */
export interface ExportPrompts {
  /** No decision has been made yet: export the labels unchanged anyway? */
  confirmNoDecisions(): Promise<boolean>;
  /** A folder-per-class dataset has no label file of its own: write the cleaned labels as CSV or JSON? */
  pickFolderFormat(): Promise<'csv' | 'json' | undefined>;
  /** A previous export is at `path`: replace it? */
  confirmOverwrite(path: string): Promise<boolean>;
}

/** What the export wrote, and what it had to skip on the way. */
export interface ExportFlowResult extends ExportResult {
  /** Damaged review-log lines left out of the review-log table, each naming the file and line. */
  readonly warnings: readonly string[];
}

/**
 * Exports the review decisions of an audited dataset next to its label file (see `exportCleanedLabels`).
 * The dataset is read the way it was audited (the report names its manifest), the decisions from
 * `<root>/.label-audit/decisions.json` (none yet = no change). The review log
 * (`<root>/.label-audit/review-log.jsonl`) is written beside the labels as `<labels>.review-log.csv`.
 *
 * @param datasetRoot - Root folder of an audited dataset (the one holding `.label-audit/report.json`).
 * @param prompts - Asks the user; see {@link ExportPrompts}.
 * A damaged review-log line (a crash mid-append, a hand edit) is left out with a warning rather than
 * failing the export: the log is a history, the cleaned labels come from the decisions.
 *
 * @returns What was written and the warnings, or `undefined` when the user backed out (nothing is written then).
 * @throws AuditError 'reportMissing' when the dataset was never audited, and any error of
 *   `loadDataset`, `readDecisionsDocument` or `exportCleanedLabels` (each names the file at fault).
 */
export async function exportDataset(
  datasetRoot: string,
  prompts: ExportPrompts,
): Promise<ExportFlowResult | undefined> {
  const report = await readReport(reportPath(datasetRoot)).catch((error: unknown) => {
    if (AuditError.is(error, 'reportMissing')) {
      throw new AuditError(
        'reportMissing',
        `${datasetRoot} has not been audited yet: run "Label Audit: Run Audit" on it first.`,
        datasetRoot,
      );
    }
    throw error;
  });
  // A manifest with a name of its own (train.csv) is found only through the report.
  const dataset = await loadDataset(report.dataset.manifest ? join(datasetRoot, report.dataset.manifest) : datasetRoot);
  const decisionsFile = defaultDecisionsPath(datasetRoot);
  const document = await readDecisionsDocument(decisionsFile, { missing: 'empty' });
  const { classActions } = document;
  // A decision on a copy set (one conflict member for all its byte-identical files) covers the set.
  const decisions = withCopyDecisions(document.decisions, report.samples);
  const warnings: string[] = [];
  const reviewLog = await readReviewLog(defaultReviewLogPath(datasetRoot), (problem) =>
    warnings.push(`${problem} The line was left out of the review-log table.`),
  );
  if (Object.keys(decisions).length === 0 && classActions.length === 0 && !(await prompts.confirmNoDecisions()))
    return undefined;
  let folderFormat: 'csv' | 'json' | undefined;
  if (dataset.format === 'folder') {
    folderFormat = await prompts.pickFolderFormat();
    if (!folderFormat) return undefined;
  }
  try {
    return {
      ...(await exportCleanedLabels(dataset, decisions, {
        folderFormat,
        reviewLog,
        classActions,
        decisionsFile,
        // Shown only if the files appear between the two attempts: the editor asks before replacing.
        replaceHint: 'confirm the replacement when asked',
      })),
      warnings,
    };
  } catch (error) {
    if (!AuditError.is(error, 'exportExists')) throw error;
    if (!(await prompts.confirmOverwrite(error.file ?? datasetRoot))) return undefined;
    return {
      ...(await exportCleanedLabels(dataset, decisions, {
        folderFormat,
        reviewLog,
        classActions,
        decisionsFile,
        overwrite: true,
      })),
      warnings,
    };
  }
}
