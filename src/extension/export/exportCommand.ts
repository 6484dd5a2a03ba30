// "Label Audit: Export Cleaned Labels": the dialogs around exportFlow.ts.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { exportDataset, type ExportPrompts } from './exportFlow';
import type { AuditLog } from '../log';

/** Dialogs of the export, as modal questions and a quick pick. */
const prompts: ExportPrompts = {
  async confirmNoDecisions() {
    const exportAnyway = 'Export Unchanged';
    const choice = await vscode.window.showWarningMessage(
      'No suspect has been reviewed yet, so the cleaned labels would equal the original ones. Export anyway?',
      { modal: true },
      exportAnyway,
    );
    return choice === exportAnyway;
  },
  async pickFolderFormat() {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'CSV', description: 'labels.cleaned.csv with path,label rows', format: 'csv' as const },
        { label: 'JSON', description: 'labels.cleaned.json, an array of { path, label }', format: 'json' as const },
      ],
      {
        title: 'Label Audit: Export Cleaned Labels',
        placeHolder: 'This dataset is a folder per class: write its cleaned labels as',
        // As in the Run Audit pick: the review panel beside it may take the focus.
        ignoreFocusOut: true,
      },
    );
    return picked?.format;
  },
  async confirmOverwrite(path) {
    const overwrite = 'Overwrite';
    const choice = await vscode.window.showWarningMessage(
      `${basename(path)} already exists from a previous export. Overwrite it?`,
      { modal: true, detail: `${path}\n\nThe original label file is never changed.` },
      overwrite,
    );
    return choice === overwrite;
  },
};

/** Exports the decisions of the dataset at `datasetRoot`, then offers to open the cleaned file. */
export async function exportCommand(datasetRoot: string, log: AuditLog): Promise<void> {
  try {
    const result = await exportDataset(datasetRoot, prompts);
    if (!result) return;
    for (const warning of result.warnings) log.warn(warning);
    log.line(
      `exported ${result.labelsPath} (${result.relabeled} relabeled, ${result.removed} removed, ${result.kept} kept, ` +
        `${result.unchanged} without a decision, ${result.classChanged} moved by a class merge or rename); decisions log ${result.logPath}` +
        (result.reviewLogPath ? `; review log ${result.reviewLogPath}` : ''),
    );
    const open = 'Open';
    const choice = await vscode.window.showInformationMessage(
      `Label Audit: wrote ${basename(result.labelsPath)} (${result.relabeled} relabeled, ${result.removed} removed), ${basename(result.logPath)}` +
        (result.reviewLogPath ? ` and ${basename(result.reviewLogPath)}.` : '.') +
        (result.warnings.length > 0
          ? ` ${result.warnings.length} damaged review-log ${result.warnings.length === 1 ? 'line was' : 'lines were'} skipped (see the log).`
          : ''),
      open,
    );
    if (choice === open) await vscode.window.showTextDocument(vscode.Uri.file(result.labelsPath));
  } catch (error) {
    log.showError(error, 'Label Audit export failed');
  }
}
