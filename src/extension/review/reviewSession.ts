import { basename } from 'node:path';
import { classActionsProblem, strandedRelabels } from '../../core/shared/classActions';
import { sampleFileInside, sampleFilesInside } from '../../core/data/containment';
import { AuditError } from '../../core/errors';
import { readReport, reportPath } from '../../core/reportFile';
import { appendReviewLog, currentReviewer, defaultReviewLogPath, reviewLogEntries } from '../../core/review/reviewLog';
import {
  parseWebviewMessage,
  type ClassAction,
  type DecisionChange,
  type HostToWebview,
  type ReviewContent,
} from '../../protocol/webview';
import type { DecisionStore } from './decisionStore';
import { changeProblem, renderReviewContent, reviewImagePaths, selectReviewContent } from './reviewContent';
import { lazyPathSet, type PathSet } from './pathSet';
import { sharedDecisionStore } from './sharedDecisionStores';
import type { ThumbnailCache } from './thumbnailCache';
import { ThumbnailRequests } from './thumbnailRequests';

/** What the session knows about the report it shows, to check the webview's requests. */
export interface LoadedReport {
  readonly content: ReviewContent;
  /** Every sample of the report: the only paths the webview may decide, open or ask thumbnails of. */
  readonly samplePaths: PathSet;
  readonly classes: readonly string[];
}

/** What a {@link ReviewSession} works with; the panel passes the VS Code ones, the browser tests their own. */
export interface ReviewSessionOptions {
  /** Absolute dataset root. */
  readonly datasetRoot: string;
  /** Posts a message to the webview (the panel drops it once the webview is gone). */
  readonly post: (message: HostToWebview) => void;
  /** Opens an image file (absolute, inside the dataset) for the reviewer. */
  readonly openImage: (file: string) => Promise<void> | void;
  /** A line for the "Label Audit" output channel. */
  readonly log: (line: string) => void;
  /** The URI the webview loads an absolute file from (`asWebviewUri`). */
  readonly uriOf: (file: string) => string;
  /** The dataset's thumbnail cache. */
  readonly thumbnails: ThumbnailCache;
  /** Reads the report (default: {@link readReviewReport} with the default limit). */
  readonly loadReport?: () => Promise<LoadedReport>;
  /** Opens the decisions (default: the extension's shared store of the dataset); called once, on the first load. */
  readonly openStore?: () => Promise<DecisionStore>;
}

/**
 * The host's side of one review, free of `vscode`: validates what the webview sends, checks each
 * change against the report (the webview is less trusted than the host), saves it through the
 * {@link DecisionStore}, appends the review log, acknowledges with `decisions/didChange`, refuses with
 * `review/didFail`, and answers thumbnail requests. The panel (reviewPanel.ts) keeps only the webview
 * plumbing; the browser tests drive this very class from a real page.
 */
export class ReviewSession {
  readonly datasetRoot: string;
  private report: LoadedReport | undefined;
  private store: DecisionStore | undefined;
  /** The subscription to the store's changes (the store itself is shared, and not ours to dispose). */
  private storeSubscription: { dispose(): void } | undefined;
  private ready = false;
  private disposed = false;
  /** A sample to show once the page has its content (see {@link reveal}). */
  private pendingReveal: string | undefined;
  /** Who the review log names for this editor's changes (read once: it does not change while running). */
  private readonly reviewer = currentReviewer();
  /** Appends to the review log, one batch after the other so lines keep the order of the changes. */
  private logging: Promise<void> = Promise.resolve();
  private readonly thumbnails: ThumbnailRequests;
  private readonly loadReport: () => Promise<LoadedReport>;
  private readonly openStore: () => Promise<DecisionStore>;

  constructor(private readonly options: ReviewSessionOptions) {
    this.datasetRoot = options.datasetRoot;
    this.thumbnails = new ThumbnailRequests(
      options.thumbnails,
      options.uriOf,
      // Each path resolved when asked, through its links: the report is a file anyone may edit.
      (path) => sampleFileInside(this.datasetRoot, path),
      (thumbnails) => this.post({ type: 'thumbnails/didCreate', thumbnails }),
      options.log,
    );
    this.loadReport =
      options.loadReport ?? (() => readReviewReport(this.datasetRoot, Number.NaN, options.uriOf, options.log));
    this.openStore = options.openStore ?? (() => sharedDecisionStore(this.datasetRoot));
  }

  /** Reads the report and decisions again and sends them to the webview (if it is listening). */
  async reload(): Promise<void> {
    let report = await this.loadReport();
    if (report.content.status === 'ready' && !this.store) {
      try {
        const store = await this.openStore();
        this.store = store;
        // Shared with the editor's quick fixes: a decision made there shows here at once. The webview
        // ignores such an unacknowledged update while one of its own changes is still on the way.
        this.storeSubscription = store.onDidChange(() => {
          if (this.ready)
            this.post({ type: 'decisions/didChange', decisions: store.decisions, classActions: store.classActions });
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.options.log(`Review of ${this.datasetRoot} failed: ${message}`);
        report = { content: { status: 'error', message }, samplePaths: new Set(), classes: [] };
      }
    }
    this.report = report;
    if (this.ready) this.sendContent();
  }

  /** One message from the webview: validated, then acted on. Never throws (a refusal is logged or posted). */
  async handle(value: unknown): Promise<void> {
    const parsed = parseWebviewMessage(value);
    if (!parsed.ok) {
      this.options.log(`Review webview sent a malformed message, ignored: ${parsed.problem}`);
      return;
    }
    const message = parsed.message;
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
          this.options.log(
            `Review webview asked to open "${message.path}", which is not a sample of the report inside the dataset folder; ignored.`,
          );
          return;
        }
        await this.options.openImage(file);
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

  /** Resolves when every decision write and review-log line started so far has finished. */
  async flush(): Promise<void> {
    await this.store?.flush();
    await this.logging;
  }

  /** Stops posting and answering; writes already started still finish. */
  dispose(): void {
    this.disposed = true;
    this.thumbnails.dispose();
    this.storeSubscription?.dispose();
  }

  /**
   * Reads the decisions file again after a change on disk and, when it holds something this session
   * does not show yet (another window's decisions), sends it to the webview. The webview takes it
   * once its own changes are acknowledged. Our own writes change nothing here and send nothing.
   */
  async pickUpDecisions(): Promise<void> {
    const store = this.store;
    if (!store) return;
    try {
      if (!(await store.reload()) || !this.ready) return;
    } catch (error) {
      this.options.log(
        `Could not read the decisions changed elsewhere: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    this.post({ type: 'decisions/didChange', decisions: store.decisions, classActions: store.classActions });
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
      this.options.log(`Review change refused: ${why}.`);
      this.post({ type: 'review/didFail', message: `Change not saved: ${why}.` });
    } else {
      try {
        await change(store);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.options.log(`Could not save review decisions to ${store.file}: ${message}`);
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
        this.options.log(`Could not append to the review log ${file}: ${message}`);
        this.post({
          type: 'review/didFail',
          message: `Decision saved, but the review log ${file} could not be written: ${message}`,
        });
      });
  }

  /**
   * Has the page show one sample (a finding's "Open in the review panel"): sent at once when the page
   * has its content, else right after the content it is still waiting for.
   */
  reveal(path: string): void {
    this.pendingReveal = path;
    this.sendReveal();
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
    this.sendReveal();
  }

  private sendReveal(): void {
    if (!this.ready || !this.report || this.pendingReveal === undefined) return;
    this.post({ type: 'review/reveal', path: this.pendingReveal });
    this.pendingReveal = undefined;
  }

  private post(message: HostToWebview): void {
    // The panel may close while a write is still running.
    if (!this.disposed) this.options.post(message);
  }
}

/**
 * Reads a dataset's report as the panel shows it; a missing report and an unreadable one become
 * the content's 'noReport' and 'error' states (with the reason), not exceptions.
 * @param maxShown - `labelAudit.maxSuspectsShown` (an invalid value falls back to the default).
 * @param uriOf - The URI the webview loads an absolute file from.
 */
export async function readReviewReport(
  datasetRoot: string,
  maxShown: number,
  uriOf: (file: string) => string,
  log: (line: string) => void,
): Promise<LoadedReport> {
  const none = (content: ReviewContent): LoadedReport => ({ content, samplePaths: new Set(), classes: [] });
  try {
    const report = await readReport(reportPath(datasetRoot));
    const selection = selectReviewContent(report, maxShown);
    // A path leading outside the dataset (an edited report, or a link to a file elsewhere) gets no
    // image rather than a URI to that file: each path shown is resolved through its links here. Only
    // those: at a million samples, resolving every one would be most of the time the panel takes.
    const files = await sampleFilesInside(datasetRoot, reviewImagePaths(selection));
    const imageUri = (path: string) => {
      const file = files.get(path);
      return file === undefined ? '' : uriOf(file);
    };
    const content = renderReviewContent(selection, imageUri);
    log(`Review of ${datasetRoot}: ${report.summary.flagged} flagged of ${report.samples.length} audited.`);
    return {
      content,
      samplePaths: lazyPathSet(report.samples.map((s) => s.path)),
      classes: report.dataset.classes,
    };
  } catch (error) {
    if (AuditError.is(error, 'reportMissing')) {
      return none({
        status: 'noReport',
        message: `There is no audit report for ${datasetRoot} yet. Run “Label Audit: Run Audit” on this dataset; the review opens when it finishes.`,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    log(`Review of ${datasetRoot} failed: ${message}`);
    return none({ status: 'error', message });
  }
}

/** Why a change of the class actions would strand relabels, or undefined when it strands none. */
function strandedProblem(labels: readonly string[]): string | undefined {
  if (labels.length === 0) return undefined;
  const names = labels.map((label) => `"${label}"`).join(', ');
  return `relabels to ${names} would name no class any more; undo or change those relabels first`;
}
