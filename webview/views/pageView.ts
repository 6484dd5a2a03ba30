/**
 * What the review page's views (Suspects, Spot check, Conflicts, Classes) share: each shows itself
 * for the current content and view state and says what the page around it needs — the cards the
 * grid lists, or what to say instead of an empty grid. The page (reviewApp.ts) picks the view,
 * hides the others, and does the rest: toolbar, selection, decisions.
 */
import type { ClassAction, Decisions, ReviewContent, SuspectView } from '../../src/protocol/webview';
import type { ReviewCounts } from '../state/reviewState';
import type { ViewState } from '../state/viewState';

export type ReadyContent = Extract<ReviewContent, { status: 'ready' }>;

/** Everything a view may read to show itself. */
export interface ViewContext {
  readonly content: ReadyContent;
  /** Decisions as shown (class actions applied). */
  readonly decisions: Decisions;
  readonly state: ViewState;
  readonly classActions: readonly ClassAction[];
  /** The review counts of the toolbar ("N reviewed of M"). */
  readonly counts: ReviewCounts;
  /** The samples inside the map region the filters hold, when they hold one (mapState.ts). */
  readonly region?: RegionSamples;
}

/** A map region's samples: a mask over the map's points and their paths. */
export interface RegionSamples {
  readonly mask: Uint8Array;
  readonly paths: ReadonlySet<string>;
}

/** A message in place of the grid, with at most one way out. */
export interface EmptyState {
  readonly title: string;
  readonly detail: string;
  readonly action?: { readonly text: string; run(): void };
  /** Nothing to filter either: hide the toolbar too. */
  readonly hideToolbar?: boolean;
}

/** What a view tells the page after showing itself. */
export interface ViewOutcome {
  /** The cards the grid lists, in order; absent for a view without the grid. */
  readonly cards?: readonly SuspectView[];
  readonly empty?: EmptyState;
}

/** One of the page's views. */
export interface PageView {
  /** Whether this report has the view at all (a report without conflicts has no Conflicts view). */
  available(content: ReadyContent): boolean;
  show(context: ViewContext): ViewOutcome;
  hide(): void;
}
