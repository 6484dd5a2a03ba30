import { basename, resolve } from 'node:path';
import * as vscode from 'vscode';
import { AUDIT_DIR } from '../../core/report';
import { DEFAULT_MAX_SUSPECTS_SHOWN } from './reviewContent';
import { makeNonce, reviewHtml } from './reviewHtml';
import { ReviewSession, readReviewReport } from './reviewSession';
import { ThumbnailCache } from './thumbnailCache';

/**
 * The review webview of one dataset: the VS Code plumbing (panel, HTML and CSP, serializer,
 * `vscode.open`, settings and file watching) around a {@link ReviewSession}, which handles the
 * messages and records the reviewer's decisions. One panel per dataset; opening it again reveals and refreshes it. It is
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
  private disposed = false;
  private readonly session: ReviewSession;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    /** Absolute dataset root. */
    readonly datasetRoot: string,
    log: (line: string) => void,
  ) {
    ReviewPanel.panels.set(datasetRoot, this);
    const uriOf = (file: string) => panel.webview.asWebviewUri(vscode.Uri.file(file)).toString();
    this.session = new ReviewSession({
      datasetRoot,
      // A message to a disposed webview throws; the panel may close while a write is still running.
      post: (message) => {
        if (!this.disposed) void panel.webview.postMessage(message);
      },
      openImage: async (file) => {
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), {
          viewColumn: vscode.ViewColumn.Beside,
          preview: true,
        });
      },
      log,
      uriOf,
      thumbnails: new ThumbnailCache(datasetRoot),
      loadReport: () => {
        const max = vscode.workspace
          .getConfiguration('labelAudit')
          .get<number>('maxSuspectsShown', DEFAULT_MAX_SUSPECTS_SHOWN);
        return readReviewReport(datasetRoot, max, uriOf, log);
      },
    });
    this.disposables.push({ dispose: () => this.session.dispose() });
    panel.webview.html = this.html();
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'review.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.session.handle(message)),
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
      decisionsWatcher.onDidCreate(() => void this.session.pickUpDecisions()),
      decisionsWatcher.onDidChange(() => void this.session.pickUpDecisions()),
      decisionsWatcher.onDidDelete(() => void this.session.pickUpDecisions()),
    );
  }

  /**
   * Opens the review of a dataset, or reveals and refreshes the one already open.
   * @param datasetRoot - The dataset's root folder (its report is `<root>/.label-audit/report.json`).
   * @param samplePath - A sample whose card the panel selects (its report path), if any.
   */
  static async createOrShow(
    context: vscode.ExtensionContext,
    datasetRoot: string,
    log: (line: string) => void,
    samplePath?: string,
  ): Promise<ReviewPanel> {
    const root = resolve(datasetRoot);
    const existing = ReviewPanel.panels.get(root);
    if (existing) {
      existing.panel.reveal();
      await existing.reload();
      if (samplePath !== undefined) existing.session.reveal(samplePath);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      ReviewPanel.viewType,
      `Review: ${basename(root)}`,
      vscode.ViewColumn.Active,
      webviewOptions(context, root),
    );
    const review = new ReviewPanel(panel, context, root, log);
    // Before the content: the session sends it once the page has what it shows.
    if (samplePath !== undefined) review.session.reveal(samplePath);
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
    this.panel.title = `Review: ${basename(this.datasetRoot)}`;
    await this.session.reload();
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
