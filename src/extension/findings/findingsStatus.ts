import * as vscode from 'vscode';
import { COMMANDS } from '../commandIds';
import type { FindingsService } from './findingsService';

/**
 * The status bar's count of undecided suspects: of the dataset holding the active editor's file, or
 * of every audited dataset when the editor shows none of them. A click opens the review panel.
 */
export class FindingsStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('labelAudit.findings', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(private readonly findings: FindingsService) {
    this.item.name = 'Label Audit suspects';
    this.disposables.push(
      findings.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private update(): void {
    const file = vscode.window.activeTextEditor?.document.uri;
    const active = file?.scheme === 'file' ? this.findings.containing(file.fsPath) : undefined;
    const datasets = active ? [active] : this.findings.all();
    const count = datasets.reduce((sum, d) => sum + d.findings.filter((f) => f.kind === 'suspect').length, 0);
    if (count === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(warning) ${count} label ${count === 1 ? 'suspect' : 'suspects'}`;
    this.item.tooltip = `Label Audit: ${count} undecided ${count === 1 ? 'suspect' : 'suspects'}${active ? ` in ${active.root}` : ''}. Click to review.`;
    this.item.command = {
      command: COMMANDS.reviewSuspects,
      title: 'Review Suspects',
      arguments: active ? [vscode.Uri.file(active.root)] : [],
    };
    this.item.show();
  }
}
