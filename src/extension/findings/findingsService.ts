import { dirname, join, resolve, sep } from 'node:path';
import * as vscode from 'vscode';
import { AuditError } from '../../core/errors';
import { AUDIT_DIR, type AuditReport } from '../../core/report';
import { readReport, reportPath } from '../../core/reportFile';
import type { DecisionStore } from '../review/decisionStore';
import { sharedDecisionStore } from '../review/sharedDecisionStores';
import { DEFAULT_MAX_FINDINGS, findingsOf, type Finding } from './findings';

/** What the editor knows about one audited dataset. */
export interface AuditedDataset {
  readonly root: string;
  readonly report: AuditReport;
  /** Absolute path of the CSV/JSON label file; undefined for folder-per-class datasets. */
  readonly manifest: string | undefined;
  readonly store: DecisionStore;
  /** The findings not yet decided, most suspect first, at most `labelAudit.diagnostics.maxShown`. */
  readonly findings: readonly Finding[];
  /** The same findings by sample path. */
  readonly byPath: ReadonlyMap<string, Finding>;
  /** Every audited sample of the report by path (hovers show unflagged samples too). */
  readonly samples: ReadonlyMap<string, AuditReport['samples'][number]>;
}

/**
 * Keeps the findings of every audited dataset in the workspace up to date: it finds the reports
 * (`<dataset>/.label-audit/report.json`), reads them with their decisions, and recomputes when a
 * report is written again, when a decision changes (in the panel, a quick fix, or another window
 * through the decisions file) or when the settings change. Diagnostics, hovers, quick fixes, the
 * status bar and the Explorer badges all read from here.
 */
export class FindingsService implements vscode.Disposable {
  private readonly datasets = new Map<string, AuditedDataset>();
  private readonly storeListeners = new Map<string, vscode.Disposable>();
  private readonly changed = new vscode.EventEmitter<string>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  /** Fired with a dataset root after its findings changed (or it went away). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: (line: string) => void) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${AUDIT_DIR}/{report,decisions}.json`);
    const reloadFor = (uri: vscode.Uri) => void this.load(dirname(dirname(uri.fsPath)));
    this.disposables.push(
      watcher,
      watcher.onDidCreate(reloadFor),
      watcher.onDidChange(reloadFor),
      watcher.onDidDelete((uri) => {
        if (uri.fsPath.endsWith(`${sep}report.json`)) this.forget(dirname(dirname(uri.fsPath)));
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('labelAudit.diagnostics'))
          for (const root of this.datasets.keys()) this.recompute(root);
      }),
    );
  }

  /** Looks for the reports already in the workspace (called once, after activation). */
  async start(): Promise<void> {
    const reports = await vscode.workspace.findFiles(`**/${AUDIT_DIR}/report.json`, '**/node_modules/**', 200);
    await Promise.all(reports.map((uri) => this.load(dirname(dirname(uri.fsPath)))));
  }

  /** Every audited dataset known. */
  all(): readonly AuditedDataset[] {
    return [...this.datasets.values()];
  }

  /** The dataset whose label file `file` is. */
  byManifest(file: string): AuditedDataset | undefined {
    const absolute = resolve(file);
    return this.all().find((d) => d.manifest === absolute);
  }

  /** The dataset that holds `file` (the deepest root when datasets nest). */
  containing(file: string): AuditedDataset | undefined {
    const absolute = resolve(file);
    let best: AuditedDataset | undefined;
    for (const dataset of this.datasets.values()) {
      const inside = absolute === dataset.root || absolute.startsWith(dataset.root + sep);
      if (inside && (!best || dataset.root.length > best.root.length)) best = dataset;
    }
    return best;
  }

  /** Reads (again) the report and decisions of a dataset. A missing or unreadable report drops it. */
  async load(datasetRoot: string): Promise<void> {
    const root = resolve(datasetRoot);
    let report: AuditReport;
    try {
      report = await readReport(reportPath(root));
    } catch (error) {
      if (!AuditError.is(error, 'reportMissing')) {
        this.log(`Findings for ${root} not shown: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.forget(root);
      return;
    }
    let store: DecisionStore;
    try {
      store = await sharedDecisionStore(root);
    } catch (error) {
      this.log(`Findings for ${root} not shown: ${error instanceof Error ? error.message : String(error)}`);
      this.forget(root);
      return;
    }
    if (!this.storeListeners.has(root))
      this.storeListeners.set(
        root,
        store.onDidChange(() => this.recompute(root)),
      );
    const manifest = report.dataset.manifest === undefined ? undefined : join(root, report.dataset.manifest);
    const samples = new Map(report.samples.map((s) => [s.path, s]));
    this.datasets.set(root, { ...this.compute(report, store), root, report, manifest, store, samples });
    this.changed.fire(root);
  }

  dispose(): void {
    for (const listener of this.storeListeners.values()) listener.dispose();
    this.storeListeners.clear();
    this.datasets.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private recompute(root: string): void {
    const dataset = this.datasets.get(root);
    if (!dataset) return;
    this.datasets.set(root, { ...dataset, ...this.compute(dataset.report, dataset.store) });
    this.changed.fire(root);
  }

  private compute(report: AuditReport, store: DecisionStore): Pick<AuditedDataset, 'findings' | 'byPath'> {
    const max = vscode.workspace
      .getConfiguration('labelAudit')
      .get<number>('diagnostics.maxShown', DEFAULT_MAX_FINDINGS);
    const findings = findingsOf(report, store.decisions, store.classActions, max);
    return { findings, byPath: new Map(findings.map((f) => [f.path, f])) };
  }

  private forget(root: string): void {
    this.storeListeners.get(root)?.dispose();
    this.storeListeners.delete(root);
    if (this.datasets.delete(root)) this.changed.fire(root);
  }
}
