import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import * as vscode from 'vscode';
import { sampleFileAsText } from '../../core/data/containment';
import { samplePathCandidates } from '../../core/data/dataset';
import type { Finding } from './findings';
import type { AuditedDataset, FindingsService } from './findingsService';
import { lineAndCharacter, lineStarts, locateManifestRows, type ManifestRow } from './manifestCells';

/** The diagnostics' `source`, also how the quick fixes recognise ours. */
export const DIAGNOSTIC_SOURCE = 'Label Audit';

const SEVERITY: Readonly<Record<Finding['severity'], vscode.DiagnosticSeverity>> = {
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** A manifest's rows with their sample paths, for one version of its text. */
export interface LocatedRows {
  readonly rows: readonly ManifestRow[];
  /** Sample path (as in the report) of each row, row-aligned; undefined when it leads outside the root. */
  readonly paths: readonly (string | undefined)[];
}

/**
 * Puts the findings where the labels live: on the label cell of each suspect's row in a CSV/JSON
 * label file (by path, so rows moved or edited keep their diagnostic), or on the image file itself for
 * folder-per-class datasets. Updated when the findings change and, for an open label file, as the
 * user types (debounced).
 */
export class ManifestDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('labelAudit');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  /** Image files that carry diagnostics, per folder-per-class dataset, to clear them on change. */
  private readonly imageUris = new Map<string, vscode.Uri[]>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly rowsCache = new Map<string, { version: number; located: LocatedRows }>();

  constructor(private readonly findings: FindingsService) {
    this.disposables.push(
      findings.onDidChange((root) => void this.publish(root)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        const dataset = this.findings.byManifest(event.document.uri.fsPath);
        if (dataset) this.schedule(dataset.root);
      }),
    );
  }

  /** The rows of an open label file, cached per document version (hovers and quick fixes ask often). */
  rowsOf(document: vscode.TextDocument, dataset: AuditedDataset): LocatedRows {
    const key = document.uri.toString();
    const cached = this.rowsCache.get(key);
    if (cached?.version === document.version) return cached.located;
    const located = locate(document.getText(), dataset);
    this.rowsCache.set(key, { version: document.version, located });
    return located;
  }

  /** Publishes the diagnostics of one dataset (none when diagnostics are turned off or it is gone). */
  async publish(root: string): Promise<void> {
    const dataset = this.findings.all().find((d) => d.root === root);
    const enabled = vscode.workspace.getConfiguration('labelAudit').get<boolean>('diagnostics.enabled', true);
    for (const uri of this.imageUris.get(root) ?? []) this.collection.delete(uri);
    this.imageUris.delete(root);
    if (!dataset) return;
    if (dataset.manifest === undefined) {
      if (enabled) this.publishOnImages(dataset);
      return;
    }
    const uri = vscode.Uri.file(dataset.manifest);
    if (!enabled) {
      this.collection.delete(uri);
      return;
    }
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    try {
      text = open ? open.getText() : await readFile(dataset.manifest, 'utf8');
    } catch {
      this.collection.delete(uri);
      return;
    }
    const located = open ? this.rowsOf(open, dataset) : locate(text, dataset);
    const lines = lineStarts(text);
    const diagnostics: vscode.Diagnostic[] = [];
    located.rows.forEach((row, i) => {
      const path = located.paths[i];
      const finding = path === undefined ? undefined : dataset.byPath.get(path);
      if (!finding) return;
      const range = new vscode.Range(position(lines, row.label.start), position(lines, row.label.end));
      diagnostics.push(diagnostic(finding, range));
    });
    this.collection.set(uri, diagnostics);
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private publishOnImages(dataset: AuditedDataset): void {
    const uris: vscode.Uri[] = [];
    for (const finding of dataset.findings) {
      const file = sampleFileAsText(dataset.root, finding.path);
      if (file === undefined) continue;
      const uri = vscode.Uri.file(file);
      this.collection.set(uri, [diagnostic(finding, new vscode.Range(0, 0, 0, 0))]);
      uris.push(uri);
    }
    this.imageUris.set(dataset.root, uris);
  }

  private schedule(root: string): void {
    clearTimeout(this.pending.get(root));
    // Typing fires a change per key: re-locate the rows once the user pauses.
    this.pending.set(
      root,
      setTimeout(() => {
        this.pending.delete(root);
        void this.publish(root);
      }, 250),
    );
  }
}

function locate(text: string, dataset: AuditedDataset): LocatedRows {
  const format = extname(dataset.manifest ?? '').toLowerCase() === '.json' ? 'json' : 'csv';
  const rows = locateManifestRows(text, format);
  // The report knows which spelling of a path cell the audit read (a '\\' may be a name or a separator).
  const samplePath = (written: string) => {
    const candidates = samplePathCandidates(dataset.root, written);
    return candidates.find((p) => p !== undefined && dataset.samples.has(p)) ?? candidates.at(-1);
  };
  return { rows, paths: rows.map((row) => samplePath(row.writtenPath)) };
}

function diagnostic(finding: Finding, range: vscode.Range): vscode.Diagnostic {
  const result = new vscode.Diagnostic(range, finding.message, SEVERITY[finding.severity]);
  result.source = DIAGNOSTIC_SOURCE;
  result.code = finding.kind;
  return result;
}

/** A VS Code position for a string offset of a text with these line starts. */
function position(starts: readonly number[], offset: number): vscode.Position {
  const { line, character } = lineAndCharacter(starts, offset);
  return new vscode.Position(line, character);
}
