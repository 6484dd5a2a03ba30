/**
 * What the review page remembers about how it is looked at (vscode.setState): which view, the
 * filters, the selection, scroll positions, undo, the reviewer's recent labels. One object with its
 * defaults, so a field is added in one place and a reload restores every field the same way.
 */
import { DEFAULT_FILTERS, EMPTY_SELECTION, type Filters, type Selection, type UndoEntry } from './reviewState';
import { DEFAULT_SPOT_CHECK_SIZE } from './spotCheckState';

/** Which list the page shows. */
export type ReviewView = 'suspects' | 'conflicts' | 'spotCheck' | 'classes' | 'issues' | 'map';

/** The view state; the decisions are the host's, on disk, and never part of it. */
export interface ViewState {
  view: ReviewView;
  filters: Filters;
  selection: Selection;
  /** The grid's scroll position. */
  scrollTop: number;
  conflictScrollTop: number;
  undo: readonly UndoEntry[];
  /** Whether the class-swap heatmap is open. */
  swapsOpen: boolean;
  /** The reviewer's recent relabel choices, newest first (the picker lists them after the suggestion). */
  recentLabels: readonly string[];
  /** The size of the spot check picked. */
  spotCheckSize: number;
}

export const DEFAULT_VIEW_STATE: Readonly<ViewState> = {
  view: 'suspects',
  filters: DEFAULT_FILTERS,
  selection: EMPTY_SELECTION,
  scrollTop: 0,
  conflictScrollTop: 0,
  undo: [],
  swapsOpen: false,
  recentLabels: [],
  spotCheckSize: DEFAULT_SPOT_CHECK_SIZE,
};

/**
 * What the page keeps in `vscode.setState`. Every view field may be absent: state saved by an older
 * version lacks the fields added since, and each then takes its default.
 */
export interface PersistedState extends Readonly<Partial<ViewState>> {
  /** The dataset shown; the host's panel serializer reopens the panel on it after a reload. */
  readonly datasetRoot?: string;
  /** Number of the last change sent, so numbering goes on after a reload. */
  readonly seq?: number;
}

/** The view state a saved state restores: its own fields, the defaults for the rest (filters field by field). */
export function restoreViewState(saved: PersistedState | undefined): ViewState {
  const state: ViewState = { ...DEFAULT_VIEW_STATE };
  for (const key of Object.keys(DEFAULT_VIEW_STATE) as (keyof ViewState)[]) {
    if (saved?.[key] !== undefined) (state as unknown as Record<string, unknown>)[key] = saved[key];
  }
  state.filters = { ...DEFAULT_FILTERS, ...saved?.filters };
  return state;
}

/** Another dataset opened in the panel: start over, keeping only the reviewer's habits (heatmap open, recent labels). */
export function viewStateForNewDataset(current: ViewState): ViewState {
  return { ...DEFAULT_VIEW_STATE, swapsOpen: current.swapsOpen, recentLabels: current.recentLabels };
}

/** The state to save. */
export function persistedState(datasetRoot: string | undefined, seq: number, state: ViewState): PersistedState {
  return { datasetRoot, seq, ...state };
}
