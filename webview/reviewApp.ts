/**
 * The review page: holds the state (content from the host, decisions, filters, selection, undo),
 * turns user input into decisions sent to the host, and redraws the toolbar, grid and preview.
 * The decisions live on the host, on disk; this page applies its own changes at once and numbers
 * them, and the host's answers (`decisions/didChange` with `ack`) confirm or correct them.
 */
import type {
  ClassAction,
  ConflictMemberView,
  Decisions,
  DecisionChange,
  HostToWebview,
  ReviewContent,
  SuspectView,
  WebviewToHost,
} from '../src/protocol/webview';
import { mapClass, newClassActionProblem } from '../src/core/shared/classActions';
import { ownValue } from '../src/core/shared/ownValue';
import { ClassPanel } from './views/classPanel';
import { ClassPicker } from './dialogs/classPicker';
import { contentAfterClassActions, decisionsAfterClassActions } from './state/classView';
import { pushRecent } from './state/classPickerState';
import { ConflictList } from './views/conflictList';
import { conflictProgress, conflictTarget } from './state/conflictState';
import { el } from './dom';
import { HelpOverlay } from './dialogs/helpOverlay';
import { commandForKey, type KeyCommand } from './state/keyboard';
import { PreviewPane } from './views/previewPane';
import { ProgressOverlay } from './dialogs/progressOverlay';
import { nextUnreviewed, reviewProgress } from './dialogs/reviewProgress';
import {
  DEFAULT_FILTERS,
  EMPTY_SELECTION,
  acceptsHostDecisions,
  actionTargets,
  applyChanges,
  classForDigit,
  digitKeys,
  clearFilters,
  clickCard,
  isFiltering,
  moveFocus,
  planAction,
  popUndo,
  pushUndo,
  reconcileSelection,
  reviewCounts,
  selectAll,
  selectOnly,
  selectionAfterUndo,
  visibleSuspects,
  type Filters,
  type ReviewAction,
  type Selection,
  type UndoEntry,
} from './state/reviewState';
import {
  DEFAULT_SPOT_CHECK_SIZE,
  spotCheckEstimate,
  spotCheckSamples,
  spotCheckSizes,
  spotCheckText,
} from './state/spotCheckState';
import { SuspectGrid, type CardAction } from './views/suspectGrid';
import { ThumbnailStore } from './state/thumbnailStore';
import { SwapHeatmap } from './views/swapHeatmap';
import { activeSwap, toggleSwap } from './state/swapState';
import { Toolbar, type ReviewView } from './views/toolbar';

/** What the page keeps in `vscode.setState` (view state only; decisions are the host's). */
export interface PersistedState {
  /** The dataset shown; the host's panel serializer reopens the panel on it after a reload. */
  readonly datasetRoot?: string;
  readonly filters: Filters;
  readonly selection: Selection;
  readonly scrollTop: number;
  readonly undo: readonly UndoEntry[];
  /** Number of the last change sent, so numbering goes on after a reload. */
  readonly seq: number;
  /** The list shown (absent in state saved before the conflicts view existed). */
  readonly view?: ReviewView;
  /** Whether the class-swap heatmap is open. */
  readonly swapsOpen?: boolean;
  readonly conflictScrollTop?: number;
  /** The reviewer's recent relabel choices, newest first (the picker lists them after the suggestion). */
  readonly recentLabels?: readonly string[];
  /** The size of the spot check picked. */
  readonly spotCheckSize?: number;
}

/** How the page talks to its host. */
export interface HostConnection {
  post(message: WebviewToHost): void;
  saveState(state: PersistedState): void;
}

/** The review page. */
export class ReviewApp {
  private datasetRoot: string | undefined;
  /** The content as the host sent it (the audit's class names)... */
  private reportContent: ReviewContent | undefined;
  /** ...and as shown: with the class actions applied. */
  private content: ReviewContent | undefined;
  private classActions: readonly ClassAction[] = [];
  private decisions: Decisions = {};
  private filters: Filters;
  private selection: Selection;
  private undo: UndoEntry[];
  private seq: number;
  private lastAcked: number;
  private scrollTop: number;
  private pendingScroll: number | undefined;
  private byPath = new Map<string, SuspectView>();
  private visible: SuspectView[] = [];
  private visiblePaths: string[] = [];
  private view: ReviewView;
  private swapsOpen: boolean;
  private conflictScrollTop: number;
  private pendingConflictScroll: number | undefined;
  private recentLabels: string[];
  private spotCheckSize: number;

  private readonly toolbar: Toolbar;
  private readonly grid: SuspectGrid;
  /** Thumbnail URIs the host sent for the grid's cards. */
  private readonly thumbnails = new ThumbnailStore();
  private readonly preview: PreviewPane;
  private readonly heatmap: SwapHeatmap;
  private readonly conflictList: ConflictList;
  private readonly classPanel: ClassPanel;
  private readonly classNotice: HTMLElement;
  private readonly help: HelpOverlay;
  private readonly picker: ClassPicker;
  private readonly progress: ProgressOverlay;
  private readonly main: HTMLElement;
  private readonly stateMessage: HTMLElement;
  private readonly banner: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly host: HostConnection,
    restored: PersistedState | undefined,
  ) {
    this.datasetRoot = restored?.datasetRoot;
    this.filters = { ...DEFAULT_FILTERS, ...restored?.filters };
    this.selection = restored?.selection ?? EMPTY_SELECTION;
    this.undo = [...(restored?.undo ?? [])];
    this.seq = restored?.seq ?? 0;
    this.lastAcked = this.seq;
    this.scrollTop = restored?.scrollTop ?? 0;
    this.pendingScroll = restored ? this.scrollTop : undefined;
    this.view = restored?.view ?? 'suspects';
    this.swapsOpen = restored?.swapsOpen ?? false;
    this.conflictScrollTop = restored?.conflictScrollTop ?? 0;
    this.pendingConflictScroll = restored ? this.conflictScrollTop : undefined;
    this.recentLabels = [...(restored?.recentLabels ?? [])];
    this.spotCheckSize = restored?.spotCheckSize ?? DEFAULT_SPOT_CHECK_SIZE;

    this.toolbar = new Toolbar(
      {
        onFilters: (f) => this.setFilters(f),
        onHelp: () => this.toggleHelp(),
        onView: (view) => {
          this.view = view;
          this.refresh();
        },
        onToggleSwaps: () => {
          this.swapsOpen = !this.swapsOpen;
          this.refresh();
        },
        onNextUnreviewed: () => this.goToNextUnreviewed(),
        onProgress: () => this.showProgress(),
        onSpotCheckSize: (size) => {
          if (!Number.isInteger(size) || size <= 0) return;
          this.spotCheckSize = size;
          this.refresh();
        },
      },
      this.filters,
    );
    this.heatmap = new SwapHeatmap({
      onPick: (given, suggested) => this.setFilters(toggleSwap(this.filters, given, suggested)),
      onClear: () => this.setFilters({ ...this.filters, given: null, suggested: null }),
      onMerge: (from, into) => {
        const problem = this.addClassAction({ action: 'merge', from, into });
        if (problem !== undefined) this.showFailure(problem);
      },
    });
    this.conflictList = new ConflictList({
      onAction: (member, action) => this.decideConflict(member, action),
      onOpen: (path) => this.host.post({ type: 'review/openImage', path }),
      onScroll: (top) => {
        this.conflictScrollTop = top;
        this.save();
      },
    });
    this.grid = new SuspectGrid({
      onClick: (path, modifiers) => {
        this.setSelection(clickCard(this.selection, this.visiblePaths, path, modifiers));
        this.grid.element.focus({ preventScroll: true });
      },
      onAction: (path, action) => this.cardAction(path, action),
      onOpen: (path) => this.host.post({ type: 'review/openImage', path }),
      onScroll: (top) => {
        this.scrollTop = top;
        this.save();
      },
      thumbnail: (path) => this.thumbnails.get(path),
      onShown: (paths) => {
        const missing = this.thumbnails.requestFor(paths);
        if (missing) this.host.post({ type: 'thumbnails/request', paths: missing });
      },
    });
    this.preview = new PreviewPane({
      onAction: (action) => this.act(action),
      onUndo: () => this.undoLast(),
      onOpen: (path) => this.host.post({ type: 'review/openImage', path }),
      onRelabel: () => this.openPicker(),
    });
    this.classPanel = new ClassPanel({
      onMerge: (from, into) => this.addClassAction({ action: 'merge', from, into }),
      onRename: (from, to) => this.addClassAction({ action: 'rename', from, to }),
      onUndo: () => this.takeBackClassAction(),
    });
    this.classNotice = el('div', { className: 'class-notice', attrs: { role: 'status', hidden: '' } });
    this.help = new HelpOverlay(() => this.toggleHelp(false));
    this.picker = new ClassPicker(
      (label) => this.act({ kind: 'relabel', label }),
      () => this.grid.element.focus({ preventScroll: true }),
    );
    this.progress = new ProgressOverlay(() => {
      this.progress.hide();
      this.grid.element.focus({ preventScroll: true });
    });
    this.banner = el('div', { className: 'banner', attrs: { role: 'alert', hidden: '' } });
    this.banner.addEventListener('click', () => (this.banner.hidden = true));
    this.main = el('div', { className: 'main' }, [this.heatmap.element, this.grid.element, this.preview.element]);
    this.stateMessage = el('div', { className: 'state-message' });
    root.replaceChildren(
      this.banner,
      this.toolbar.element,
      this.classNotice,
      this.main,
      this.conflictList.element,
      this.classPanel.element,
      this.stateMessage,
      this.help.element,
      this.picker.element,
      this.progress.element,
    );
    document.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.showMessage('Loading the audit report…', '');
  }

  /** Handles a validated message from the host. */
  handle(message: HostToWebview): void {
    switch (message.type) {
      case 'suspects/didChange':
        if (this.datasetRoot !== undefined && this.datasetRoot !== message.datasetRoot) this.resetView();
        this.datasetRoot = message.datasetRoot;
        this.reportContent = message.content;
        this.decisions = message.decisions;
        document.title = `Review: ${message.datasetName}`;
        // A new report: its images may have changed, and the thumbnails with them.
        this.thumbnails.clear();
        this.applyClassActions(message.classActions ?? []);
        this.refresh();
        break;
      case 'decisions/didChange':
        if (message.ack !== undefined) this.lastAcked = Math.max(this.lastAcked, message.ack);
        if (acceptsHostDecisions(message.ack, this.seq, this.lastAcked)) {
          this.decisions = decisionsAfterClassActions(message.decisions, message.classActions ?? []);
          if (JSON.stringify(message.classActions ?? []) !== JSON.stringify(this.classActions))
            this.applyClassActions(message.classActions ?? []);
          this.refresh();
        }
        break;
      case 'review/didFail':
        this.showFailure(message.message);
        break;
      case 'thumbnails/didCreate':
        this.thumbnails.add(message.thumbnails);
        this.grid.showThumbnails();
        break;
    }
  }

  private showFailure(message: string): void {
    this.banner.textContent = `${message} (click to dismiss)`;
    this.banner.hidden = false;
  }

  /**
   * Shows the content as the class actions make it: merged and renamed classes in the filters, the
   * relabel picker, the heatmap and on every card. Class filters follow a merged or renamed class.
   */
  private applyClassActions(actions: readonly ClassAction[]): void {
    this.classActions = actions;
    this.decisions = decisionsAfterClassActions(this.decisions, actions);
    const raw = this.reportContent;
    this.content = raw?.status === 'ready' ? contentAfterClassActions(raw, actions) : raw;
    if (this.content?.status !== 'ready') return;
    const { classes, suspects, spotCheck, classExamples } = this.content;
    // Spot-check samples may lie beyond the listed suspects; actions find both by path.
    this.byPath = new Map([...(spotCheck?.samples ?? []), ...suspects].map((s) => [s.path, s]));
    this.toolbar.setClasses(classes);
    const keys = digitKeys(this.reportClasses(), actions);
    this.picker.setClasses(classes, classExamples ?? {}, keys);
    this.help.setDigitKeys(keys);
    const follow = (label: string | null) => (label === null ? null : mapClass(label, actions));
    const given = follow(this.filters.given);
    const suggested = follow(this.filters.suggested);
    // A swap whose two classes were just merged is no swap any more: drop that filter.
    const merged = given !== null && given === suggested;
    this.filters = { ...this.filters, given: merged ? null : given, suggested: merged ? null : suggested };
  }

  /** The report's own classes, before any class action. */
  private reportClasses(): readonly string[] {
    return this.reportContent?.status === 'ready' ? this.reportContent.classes : [];
  }

  /** Records a merge or rename (undoable like any decision); returns why it was refused, if it was. */
  private addClassAction(action: ClassAction): string | undefined {
    if (this.content?.status !== 'ready') return 'There is no report to change.';
    const problem = newClassActionProblem(action, this.reportClasses(), this.classActions);
    if (problem !== undefined) return `Not done: ${problem}.`;
    this.undo = pushUndo(this.undo, { restore: [], classActions: this.classActions });
    this.sendClassActions([...this.classActions, action]);
    return undefined;
  }

  /** Takes the newest class action back; Ctrl/Cmd+Z then brings it back, like any other step. */
  private takeBackClassAction(): void {
    if (this.classActions.length === 0) return;
    this.undo = pushUndo(this.undo, { restore: [], classActions: this.classActions });
    this.sendClassActions(this.classActions.slice(0, -1));
  }

  /** Applies new class actions locally at once and sends them to the host, numbered like decisions. */
  private sendClassActions(actions: readonly ClassAction[]): void {
    this.applyClassActions(actions);
    this.seq++;
    this.host.post({ type: 'review/setClassActions', seq: this.seq, classActions: actions });
    this.refresh();
  }

  private resetView(): void {
    this.filters = DEFAULT_FILTERS;
    this.selection = EMPTY_SELECTION;
    this.undo = [];
    this.scrollTop = 0;
    this.pendingScroll = 0;
    this.view = 'suspects';
    this.conflictScrollTop = 0;
    this.pendingConflictScroll = 0;
    this.spotCheckSize = DEFAULT_SPOT_CHECK_SIZE;
  }

  /** Recomputes what is shown after the content, decisions or filters changed, and redraws. */
  private refresh(): void {
    const content = this.content;
    if (content === undefined) return;
    if (content.status !== 'ready') {
      this.showMessage(
        content.status === 'noReport' ? 'No report yet' : 'The review could not be opened',
        content.message,
      );
      this.toolbar.element.hidden = true;
      this.classNotice.hidden = true;
      this.classPanel.element.hidden = true;
      this.save();
      return;
    }
    const conflicts = content.conflicts ?? [];
    // A new report without conflicts (or one from before they existed) has no such view to show.
    if (conflicts.length === 0 && this.view === 'conflicts') this.view = 'suspects';
    if (!content.spotCheck && this.view === 'spotCheck') this.view = 'suspects';
    this.showClassNotice(content);
    const spotCheck = this.spotCheckModel(content);
    const toolbarExtras = {
      view: this.view,
      conflicts: content.conflicts ? conflictProgress(conflicts, this.decisions) : undefined,
      swaps: { available: content.swaps !== undefined, open: this.swapsOpen },
      ...(spotCheck ? { spotCheck: spotCheck.toolbar } : {}),
    };
    this.classPanel.element.hidden = this.view !== 'classes';
    // The classes and conflicts views replace the grid: the toolbar stays, with nothing "shown".
    const showWithoutGrid = () => {
      this.toolbar.element.hidden = false;
      this.toolbar.show({
        filters: this.filters,
        counts: reviewCounts(content.suspects, this.decisions, this.filters.includeUnflagged),
        shown: 0,
        hiddenCount: content.hiddenCount,
        ...toolbarExtras,
      });
      this.main.hidden = true;
      this.stateMessage.hidden = true;
      this.conflictList.element.hidden = this.view !== 'conflicts';
    };
    if (this.view === 'classes') {
      showWithoutGrid();
      this.classPanel.show({
        classes: content.classes,
        health: content.classHealth,
        suggestions: content.mergeSuggestions ?? [],
        actions: this.classActions,
      });
      this.save();
      return;
    }
    if (this.view === 'conflicts') {
      showWithoutGrid();
      this.conflictList.setModel(conflicts, this.decisions, content.classes);
      if (this.pendingConflictScroll !== undefined) {
        this.conflictList.restoreScroll(this.pendingConflictScroll);
        this.pendingConflictScroll = undefined;
      }
      this.save();
      return;
    }
    this.conflictList.element.hidden = true;
    const swapsShown = content.swaps !== undefined && this.swapsOpen && this.view === 'suspects';
    this.heatmap.element.hidden = !swapsShown;
    this.main.classList.toggle('with-swaps', swapsShown);
    if (content.swaps && swapsShown) this.heatmap.show(content.swaps, activeSwap(this.filters));
    const previous = this.visiblePaths;
    this.visible =
      spotCheck && this.view === 'spotCheck'
        ? spotCheck.samples
        : visibleSuspects(content.suspects, this.decisions, this.filters).map((i) => content.suspects[i]);
    this.visiblePaths = this.visible.map((s) => s.path);
    this.selection = reconcileSelection(
      this.selection,
      previous.length > 0 ? previous : this.visiblePaths,
      this.visiblePaths,
    );
    this.toolbar.element.hidden = false;
    const counts = reviewCounts(content.suspects, this.decisions, this.filters.includeUnflagged);
    this.toolbar.show({
      filters: this.filters,
      counts,
      shown: this.visible.length,
      hiddenCount: content.hiddenCount,
      ...toolbarExtras,
    });

    if (this.visible.length === 0 && this.view === 'suspects') {
      if (counts.total === 0 && !isFiltering(this.filters)) {
        // Nothing to filter: the toolbar would only show zeros.
        this.toolbar.element.hidden = true;
        const browse = content.suspects.length > 0 && !this.filters.includeUnflagged;
        this.showMessage(
          'No suspects: the audit found no likely label errors',
          `${content.auditedTotal} images were audited.`,
          browse
            ? {
                text: 'Browse all audited images',
                run: () => this.setFilters({ ...this.filters, includeUnflagged: true }),
              }
            : undefined,
        );
      } else {
        this.showMessage('No suspects match the filters', '', {
          text: 'Clear filters',
          run: () => this.setFilters(clearFilters(this.filters)),
        });
      }
    } else {
      this.main.hidden = false;
      this.stateMessage.hidden = true;
    }
    this.draw();
    if (this.pendingScroll !== undefined && this.visible.length > 0) {
      this.grid.restoreScroll(this.pendingScroll);
      this.pendingScroll = undefined;
    }
    this.save();
  }

  /** Redraws grid and preview for the current selection (no recomputation of the list). */
  private draw(): void {
    this.grid.setModel({
      suspects: this.visible,
      decisions: this.decisions,
      focus: this.selection.focus,
      selected: new Set(this.selection.selected),
    });
    const focused = this.selection.focus === null ? undefined : this.byPath.get(this.selection.focus);
    this.preview.show({
      suspect: focused,
      decision: focused ? ownValue(this.decisions, focused.path) : undefined,
      targetCount: actionTargets(this.selection).length,
      canUndo: this.undo.length > 0,
      spotCheck: this.view === 'spotCheck',
    });
  }

  /** The spot check's images at the size picked, and what the toolbar says about them; undefined without unflagged samples. */
  private spotCheckModel(content: Extract<ReviewContent, { status: 'ready' }>) {
    const pool = content.spotCheck;
    if (!pool) return undefined;
    const sizes = spotCheckSizes(pool.unflaggedTotal);
    // The size picked, or the nearest offered one when this report has fewer unflagged samples.
    const size = sizes.includes(this.spotCheckSize)
      ? this.spotCheckSize
      : (sizes.filter((n) => n <= this.spotCheckSize).pop() ?? sizes[0]);
    const samples = spotCheckSamples(pool, size);
    const estimate = spotCheckEstimate(samples, this.decisions, pool.unflaggedTotal);
    return {
      samples,
      toolbar: {
        sizes,
        size,
        text: spotCheckText(estimate, size, pool.unflaggedTotal),
        counter: `${estimate?.checked ?? 0} checked of ${size}`,
      },
    };
  }

  /** Opens the class picker for the selection (nothing to relabel: nothing happens). */
  private openPicker(): void {
    if (actionTargets(this.selection).length === 0) return;
    const focused = this.selection.focus === null ? undefined : this.byPath.get(this.selection.focus);
    this.picker.open({ focus: focused, targetCount: actionTargets(this.selection).length, recent: this.recentLabels });
  }

  /** N and the toolbar button: focus the next card shown without a decision. */
  private goToNextUnreviewed(): void {
    const next = nextUnreviewed(this.visiblePaths, this.decisions, this.selection.focus);
    if (next === undefined) {
      this.banner.textContent = 'Every card shown has a decision. (click to dismiss)';
      this.banner.hidden = false;
      return;
    }
    this.setSelection(selectOnly(next), true);
  }

  private showProgress(): void {
    if (this.content?.status !== 'ready') return;
    const { suspects, classes, flaggedTotal } = this.content;
    const listed = suspects.filter((s) => s.flagged).length;
    this.progress.show(reviewProgress(suspects, this.decisions, classes), flaggedTotal - listed);
  }

  /**
   * The banner above the suspects: classes too small (or too doubtful) for a reliable verdict, and the
   * merges the audit suggests, each with the way to the Classes view. Hidden there and when there is none.
   */
  private showClassNotice(content: Extract<ReviewContent, { status: 'ready' }>): void {
    const warned = (content.classHealth ?? []).filter((c) => c.warning);
    const merges = content.mergeSuggestions ?? [];
    this.classNotice.hidden = this.view === 'classes' || (warned.length === 0 && merges.length === 0);
    if (this.classNotice.hidden) return;
    const parts: string[] = [];
    const rare = warned.filter((c) => c.enough !== undefined);
    const capped = warned.filter((c) => c.heldBack > 0);
    if (rare.length > 0) {
      const names = rare.map((c) => `“${c.name}” (${c.count} of about ${c.enough} needed)`).join(', ');
      parts.push(`Too few images for a reliable verdict: ${names}.`);
    }
    if (capped.length > 0) {
      parts.push(
        `The models reject more than half of ${capped.map((c) => `“${c.name}”`).join(', ')}: only the strongest half is flagged.`,
      );
    }
    for (const m of merges)
      parts.push(`The audit suggests merging “${m.from}” into “${m.into}”: the models mostly confuse them.`);
    const show = document.createElement('vscode-button');
    show.textContent = 'Show classes';
    (show as HTMLElement & { secondary: boolean }).secondary = true;
    show.addEventListener('click', () => {
      this.view = 'classes';
      this.refresh();
    });
    this.classNotice.replaceChildren(
      el('span', { className: 'class-notice-icon', text: '⚠', attrs: { 'aria-hidden': 'true' } }),
      el('span', { text: parts.join(' ') }),
      show,
    );
  }

  private showMessage(title: string, detail: string, action?: { text: string; run: () => void }): void {
    const children: HTMLElement[] = [el('h2', { text: title })];
    if (detail) children.push(el('p', { text: detail }));
    if (action) {
      const button = document.createElement('vscode-button');
      button.textContent = action.text;
      button.addEventListener('click', action.run);
      children.push(button);
    }
    this.stateMessage.replaceChildren(...children);
    this.stateMessage.hidden = false;
    this.main.hidden = true;
    this.conflictList.element.hidden = true;
    this.classPanel.element.hidden = true;
  }

  private setFilters(filters: Filters): void {
    this.filters = filters;
    this.refresh();
  }

  private setSelection(selection: Selection, focusGrid = false): void {
    this.selection = selection;
    if (selection.focus !== null) this.grid.reveal(selection.focus);
    // Keyboard moves put the focus on the grid, so the selection shows in the active colours.
    if (focusGrid) this.grid.element.focus({ preventScroll: true });
    this.draw();
    this.save();
  }

  /** Applies an action to the selection, sends it, and moves on to the next card. */
  private act(action: ReviewAction): void {
    const targets = actionTargets(this.selection)
      .map((path) => this.byPath.get(path))
      .filter((s): s is SuspectView => s !== undefined);
    if (targets.length === 0) return;
    const { changes, undo } = planAction(action, targets, this.decisions);
    if (action.kind === 'relabel') this.recentLabels = pushRecent(this.recentLabels, action.label);
    if (undo) this.undo = pushUndo(this.undo, undo);
    this.send(changes);
    // One card decided: go on to the next, as a reviewer working down the list expects. A bulk
    // decision keeps its selection so the result can be checked (and undone) as a whole.
    if (targets.length === 1 && this.selection.focus !== null) {
      const before = this.visiblePaths;
      this.refresh();
      const index = before.indexOf(targets[0].path);
      const stillShown = this.visiblePaths.includes(targets[0].path);
      if (stillShown && index >= 0 && index < before.length - 1)
        this.setSelection(moveFocus(this.selection, this.visiblePaths, 1));
      else this.setSelection(this.selection);
    } else {
      this.refresh();
    }
    this.grid.element.focus({ preventScroll: true });
  }

  /** A decision on one image of a conflicting group: the same decisions, undo and numbering as a suspect's. */
  private decideConflict(member: ConflictMemberView, action: ReviewAction): void {
    const { changes, undo } = planAction(action, [conflictTarget(member)], this.decisions);
    if (undo) this.undo = pushUndo(this.undo, undo);
    this.send(changes);
    this.refresh();
  }

  private undoLast(): void {
    const { entry, stack } = popUndo(this.undo);
    if (!entry) return;
    this.undo = stack;
    if (entry.classActions !== undefined) {
      this.sendClassActions(entry.classActions);
      return;
    }
    this.send(entry.restore, true);
    this.refresh();
    this.setSelection(selectionAfterUndo(entry, this.visiblePaths));
  }

  /** Applies changes locally at once and sends them to the host, numbered; `undo` marks them for the review log. */
  private send(changes: readonly DecisionChange[], undo = false): void {
    if (changes.length === 0) return;
    this.decisions = applyChanges(this.decisions, changes);
    this.seq++;
    const flag = undo ? { undo: true } : {};
    if (changes.length === 1) {
      this.host.post({
        type: 'review/decide',
        seq: this.seq,
        path: changes[0].path,
        decision: changes[0].decision,
        ...flag,
      });
    } else {
      this.host.post({ type: 'review/decideMany', seq: this.seq, changes, ...flag });
    }
  }

  private cardAction(path: string, action: CardAction): void {
    // A card's own button acts on that card alone, even inside a larger selection: bulk actions
    // live in the side pane and on the keyboard.
    this.setSelection(selectOnly(path));
    if (action === 'relabel') this.openPicker();
    else this.act({ kind: action });
  }

  private toggleHelp(visible = !this.help.visible): void {
    this.help.setVisible(visible);
    if (!visible) this.grid.element.focus({ preventScroll: true });
  }

  private onKeyDown(event: KeyboardEvent): void {
    // The dialogs handle their own keys; one that reaches the page (focus left the dialog) may only close it.
    if (this.picker.visible || this.progress.visible) {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.picker.close();
        this.progress.hide();
      }
      return;
    }
    if (this.help.visible) {
      if (event.key === 'Escape' || event.key === '?') {
        event.preventDefault();
        this.toggleHelp(false);
      }
      return;
    }
    // Typing in the class picker, a filter or the score fields belongs to that control.
    if (isInEditableControl(event)) return;
    const command = commandForKey(event);
    if (!command || this.content?.status !== 'ready') return;
    // The conflicts and classes views are worked with their buttons; of the grid's keys only undo and help apply there.
    if ((this.view === 'conflicts' || this.view === 'classes') && command.kind !== 'undo' && command.kind !== 'help')
      return;
    // Enter on a focused button presses that button, not "accept".
    if (command.kind === 'accept' && isOnButton(event)) return;
    event.preventDefault();
    this.run(command);
  }

  private run(command: KeyCommand): void {
    switch (command.kind) {
      case 'move':
        this.setSelection(
          moveFocus(this.selection, this.visiblePaths, this.moveDelta(command.direction), command.extend),
          true,
        );
        return;
      case 'accept':
        // In a spot check Enter confirms the label: accepting the runner-up of an unflagged image is never the intent.
        this.act({ kind: this.view === 'spotCheck' ? 'keep' : 'accept' });
        return;
      case 'keep':
      case 'remove':
        this.act({ kind: command.kind });
        return;
      case 'relabel':
        this.openPicker();
        return;
      case 'nextUnreviewed':
        this.goToNextUnreviewed();
        return;
      case 'digit': {
        const label = classForDigit(this.reportClasses(), command.digit, this.classActions);
        if (label !== undefined) this.act({ kind: 'relabel', label });
        return;
      }
      case 'undo':
        this.undoLast();
        return;
      case 'selectAll':
        this.setSelection(selectAll(this.selection, this.visiblePaths), true);
        return;
      case 'help':
        this.toggleHelp(true);
        return;
      case 'escape':
        this.setSelection(this.selection.focus === null ? EMPTY_SELECTION : selectOnly(this.selection.focus));
        return;
    }
  }

  private moveDelta(direction: Extract<KeyCommand, { kind: 'move' }>['direction']): number {
    const columns = this.grid.columns;
    switch (direction) {
      case 'left':
        return -1;
      case 'right':
        return 1;
      case 'up':
        return -columns;
      case 'down':
        return columns;
      case 'pageUp':
        return -this.grid.pageSize;
      case 'pageDown':
        return this.grid.pageSize;
      case 'home':
        return -Infinity;
      case 'end':
        return Infinity;
    }
  }

  private save(): void {
    this.host.saveState({
      datasetRoot: this.datasetRoot,
      filters: this.filters,
      selection: this.selection,
      scrollTop: this.scrollTop,
      undo: this.undo,
      seq: this.seq,
      view: this.view,
      swapsOpen: this.swapsOpen,
      conflictScrollTop: this.conflictScrollTop,
      recentLabels: this.recentLabels,
      spotCheckSize: this.spotCheckSize,
    });
  }
}

const EDITABLE_TAGS = new Set(['TEXTAREA', 'SELECT', 'VSCODE-SINGLE-SELECT', 'VSCODE-TEXTFIELD', 'VSCODE-TEXTAREA']);
// Inputs that take no typing (a checkbox's inner input, say) leave the review keys alone.
const KEYLESS_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset']);

function isInEditableControl(event: KeyboardEvent): boolean {
  return event
    .composedPath()
    .some(
      (target) =>
        target instanceof HTMLElement &&
        (EDITABLE_TAGS.has(target.tagName) ||
          target.isContentEditable ||
          (target instanceof HTMLInputElement && !KEYLESS_INPUTS.has(target.type))),
    );
}

function isOnButton(event: KeyboardEvent): boolean {
  return event
    .composedPath()
    .some(
      (target) =>
        target instanceof HTMLElement &&
        (target.tagName === 'BUTTON' || target.tagName === 'VSCODE-BUTTON' || target.tagName === 'VSCODE-CHECKBOX'),
    );
}
