/**
 * The review page: holds the state (content from the host, decisions, filters, selection, undo),
 * turns user input into decisions sent to the host, and redraws the toolbar, grid and preview.
 * The decisions live on the host, on disk; this page applies its own changes at once and numbers
 * them, and the host's answers (`decisions/didChange` with `ack`) confirm or correct them.
 */
import type {
  ClassAction,
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
import { contentAfterClassActions, decisionsAfterClassActions } from './state/appliedClassActions';
import { pushRecent } from './state/classPickerState';
import { ConflictList } from './views/conflictList';
import { conflictProgress, conflictTarget } from './state/conflictState';
import { Banner } from './views/banner';
import { ClassNotice } from './views/classNotice';
import { ClassesView } from './views/classesView';
import { ConflictsView } from './views/conflictsView';
import { IssuePanel, type IssueMember } from './views/issuePanel';
import { IssuesView } from './views/issuesView';
import { MapPanel } from './views/mapPanel';
import { MapView } from './views/mapView';
import { regionMask, type Region } from './state/mapState';
import { issueProgress } from './state/issueState';
import type { PageView, ReadyContent, RegionSamples, ViewContext } from './views/pageView';
import { SpotCheckView } from './views/spotCheckView';
import { SuspectsView } from './views/suspectsView';
import {
  persistedState,
  restoreViewState,
  viewStateForNewDataset,
  type PersistedState,
  type ReviewView,
  type ViewState,
} from './state/viewState';
import { el, firstFocusable, focusDropped } from './dom';
import { HelpOverlay } from './dialogs/helpOverlay';
import { commandForKey, type KeyCommand } from './state/keyboard';
import { PreviewPane } from './views/previewPane';
import { ProgressOverlay } from './dialogs/progressOverlay';
import { nextUnreviewed, reviewProgress } from './dialogs/reviewProgress';
import {
  EMPTY_SELECTION,
  acceptsHostDecisions,
  actionTargets,
  applyChanges,
  classForDigit,
  clearFilters,
  digitKeys,
  clickCard,
  moveFocus,
  planAction,
  popUndo,
  pushUndo,
  reconcileSelection,
  reviewCounts,
  selectAll,
  selectOnly,
  selectionAfterUndo,
  type Filters,
  type ReviewAction,
  type Selection,
} from './state/reviewState';
import { SuspectGrid, type CardAction } from './views/suspectGrid';
import { ThumbnailStore } from './state/thumbnailStore';
import { SwapHeatmap } from './views/swapHeatmap';
import { toggleSwap } from './state/swapState';
import { Toolbar } from './views/toolbar';

export type { PersistedState } from './state/viewState';

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
  /** How the page is looked at: view, filters, selection, scroll, undo… (saved with `vscode.setState`). */
  private state: ViewState;
  private seq: number;
  private lastAcked: number;
  /** A grid scroll position to restore once the cards are there (after a reload). */
  private pendingScroll: number | undefined;
  private byPath = new Map<string, SuspectView>();
  private visible: readonly SuspectView[] = [];
  private visiblePaths: string[] = [];

  private readonly toolbar: Toolbar;
  private readonly grid: SuspectGrid;
  /** Thumbnail URIs the host sent for the grid's cards. */
  private readonly thumbnails = new ThumbnailStore();
  private readonly preview: PreviewPane;
  private readonly heatmap: SwapHeatmap;
  private readonly conflictList: ConflictList;
  private readonly classPanel: ClassPanel;
  private readonly issuePanel: IssuePanel;
  private readonly mapPanel: MapPanel;
  /** The samples inside the filters' map region, for the region and map they were computed for. */
  private regionCache: { region: Region; map: unknown; samples: RegionSamples } | undefined;
  private readonly classNotice: ClassNotice;
  private readonly spotCheckView: SpotCheckView;
  private readonly conflictsView: ConflictsView;
  private readonly views: Readonly<Record<ReviewView, PageView>>;
  private readonly help: HelpOverlay;
  private readonly picker: ClassPicker;
  private readonly progress: ProgressOverlay;
  private readonly main: HTMLElement;
  private readonly stateMessage: HTMLElement;
  private readonly banner: Banner;
  private readonly heading: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly host: HostConnection,
    restored: PersistedState | undefined,
  ) {
    this.datasetRoot = restored?.datasetRoot;
    this.state = restoreViewState(restored);
    this.seq = restored?.seq ?? 0;
    this.lastAcked = this.seq;
    this.pendingScroll = restored ? this.state.scrollTop : undefined;

    this.toolbar = new Toolbar(
      {
        onFilters: (f) => this.setFilters(f),
        onHelp: () => this.toggleHelp(),
        onView: (view) => {
          this.state.view = view;
          this.refresh();
        },
        onToggleSwaps: () => {
          this.state.swapsOpen = !this.state.swapsOpen;
          this.refresh();
        },
        onNextUnreviewed: () => this.goToNextUnreviewed(),
        onProgress: () => this.showProgress(),
        onSpotCheckSize: (size) => {
          if (!Number.isInteger(size) || size <= 0) return;
          this.state.spotCheckSize = size;
          this.refresh();
        },
      },
      this.state.filters,
    );
    this.heatmap = new SwapHeatmap({
      onPick: (given, suggested) => this.setFilters(toggleSwap(this.state.filters, given, suggested)),
      onClear: () => this.setFilters({ ...this.state.filters, given: null, suggested: null }),
      onMerge: (from, into) => {
        const problem = this.addClassAction({ action: 'merge', from, into });
        if (problem !== undefined) this.showFailure(problem);
      },
    });
    this.conflictList = new ConflictList({
      onAction: (member, action) => this.decideMember(member, action),
      onOpen: (path) => this.host.post({ type: 'review/openImage', path }),
      onScroll: (top) => {
        this.state.conflictScrollTop = top;
        this.save();
      },
    });
    this.issuePanel = new IssuePanel({
      onAction: (member, action) => this.decideMember(member, { kind: action }),
      onOpen: (path) => this.host.post({ type: 'review/openImage', path }),
      thumbnail: (path) => this.thumbnails.get(path),
      onShown: (paths) => this.requestThumbnails(paths),
    });
    this.mapPanel = new MapPanel({
      onRegion: (region) => this.setFilters({ ...this.state.filters, region }),
      onOpen: (path) => {
        // A sample the grid can list opens as its card; any other, or one outside the selection
        // (revealing it would clear the selection), as its image.
        const region = this.content?.status === 'ready' ? this.regionSamples(this.content) : undefined;
        if (this.byPath.has(path) && (!region || region.paths.has(path))) this.revealSample(path);
        else this.host.post({ type: 'review/openImage', path });
      },
      onShowSelection: () => {
        this.state.view = 'suspects';
        this.refresh();
      },
      thumbnail: (path) => this.thumbnails.get(path),
      onShown: (paths) => this.requestThumbnails(paths),
    });
    this.grid = new SuspectGrid({
      onClick: (path, modifiers) => {
        this.setSelection(clickCard(this.state.selection, this.visiblePaths, path, modifiers));
        this.grid.element.focus({ preventScroll: true });
      },
      onAction: (path, action) => this.cardAction(path, action),
      onOpen: (path) => this.host.post({ type: 'review/openImage', path }),
      onScroll: (top) => {
        this.state.scrollTop = top;
        this.save();
      },
      thumbnail: (path) => this.thumbnails.get(path),
      onShown: (paths) => this.requestThumbnails(paths),
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
    this.classNotice = new ClassNotice(() => {
      this.state.view = 'classes';
      this.refresh();
    });
    // A dialog gives the focus back to the control that opened it; when that is gone, to the view's main list.
    const fallbackFocus = () => this.mainFocus();
    this.help = new HelpOverlay(() => this.toggleHelp(false), fallbackFocus);
    this.picker = new ClassPicker(
      (label) => this.act({ kind: 'relabel', label }),
      () => undefined,
      fallbackFocus,
    );
    this.progress = new ProgressOverlay(() => this.progress.hide(), fallbackFocus);
    this.banner = new Banner(() => {
      if (focusDropped()) this.mainFocus()?.focus({ preventScroll: true });
    });
    this.main = el('div', { className: 'main' }, [this.heatmap.element, this.grid.element, this.preview.element]);
    this.stateMessage = el('div', { className: 'state-message' });
    this.spotCheckView = new SpotCheckView(this.main);
    this.conflictsView = new ConflictsView(this.conflictList);
    this.conflictsView.scrollOnNextShow(restored ? this.state.conflictScrollTop : undefined);
    this.views = {
      suspects: new SuspectsView(this.main, this.heatmap, (filters) => this.setFilters(filters)),
      spotCheck: this.spotCheckView,
      conflicts: this.conflictsView,
      classes: new ClassesView(this.classPanel),
      issues: new IssuesView(this.issuePanel, () => this.setFilters({ ...this.state.filters, region: null })),
      map: new MapView(this.mapPanel),
    };
    // One landmark for the page's content and one top heading (the dataset's name, for screen readers).
    this.heading = el('h1', { className: 'visually-hidden', text: 'Review' });
    root.replaceChildren(
      this.banner.element,
      this.toolbar.element,
      el('main', { className: 'page-content' }, [
        this.heading,
        this.classNotice.element,
        this.main,
        this.conflictList.element,
        this.classPanel.element,
        this.issuePanel.element,
        this.mapPanel.element,
        this.stateMessage,
      ]),
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
        // A new report has a new map: a region drawn on the old one means nothing there.
        else if (
          this.reportContent?.status === 'ready' &&
          message.content.status === 'ready' &&
          this.reportContent.createdAt !== message.content.createdAt
        )
          this.state.filters = { ...this.state.filters, region: null };
        this.datasetRoot = message.datasetRoot;
        this.reportContent = message.content;
        this.decisions = message.decisions;
        document.title = `Review: ${message.datasetName}`;
        this.heading.textContent = `Review suspected label errors: ${message.datasetName}`;
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
        this.issuePanel.showThumbnails();
        this.mapPanel.showThumbnails();
        break;
      case 'review/reveal':
        this.revealSample(message.path);
        break;
    }
  }

  /**
   * Selects one sample's card ("Open in the review panel" on a finding in the editor). When the view
   * or the filters hide it, the suspects are shown unfiltered (with the unflagged, if it is one).
   */
  private revealSample(path: string): void {
    const sample = this.byPath.get(path);
    // The Conflicts, Classes and Issues views have no grid to select the card in: back to the suspects.
    if (sample !== undefined && this.state.view !== 'suspects' && this.state.view !== 'spotCheck') {
      this.state.view = 'suspects';
      this.refresh();
    }
    if (sample !== undefined && !this.visiblePaths.includes(path)) {
      this.state.view = 'suspects';
      const region = this.content?.status === 'ready' ? this.regionSamples(this.content) : undefined;
      this.state.filters = {
        ...clearFilters(this.state.filters),
        includeUnflagged: this.state.filters.includeUnflagged || !sample.flagged,
        // A map selection that holds the sample stays: it is what the reviewer was looking at.
        region: region?.paths.has(path) ? this.state.filters.region : null,
      };
      this.refresh();
    }
    if (this.visiblePaths.includes(path)) this.setSelection(selectOnly(path), true);
    else this.banner.show(`"${path}" is not among the samples this panel lists.`);
  }

  /** Asks the host for the thumbnails of these samples it has not sent yet (the grid, the Issues strips, the map's hover). */
  private requestThumbnails(paths: readonly string[]): void {
    const missing = this.thumbnails.requestFor(paths);
    if (missing) this.host.post({ type: 'thumbnails/request', paths: missing });
  }

  private showFailure(message: string): void {
    this.banner.show(message);
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
    const given = follow(this.state.filters.given);
    const suggested = follow(this.state.filters.suggested);
    // A swap whose two classes were just merged is no swap any more: drop that filter.
    const merged = given !== null && given === suggested;
    this.state.filters = { ...this.state.filters, given: merged ? null : given, suggested: merged ? null : suggested };
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
    this.state.undo = pushUndo(this.state.undo, { restore: [], classActions: this.classActions });
    this.sendClassActions([...this.classActions, action]);
    return undefined;
  }

  /** Takes the newest class action back; Ctrl/Cmd+Z then brings it back, like any other step. */
  private takeBackClassAction(): void {
    if (this.classActions.length === 0) return;
    this.state.undo = pushUndo(this.state.undo, { restore: [], classActions: this.classActions });
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
    this.state = viewStateForNewDataset(this.state);
    this.pendingScroll = 0;
    this.conflictsView.scrollOnNextShow(0);
  }

  /**
   * Recomputes what is shown after the content, decisions or filters changed, and redraws. When the
   * redraw took away the control that had the focus (a hidden "Clear filters", a rebuilt row, another
   * view), the focus goes to the view's main list instead of dropping to the page.
   */
  private refresh(): void {
    const hadFocus = !focusDropped();
    this.render();
    if (hadFocus && focusDropped() && !this.dialogOpen()) this.mainFocus()?.focus({ preventScroll: true });
  }

  private dialogOpen(): boolean {
    return this.picker.visible || this.help.visible || this.progress.visible;
  }

  private render(): void {
    const content = this.content;
    if (content === undefined) return;
    if (content.status !== 'ready') {
      this.showMessage(
        content.status === 'noReport' ? 'No report yet' : 'The review could not be opened',
        content.message,
      );
      this.toolbar.element.hidden = true;
      this.classNotice.hide();
      this.save();
      return;
    }
    const state = this.state;
    // A new report without conflicts (or one from before they existed) has no such view to show.
    if (!this.views[state.view].available(content)) state.view = 'suspects';
    this.classNotice.show(content, state.view);
    const counts = reviewCounts(content.suspects, this.decisions, state.filters.includeUnflagged);
    const region = this.regionSamples(content);
    const context: ViewContext = {
      content,
      decisions: this.decisions,
      state,
      classActions: this.classActions,
      counts,
      ...(region ? { region } : {}),
    };
    const spotCheck = this.spotCheckView.summary(context);
    // The others first: the Suspects and Spot-check views share the card area.
    for (const [name, view] of Object.entries(this.views)) if (name !== state.view) view.hide();
    const outcome = this.views[state.view].show(context);
    if (outcome.cards) {
      const previous = this.visiblePaths;
      this.visible = outcome.cards;
      this.visiblePaths = this.visible.map((s) => s.path);
      this.state.selection = reconcileSelection(
        state.selection,
        previous.length > 0 ? previous : this.visiblePaths,
        this.visiblePaths,
      );
    }
    this.toolbar.element.hidden = outcome.empty?.hideToolbar === true;
    this.toolbar.show({
      filters: state.filters,
      counts,
      // The classes and conflicts views replace the grid: nothing "shown".
      shown: outcome.cards?.length ?? 0,
      hiddenCount: content.hiddenCount,
      view: state.view,
      conflicts: content.conflicts ? conflictProgress(content.conflicts, this.decisions) : undefined,
      ...(content.health ? { issues: issueProgress(content.health, this.decisions) } : {}),
      map: content.map !== undefined,
      swaps: { available: content.swaps !== undefined, open: state.swapsOpen },
      ...(spotCheck ? { spotCheck: spotCheck.toolbar } : {}),
    });
    if (outcome.empty) this.showMessage(outcome.empty.title, outcome.empty.detail, outcome.empty.action);
    else this.stateMessage.hidden = true;
    if (outcome.cards) {
      this.draw();
      if (this.pendingScroll !== undefined && this.visible.length > 0) {
        this.grid.restoreScroll(this.pendingScroll);
        this.pendingScroll = undefined;
      }
    }
    this.save();
  }

  /**
   * The samples inside the filters' map region: computed once per region and map (a pass over
   * every point), not on every redraw. Undefined without a region or a map.
   */
  private regionSamples(content: ReadyContent): RegionSamples | undefined {
    const region = this.state.filters.region;
    if (region === null || !content.map) return undefined;
    const cached = this.regionCache;
    if (cached && cached.region === region && cached.map === content.map) return cached.samples;
    const mask = regionMask(content.map.points, region);
    const paths = new Set<string>();
    mask.forEach((inside, i) => inside && paths.add(content.map!.paths[i]));
    this.regionCache = { region, map: content.map, samples: { mask, paths } };
    return this.regionCache.samples;
  }

  /** Redraws grid and preview for the current selection (no recomputation of the list). */
  private draw(): void {
    this.grid.setModel({
      suspects: this.visible,
      decisions: this.decisions,
      focus: this.state.selection.focus,
      selected: new Set(this.state.selection.selected),
    });
    const focused = this.state.selection.focus === null ? undefined : this.byPath.get(this.state.selection.focus);
    this.preview.show({
      suspect: focused,
      decision: focused ? ownValue(this.decisions, focused.path) : undefined,
      targetCount: actionTargets(this.state.selection).length,
      canUndo: this.state.undo.length > 0,
      spotCheck: this.state.view === 'spotCheck',
    });
  }

  /** Opens the class picker for the selection (nothing to relabel: nothing happens). */
  private openPicker(): void {
    if (actionTargets(this.state.selection).length === 0) return;
    const focused = this.state.selection.focus === null ? undefined : this.byPath.get(this.state.selection.focus);
    this.picker.open({
      focus: focused,
      targetCount: actionTargets(this.state.selection).length,
      recent: this.state.recentLabels,
    });
  }

  /** N and the toolbar button: focus the next card shown without a decision. */
  private goToNextUnreviewed(): void {
    const next = nextUnreviewed(this.visiblePaths, this.decisions, this.state.selection.focus);
    if (next === undefined) {
      this.banner.show('Every card shown has a decision.');
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
    for (const view of Object.values(this.views)) view.hide();
  }

  private setFilters(filters: Filters): void {
    this.state.filters = filters;
    this.refresh();
  }

  private setSelection(selection: Selection, focusGrid = false): void {
    this.state.selection = selection;
    if (selection.focus !== null) this.grid.reveal(selection.focus);
    // Keyboard moves put the focus on the grid, so the selection shows in the active colours.
    if (focusGrid) this.grid.element.focus({ preventScroll: true });
    this.draw();
    this.save();
  }

  /** Applies an action to the selection, sends it, and moves on to the next card. */
  private act(action: ReviewAction): void {
    const targets = actionTargets(this.state.selection)
      .map((path) => this.byPath.get(path))
      .filter((s): s is SuspectView => s !== undefined);
    if (targets.length === 0) return;
    const { changes, undo } = planAction(action, targets, this.decisions);
    if (action.kind === 'relabel') this.state.recentLabels = pushRecent(this.state.recentLabels, action.label);
    if (undo) this.state.undo = pushUndo(this.state.undo, undo);
    this.send(changes);
    // One card decided: go on to the next, as a reviewer working down the list expects. A bulk
    // decision keeps its selection so the result can be checked (and undone) as a whole.
    if (targets.length === 1 && this.state.selection.focus !== null) {
      const before = this.visiblePaths;
      this.refresh();
      const index = before.indexOf(targets[0].path);
      const stillShown = this.visiblePaths.includes(targets[0].path);
      if (stillShown && index >= 0 && index < before.length - 1)
        this.setSelection(moveFocus(this.state.selection, this.visiblePaths, 1));
      else this.setSelection(this.state.selection);
    } else {
      this.refresh();
    }
    this.grid.element.focus({ preventScroll: true });
  }

  /**
   * A decision on one image of a conflicting group or of the Issues view: the same decisions, undo
   * and numbering as a suspect's.
   */
  private decideMember(member: IssueMember, action: ReviewAction): void {
    const { changes, undo } = planAction(action, [conflictTarget(member)], this.decisions);
    if (undo) this.state.undo = pushUndo(this.state.undo, undo);
    this.send(changes);
    this.refresh();
    // The member's row was rebuilt with the decision: keep the focus on the member, not the page.
    if (this.state.view === 'conflicts')
      this.conflictList.focusMember(member.path, action.kind === 'relabel' ? action.label : action.kind);
  }

  private undoLast(): void {
    const { entry, stack } = popUndo(this.state.undo);
    if (!entry) return;
    this.state.undo = stack;
    if (entry.classActions !== undefined) {
      this.sendClassActions(entry.classActions);
      return;
    }
    this.send(entry.restore, true);
    this.refresh();
    this.setSelection(selectionAfterUndo(entry, this.visiblePaths));
    if (this.state.view === 'issues' && entry.restore.length > 0) this.issuePanel.focusPath(entry.restore[0].path);
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
  }

  /** Where the focus goes when the control that had it is gone: the current view's main list or first control. */
  private mainFocus(): HTMLElement | undefined {
    switch (this.state.view) {
      case 'suspects':
      case 'spotCheck':
        return this.main.hidden ? firstFocusable(this.stateMessage) : this.grid.element;
      case 'conflicts':
        return firstFocusable(this.conflictList.element);
      case 'classes':
        return firstFocusable(this.classPanel.element);
      case 'issues':
        return this.issuePanel.firstFocus() ?? firstFocusable(this.issuePanel.element);
      case 'map':
        return this.mapPanel.canvasElement;
    }
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
    // Escape closes the banner first (then, pressed again, collapses the selection).
    if (event.key === 'Escape' && this.banner.visible && !isInEditableControl(event)) {
      event.preventDefault();
      this.banner.dismiss();
      return;
    }
    // Typing in the class picker, a filter or the score fields belongs to that control.
    if (isInEditableControl(event)) return;
    const command = commandForKey(event);
    if (!command || this.content?.status !== 'ready') return;
    // The conflicts and classes views are worked with their buttons; of the grid's keys only undo and help apply there.
    if (
      (this.state.view === 'conflicts' || this.state.view === 'classes' || this.state.view === 'map') &&
      command.kind !== 'undo' &&
      command.kind !== 'help'
    )
      return;
    // Enter on a focused button presses that button, not "accept".
    if (command.kind === 'accept' && isOnButton(event)) return;
    if (this.state.view === 'issues') {
      if (this.runInIssues(command)) event.preventDefault();
      return;
    }
    event.preventDefault();
    this.run(command);
  }

  private run(command: KeyCommand): void {
    switch (command.kind) {
      case 'move':
        this.setSelection(
          moveFocus(this.state.selection, this.visiblePaths, this.moveDelta(command.direction), command.extend),
          true,
        );
        return;
      case 'accept':
        // In a spot check Enter confirms the label: accepting the runner-up of an unflagged image is never the intent.
        this.act({ kind: this.state.view === 'spotCheck' ? 'keep' : 'accept' });
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
        this.setSelection(selectAll(this.state.selection, this.visiblePaths), true);
        return;
      case 'help':
        this.toggleHelp(true);
        return;
      case 'escape':
        this.setSelection(
          this.state.selection.focus === null ? EMPTY_SELECTION : selectOnly(this.state.selection.focus),
        );
        return;
    }
  }

  /**
   * The keys of the Issues view, on the image with the roving focus: arrows move it, K keeps,
   * Delete removes and moves on, Enter opens the image, undo and help as everywhere.
   * @returns whether the key was used.
   */
  private runInIssues(command: KeyCommand): boolean {
    const member = this.issuePanel.focusedMember();
    switch (command.kind) {
      case 'move':
        if (command.direction === 'pageUp' || command.direction === 'pageDown') return false;
        this.issuePanel.move(command.direction);
        return true;
      case 'keep':
      case 'remove':
        if (!member) return false;
        this.decideMember(member, { kind: command.kind });
        // On to the next image, as a reviewer working down a strip expects.
        this.issuePanel.move('right');
        return true;
      case 'accept':
        if (member) this.host.post({ type: 'review/openImage', path: member.path });
        return member !== undefined;
      case 'undo':
      case 'help':
        this.run(command);
        return true;
      default:
        return false;
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
    this.host.saveState(persistedState(this.datasetRoot, this.seq, this.state));
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
