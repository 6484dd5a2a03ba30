import { dirname, sep } from 'node:path';
import * as vscode from 'vscode';
import { sampleFileAsText } from '../../core/data/containment';
import type { FindingsService } from './findingsService';

/**
 * Explorer badges for folder-per-class datasets: each class folder holding undecided suspects shows
 * their count (up to 99; VS Code badges hold two characters), and each suspect image a warning badge.
 */
export class ClassFolderBadges implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;
  /** Decorated files and folders (absolute paths) → their suspect count. */
  private counts = new Map<string, number>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly findings: FindingsService) {
    this.subscription = findings.onDidChange(() => this.update());
    this.update();
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== 'file') return undefined;
    const count = this.counts.get(uri.fsPath);
    if (count === undefined) return undefined;
    const color = new vscode.ThemeColor('list.warningForeground');
    if (count === 0) return new vscode.FileDecoration('!', 'Label Audit: likely mislabeled', color);
    return new vscode.FileDecoration(
      count > 99 ? '99' : String(count),
      `Label Audit: ${count} likely mislabeled ${count === 1 ? 'image' : 'images'}`,
      color,
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private update(): void {
    const before = this.counts;
    const next = new Map<string, number>();
    for (const dataset of this.findings.all()) {
      if (dataset.manifest !== undefined) continue;
      for (const finding of dataset.findings) {
        if (finding.kind !== 'suspect') continue;
        const file = sampleFileAsText(dataset.root, finding.path);
        if (file === undefined) continue;
        // 0 marks the image itself; folders count the suspects below them, up to the dataset root.
        next.set(file, 0);
        for (let folder = dirname(file); folder.startsWith(dataset.root + sep); folder = dirname(folder)) {
          next.set(folder, (next.get(folder) ?? 0) + 1);
        }
      }
    }
    this.counts = next;
    const touched = new Set([...before.keys(), ...next.keys()].filter((p) => before.get(p) !== next.get(p)));
    if (touched.size > 0) this.changed.fire([...touched].map((p) => vscode.Uri.file(p)));
  }
}
