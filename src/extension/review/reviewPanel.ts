import { basename, resolve } from 'node:path';
import * as vscode from 'vscode';
import { classActionsProblem, strandedRelabels } from '../../core/shared/classActions';
import { sampleFileInside, sampleFilesInside } from '../../core/data/containment';
import { AuditError } from '../../core/errors';
import { AUDIT_DIR, readReport, reportPath } from '../../core/report';
import { appendReviewLog, currentReviewer, defaultReviewLogPath, reviewLogEntries } from '../../core/review/reviewLog';
import {
  parseWebviewMessage,
  type ClassAction,
  type DecisionChange,
  type HostToWebview,
  type ReviewContent,
  type WebviewToHost,
} from '../../protocol/webview';
import type { DecisionStore } from './decisionStore';
import { DEFAULT_MAX_SUSPECTS_SHOWN, buildReviewContent, changeProblem } from './reviewContent';
import { makeNonce, reviewHtml } from './reviewHtml';
import { sharedDecisionStore } from './sharedDecisionStores';
import { ThumbnailCache } from './thumbnailCache';
import { ThumbnailRequests } from './thumbnailRequests';

/** What the panel knows about the report it shows, to check the webview's requests. */
interface LoadedReport {
  readonly content: ReviewContent;
  readonly samplePaths: ReadonlySet<string>;
  readonly classes: readonly string[];
}

/**
 * The review webview of one dataset: shows the audit's suspects and records the reviewer's decisions
 * in a {@link DecisionStore}. One panel per dataset; opening it again reveals and refreshes it. It is
 * restored after a window reload by the serializer that {@link ReviewPanel.register} installs, from
 * the dataset root the webview keeps in its state.
 *
 * The webview is not kept alive while hidden (no `retainContextWhenHidden`): it reloads when shown
 * again, says `webview/ready`, and gets the content anew; its view state comes back from `getState`.
 */
export class ReviewPanel {
  /** The webview panel type, also the serializer's key (activation event `onWebviewPanel:labelAudit.review`). */
  static readonly viewType = 'labelAudit.review';
  private static readonly panels = new Map<string, ReviewPanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private report: LoadedReport | undefined;
  /** Real files of the report's samples inside the dataset (see {@link sampleFile}). */
  private files: ReadonlyMap<string, string> = new Map();
  private store: DecisionStore | undefined;
  private ready = false;
  private disposed = false;
  /** Who the review log names for this editor's changes (read once: it does not change while running). */
  private readonly reviewer = currentReviewer();
  /** Appends to the review log, one batch after the other so lines keep the order of the changes. */
  private logging: Promise<void> = Promise.resolve();
  private readonly thumbnails: ThumbnailRequests;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    /** Absolute dataset root. */
    readonly datasetRoot: string,
    private readonly log: (line: string) => void,
  ) {
    ReviewPanel.panels.set(datasetRoot, this);
    this.thumbnails = new ThumbnailRequests(
      new ThumbnailCache(datasetRoot),
      (file) => panel.webview.asWebviewUri(vscode.Uri.file(file)).toString(),
      (path) => this.sampleFile(path),
      (thumbnails) => this.post({ type: 'thumbnails/didCreate', thumbnails }),
      log,
    );
    this.disposables.push({ dispose: () => this.thumbnails.dispose() });
    panel.webview.html = this.html();
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'review.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('labelAudit.maxSuspectsShown')) void this.reload();
      }),
    );
    // A new audit of this dataset (from the editor or the CLI) rewrites the report: show it.
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(datasetRoot), `${AUDIT_DIR}/report.json`),
    );
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => void this.reload()),
      watcher.onDidChange(() => void this.reload()),
    );
    // Another window (or a script) saving decisions of this dataset: show them here too.
    const decisionsWatcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(datasetRoot), `${AUDIT_DIR}/decisions.json`),
    );
    this.disposables.push(
      decisionsWatcher,
      decisionsWatcher.onDidCreate(() => void this.pickUpDecisions()),
      decisionsWatcher.onDidChange(() => void this.pickUpDecisions()),
      decisionsWatcher.onDidDelete(() => void this.pickUpDecisions()),
    );
  }

  /**
   * Reads the decisions file again after a change on disk and, when it holds something this panel
   * does not show yet (another window's decisions), sends it to the webview. The webview takes it
   * once its own changes are acknowledged. Our own writes change nothing here and send nothing.
   */
  private async pickUpDecisions(): Promise<void> {
    const store = this.store;
    if (!store) return;
    try {
      if (!(await store.reload()) || !this.ready) return;
    } catch (error) {
      this.log(
        `Could not read the decisions changed elsewhere: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    this.post({ type: 'decisions/didChange', decisions: store.decisions, classActions: store.classActions });
  }

  /**
   * Opens the review of a dataset, or reveals and refreshes the one already open.
   * @param datasetRoot - The dataset's root folder (its report is `<root>/.label-audit/report.json`).
   */
  static async createOrShow(
    context: vscode.ExtensionContext,
    datasetRoot: string,
    log: (line: string) => void,
  ): Promise<ReviewPanel> {
    const root = resolve(datasetRoot);
    const existing = ReviewPanel.panels.get(root);
    if (existing) {
      existing.panel.reveal();
      await existing.reload();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      ReviewPanel.viewType,
      `Review: ${basename(root)}`,
      vscode.ViewColumn.Active,
      webviewOptions(context, root),
    );
    const review = new ReviewPanel(panel, context, root, log);
    await review.reload();
    return review;
  }

  /** Registers the serializer that restores review panels after a window reload. */
  static register(context: vscode.ExtensionContext, log: (line: string) => void): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ReviewPanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const root = datasetRootOf(state);
        if (root === undefined || ReviewPanel.panels.has(root)) {
          // Nothing to restore it from (or a duplicate): a blank panel would only confuse.
          log(`Review panel not restored: ${root === undefined ? 'it saved no dataset' : `${root} is already open`}.`);
          panel.dispose();
          return;
        }
        // Reset the webview options so we use the current `localResourceRoots` (extension path and dataset).
        panel.webview.options = webviewOptions(context, root);
        log(`Restoring the review of ${root}.`);
        await new ReviewPanel(panel, context, root, log).reload();
      },
    });
  }

  /** Reads the report and decisions again and sends them to the webview (if it is listening). */
  async reload(): Promise<void> {
    this.report = await this.loadReport();
    this.panel.title = `Review: ${basename(this.datasetRoot)}`;
    if (this.ready) this.sendContent();
  }

  private async loadReport(): Promise<LoadedReport> {
    const none = (content: ReviewContent): LoadedReport => ({ content, samplePaths: new Set(), classes: [] });
    try {
      const report = await readReport(reportPath(this.datasetRoot));
      this.store ??= await this.openStore();
      const max = vscode.workspace
        .getConfiguration('labelAudit')
        .get<number>('maxSuspectsShown', DEFAULT_MAX_SUSPECTS_SHOWN);
      const webview = this.panel.webview;
      // A path leading outside the dataset (an edited report, or a link to a file elsewhere) gets no
      // image rather than a URI to that file: each path is resolved through its links once here.
      const files = await sampleFilesInside(
        this.datasetRoot,
        report.samples.map((s) => s.path),
      );
      this.files = files;
      const imageUri = (path: string) => {
        const file = files.get(path);
        return file === undefined ? '' : webview.asWebviewUri(vscode.Uri.file(file)).toString();
      };
      const content = buildReviewContent(report, max, imageUri);
      this.log(`Review of ${this.datasetRoot}: ${report.summary.flagged} flagged of ${report.samples.length} audited.`);
      return { content, samplePaths: new Set(report.samples.map((s) => s.path)), classes: report.dataset.classes };
    } catch (error) {
      if (AuditError.is(error, 'reportMissing')) {
        return none({
          status: 'noReport',
          message: `There is no audit report for ${this.datasetRoot} yet. Run “Label Audit: Run Audit” on this dataset; the review opens when it finishes.`,
        });
      }
      const message = error instanceof Error ? error.message : String(error);
      this.log(`Review of ${this.datasetRoot} failed: ${message}`);
      return none({ status: 'error', message });
    }
  }

  private async openStore(): Promise<DecisionStore> {
    // Shared with the editor's quick fixes: a decision made there shows here at once. The webview
    // ignores such an unacknowledged update while one of its own changes is still on the way.
    const store = await sharedDecisionStore(this.datasetRoot);
    this.disposables.push(
      store.onDidChange(() =>
        this.post({ type: 'decisions/didChange', decisions: store.decisions, classActions: store.classActions }),
      ),
    );
    return store;
  }

  private async onMessage(value: unknown): Promise<void> {
    const parsed = parseWebviewMessage(value);
    if (!parsed.ok) {
      this.log(`Review webview sent a malformed message, ignored: ${parsed.problem}`);
      return;
    }
    const message: WebviewToHost = parsed.message;
    switch (message.type) {
      case 'webview/ready':
        this.ready = true;
        if (this.report) this.sendContent();
        return;
      case 'review/decide':
        return this.decide(message.seq, [{ path: message.path, decision: message.decision }], message.undo ?? false);
      case 'review/decideMany':
        return this.decide(message.seq, message.changes, message.undo ?? false);
      case 'review/setClassActions':
        return this.setClassActions(message.seq, message.classActions);
      case 'review/openImage': {
        const file = this.report?.samplePaths.has(message.path)
          ? await sampleFileInside(this.datasetRoot, message.path)
          : undefined;
        if (file === undefined) {
          this.log(
            `Review webview asked to open "${message.path}", which is not a sample of the report inside the dataset folder; ignored.`,
          );
          return;
        }
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), {
          viewColumn: vscode.ViewColumn.Beside,
          preview: true,
        });
        return;
      }
      case 'thumbnails/request': {
        // Only the report's own images: the webview is less trusted than the host.
        const samples = this.report?.samplePaths;
        this.thumbnails.request(message.paths.filter((path) => samples?.has(path)));
        return;
      }
    }
  }

  /**
   * The real file of a sample path (relative to the root, '/' separators) as resolved when the report
   * was loaded; undefined when it is missing or leads outside the root.
   */
  private sampleFile(path: string): string | undefined {
    return this.files.get(path);
  }

  private async decide(seq: number, changes: readonly DecisionChange[], undo: boolean): Promise<void> {
    const report = this.report;
    const store = this.store;
    const problems =
      report && store
        ? changes.map((c) => changeProblem(c, report, store.classActions)).filter((p) => p !== undefined)
        : ['there is no report to review'];
    await this.save(seq, problems[0], async (s) => {
      const entries = reviewLogEntries(s.decisions, changes, { user: this.reviewer, time: new Date(), undo });
      await s.decideMany(changes.map((c) => ({ path: c.path, decision: c.decision ?? undefined })));
      this.appendLog(entries);
    });
  }

  private async setClassActions(seq: number, actions: readonly ClassAction[]): Promise<void> {
    const report = this.report;
    const store = this.store;
    const problem =
      report && store
        ? (classActionsProblem(actions, report.classes) ??
          strandedProblem(strandedRelabels(store.decisions, report.classes, actions)))
        : 'there is no report to review';
    await this.save(seq, problem, (s) => s.setClassActions(actions));
  }

  /**
   * Runs one change of the store unless `problem` refuses it, reports a failure to the user, and
   * answers with the decisions as they now are (acknowledging `seq` either way, so the webview
   * drops its optimistic state when the change was refused).
   */
  private async save(
    seq: number,
    problem: string | undefined,
    change: (store: DecisionStore) => Promise<void>,
  ): Promise<void> {
    const store = this.store;
    if (problem !== undefined || !store) {
      const why = problem ?? 'there is no report to review';
      this.log(`Review change refused: ${why}.`);
      this.post({ type: 'review/didFail', message: `Change not saved: ${why}.` });
    } else {
      try {
        await change(store);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.log(`Could not save review decisions to ${store.file}: ${message}`);
        this.post({ type: 'review/didFail', message: `Could not save decisions to ${store.file}: ${message}` });
      }
    }
    this.post({
      type: 'decisions/didChange',
      decisions: store?.decisions ?? {},
      classActions: store?.classActions ?? [],
      ack: seq,
    });
  }

  /** Records who changed what in the review log; a failure is reported, the decision itself stands. */
  private appendLog(entries: Parameters<typeof appendReviewLog>[1]): void {
    const file = defaultReviewLogPath(this.datasetRoot);
    this.logging = this.logging
      .then(() => appendReviewLog(file, entries))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.log(`Could not append to the review log ${file}: ${message}`);
        this.post({
          type: 'review/didFail',
          message: `Decision saved, but the review log ${file} could not be written: ${message}`,
        });
      });
  }

  private sendContent(): void {
    if (!this.report) return;
    this.post({
      type: 'suspects/didChange',
      datasetRoot: this.datasetRoot,
      datasetName: basename(this.datasetRoot),
      content: this.report.content,
      decisions: this.store?.decisions ?? {},
      classActions: this.store?.classActions ?? [],
    });
  }

  private post(message: HostToWebview): void {
    // A message to a disposed webview throws; the panel may close while a write is still running.
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private html(): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    return reviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      title: `Review: ${basename(this.datasetRoot)}`,
    });
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    ReviewPanel.panels.delete(this.datasetRoot);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function webviewOptions(
  context: vscode.ExtensionContext,
  datasetRoot: string,
): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Only the built bundles, our static media and the dataset's images may be loaded.
    localResourceRoots: [
      vscode.Uri.joinPath(context.extensionUri, 'dist'),
      vscode.Uri.joinPath(context.extensionUri, 'media'),
      vscode.Uri.file(datasetRoot),
    ],
  };
}

/** The dataset root the webview saved in its state, if it is a usable one. */
function datasetRootOf(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const root = (state as { datasetRoot?: unknown }).datasetRoot;
  return typeof root === 'string' && root.length > 0 ? resolve(root) : undefined;
}

/** Why a change of the class actions would strand relabels, or undefined when it strands none. */
function strandedProblem(labels: readonly string[]): string | undefined {
  if (labels.length === 0) return undefined;
  const names = labels.map((label) => `"${label}"`).join(', ');
  return `relabels to ${names} would name no class any more; undo or change those relabels first`;
}
