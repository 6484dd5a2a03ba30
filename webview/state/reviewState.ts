/**
 * The review logic of the webview, with no DOM: which suspects the filters let through and in what
 * order, the selection (click, shift/ctrl click, arrows, select all), what an action decides for each
 * selected sample, undo, and the "N reviewed of M" counter. Everything here is a pure function of its
 * arguments so it is unit-tested in Node (test/unit/webview/reviewState.unit.test.ts).
 */
import type { Region } from './mapState';
import type { ClassAction, Decision, DecisionChange, Decisions, SuspectView } from '../../src/protocol/webview';
import { mapClass } from '../../src/core/shared/classActions';
import { sameDecision, withChanges } from '../../src/core/shared/decisionValues';
import { ownValue } from '../../src/core/shared/ownValue';

/** Which decision states the grid shows. */
export type DecisionFilter = 'all' | 'pending' | 'decided' | 'keep' | 'relabel' | 'remove';

/** The order of the grid. `suspicion` keeps the host's order: flagged first, most suspect first. */
export type SortOrder = 'suspicion' | 'given' | 'suggested';

/** What the user narrowed the grid to. `null` class = any class. */
export interface Filters {
  readonly given: string | null;
  readonly suggested: string | null;
  /** Inclusive score range, within [0, 1]. */
  readonly minScore: number;
  readonly maxScore: number;
  readonly decision: DecisionFilter;
  /** Also show the samples the audit did not flag (listed after the flagged ones). */
  readonly includeUnflagged: boolean;
  readonly sort: SortOrder;
  /** A box or lasso drawn on the embedding map: only the samples inside it (mapState.ts). */
  readonly region: Region | null;
}

/** The filters of a fresh panel: every flagged suspect, most suspect first. */
export const DEFAULT_FILTERS: Filters = {
  given: null,
  suggested: null,
  minScore: 0,
  maxScore: 1,
  decision: 'all',
  includeUnflagged: false,
  sort: 'suspicion',
  region: null,
};

/** True when `filters` narrow anything beyond the defaults' flagged/unflagged choice and order. */
export function isFiltering(filters: Filters): boolean {
  return (
    filters.given !== null ||
    filters.suggested !== null ||
    filters.minScore > 0 ||
    filters.maxScore < 1 ||
    filters.decision !== 'all' ||
    filters.region !== null
  );
}

/** Filters with every narrowing removed, keeping the flagged/unflagged choice and the order. */
export function clearFilters(filters: Filters): Filters {
  return { ...DEFAULT_FILTERS, includeUnflagged: filters.includeUnflagged, sort: filters.sort };
}

/**
 * The suspects the grid shows, in display order.
 * @param suspects - In the host's order (flagged first, most suspect first).
 * @param inRegion - The paths inside `filters.region` (mapState.ts), when it is set.
 * @returns Indices into `suspects`.
 */
export function visibleSuspects(
  suspects: readonly SuspectView[],
  decisions: Decisions,
  filters: Filters,
  inRegion?: ReadonlySet<string>,
): number[] {
  const indices: number[] = [];
  suspects.forEach((s, i) => {
    if (!filters.includeUnflagged && !s.flagged) return;
    if (filters.region !== null && inRegion && !inRegion.has(s.path)) return;
    if (filters.given !== null && s.givenLabel !== filters.given) return;
    if (filters.suggested !== null && s.suggestedLabel !== filters.suggested) return;
    if (s.score < filters.minScore || s.score > filters.maxScore) return;
    if (!matchesDecision(ownValue(decisions, s.path), filters.decision)) return;
    indices.push(i);
  });
  if (filters.sort === 'suspicion') return indices;
  const key = filters.sort === 'given' ? 'givenLabel' : 'suggestedLabel';
  // One bucket per class, in the host's (suspicion) order, then the buckets in class order: linear,
  // where comparing class names n log n times took seconds for 100 000 samples.
  const buckets = new Map<string, number[]>();
  for (const i of indices) {
    const name = suspects[i][key];
    const bucket = buckets.get(name);
    if (bucket) bucket.push(i);
    else buckets.set(name, [i]);
  }
  return [...buckets.keys()].sort(compareLabels).flatMap((name) => buckets.get(name) ?? []);
}

function matchesDecision(decision: Decision | undefined, filter: DecisionFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'pending':
      return decision === undefined;
    case 'decided':
      return decision !== undefined;
    default:
      return decision?.action === filter;
  }
}

/** Class names compare as numbers when both are numbers ("2" before "10"), else as text. */
function compareLabels(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

/** The counter "N reviewed of M". */
export interface ReviewCounts {
  /** Samples in the review set (the flagged ones, or all shown with `includeUnflagged`) with a decision. */
  readonly reviewed: number;
  /** Samples in the review set. */
  readonly total: number;
}

/** Counts decided samples among the flagged suspects (or among all listed ones with `includeUnflagged`). */
export function reviewCounts(
  suspects: readonly SuspectView[],
  decisions: Decisions,
  includeUnflagged: boolean,
): ReviewCounts {
  let total = 0;
  let reviewed = 0;
  for (const s of suspects) {
    if (!includeUnflagged && !s.flagged) continue;
    total++;
    if (ownValue(decisions, s.path) !== undefined) reviewed++;
  }
  return { reviewed, total };
}

// ---- selection ----

/** The selection, by sample path so it survives filtering, new reports and reloads. */
export interface Selection {
  /** The card the keyboard acts from (and the preview shows). */
  readonly focus: string | null;
  /** Where a shift-click or shift-arrow range starts. */
  readonly anchor: string | null;
  /** Selected cards; always includes `focus` when there is one. */
  readonly selected: readonly string[];
}

/** Nothing selected. */
export const EMPTY_SELECTION: Selection = { focus: null, anchor: null, selected: [] };

/** Selects exactly one card. */
export function selectOnly(path: string): Selection {
  return { focus: path, anchor: path, selected: [path] };
}

/**
 * A mouse click on a card.
 * @param visible - Paths in display order.
 * @param modifiers.range - Shift: select from the anchor to here. `toggle` - Ctrl/Cmd: add or remove this card.
 */
export function clickCard(
  selection: Selection,
  visible: readonly string[],
  path: string,
  modifiers: { range?: boolean; toggle?: boolean } = {},
): Selection {
  if (modifiers.range && selection.anchor !== null && visible.includes(selection.anchor)) {
    const range = pathsBetween(visible, selection.anchor, path);
    const selected = modifiers.toggle ? union(selection.selected, range) : range;
    return { focus: path, anchor: selection.anchor, selected };
  }
  if (modifiers.toggle) {
    const isSelected = selection.selected.includes(path);
    const selected = isSelected ? selection.selected.filter((p) => p !== path) : [...selection.selected, path];
    return { focus: path, anchor: path, selected };
  }
  return selectOnly(path);
}

/**
 * Moves the focus by `delta` cards (±1 for left/right, ±columns for up/down), clamped to the list.
 * With `extend` (shift) the selection grows from the anchor, otherwise it follows the focus.
 */
export function moveFocus(selection: Selection, visible: readonly string[], delta: number, extend = false): Selection {
  if (visible.length === 0) return EMPTY_SELECTION;
  const from = selection.focus === null ? -1 : visible.indexOf(selection.focus);
  // With nothing focused, a move lands on the first card (End: the last).
  const to =
    from < 0 ? (delta === Infinity ? visible.length - 1 : 0) : Math.max(0, Math.min(visible.length - 1, from + delta));
  const path = visible[to];
  if (extend && selection.anchor !== null && visible.includes(selection.anchor)) {
    return { focus: path, anchor: selection.anchor, selected: pathsBetween(visible, selection.anchor, path) };
  }
  return selectOnly(path);
}

/** Ctrl+A: every visible card, focus kept (or the first card). */
export function selectAll(selection: Selection, visible: readonly string[]): Selection {
  if (visible.length === 0) return EMPTY_SELECTION;
  const focus = selection.focus !== null && visible.includes(selection.focus) ? selection.focus : visible[0];
  return { focus, anchor: focus, selected: [...visible] };
}

/**
 * Keeps the selection within the visible cards after the list changed: hidden cards drop out, and a
 * focus that disappeared moves to the card now at its old position (or the last one). With no focus,
 * or when the new list shares no card with the old one, the first card is selected.
 * @param previous - The visible list before the change, to find the old position.
 */
export function reconcileSelection(
  selection: Selection,
  previous: readonly string[],
  visible: readonly string[],
): Selection {
  if (visible.length === 0) return EMPTY_SELECTION;
  const shown = new Set(visible);
  // Nothing focused (the panel just opened, or a filter had emptied the list) or a list with none of
  // the previous cards (another filter, another view): the first card, so the preview shows it and
  // Enter, K and the digits act at once.
  if (selection.focus === null || !previous.some((p) => shown.has(p))) return selectOnly(visible[0]);
  const selected = selection.selected.filter((p) => shown.has(p));
  if (shown.has(selection.focus)) {
    return {
      focus: selection.focus,
      anchor: selection.anchor !== null && shown.has(selection.anchor) ? selection.anchor : selection.focus,
      selected,
    };
  }
  // The focused card went away (e.g. decided under the "pending" filter): take the next card that is
  // still shown, as a reviewer expects after dealing with one.
  const oldIndex = previous.indexOf(selection.focus);
  const next = previous.slice(oldIndex + 1).find((p) => shown.has(p)) ?? visible[visible.length - 1];
  return selected.length > 0 ? { focus: next, anchor: next, selected: [...selected, next] } : selectOnly(next);
}

/** The cards an action applies to: the selection, or the focused card alone. */
export function actionTargets(selection: Selection): string[] {
  if (selection.selected.length > 0) return [...selection.selected];
  return selection.focus === null ? [] : [selection.focus];
}

function pathsBetween(visible: readonly string[], a: string, b: string): string[] {
  const i = visible.indexOf(a);
  const j = visible.indexOf(b);
  if (i < 0 || j < 0) return [b];
  return visible.slice(Math.min(i, j), Math.max(i, j) + 1);
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

// ---- decisions and undo ----

/** What a reviewer can do to a card. */
export type ReviewAction =
  | { readonly kind: 'accept' }
  | { readonly kind: 'keep' }
  | { readonly kind: 'relabel'; readonly label: string }
  | { readonly kind: 'remove' };

/**
 * The decision an action makes for one sample. Accepting the suggestion relabels to the suggested
 * class; relabeling to the label it already has is the same as keeping it.
 */
export function decisionFor(
  action: ReviewAction,
  suspect: Pick<SuspectView, 'givenLabel' | 'suggestedLabel'>,
): Decision {
  switch (action.kind) {
    case 'keep':
    case 'remove':
      return { action: action.kind };
    case 'accept':
      return relabelOrKeep(suspect.givenLabel, suspect.suggestedLabel);
    case 'relabel':
      return relabelOrKeep(suspect.givenLabel, action.label);
  }
}

function relabelOrKeep(given: string, label: string): Decision {
  return label === given ? { action: 'keep' } : { action: 'relabel', label };
}

/** One undoable step: how to put the decisions back, and which cards it was about. */
export interface UndoEntry {
  /** Restores each sample's decision from before the step (`null` = it was pending). */
  readonly restore: readonly DecisionChange[];
  /** A class merge or rename: the class actions from before the step. */
  readonly classActions?: readonly ClassAction[];
}

/** Undo steps kept; older ones are dropped. */
export const UNDO_LIMIT = 200;

/**
 * The changes an action makes to `targets`, and the undo step that reverts them. Samples whose
 * decision would not change are left out; an action that changes nothing yields no undo step.
 */
export function planAction(
  action: ReviewAction,
  targets: readonly Pick<SuspectView, 'path' | 'givenLabel' | 'suggestedLabel'>[],
  decisions: Decisions,
): { changes: DecisionChange[]; undo: UndoEntry | undefined } {
  const changes: DecisionChange[] = [];
  const restore: DecisionChange[] = [];
  for (const suspect of targets) {
    const decision = decisionFor(action, suspect);
    const before = ownValue(decisions, suspect.path);
    if (before !== undefined && sameDecision(before, decision)) continue;
    changes.push({ path: suspect.path, decision });
    restore.push({ path: suspect.path, decision: before ?? null });
  }
  return { changes, undo: restore.length > 0 ? { restore } : undefined };
}

/** The decisions after `changes` (a new object; `decisions` is not modified). */
export function applyChanges(decisions: Decisions, changes: readonly DecisionChange[]): Decisions {
  return withChanges(decisions, changes);
}

/** The stack with `entry` on top, at most {@link UNDO_LIMIT} deep. */
export function pushUndo(stack: readonly UndoEntry[], entry: UndoEntry): UndoEntry[] {
  const next = [...stack, entry];
  return next.length > UNDO_LIMIT ? next.slice(next.length - UNDO_LIMIT) : next;
}

/** Takes the newest step off the stack; `entry` is undefined when there is nothing to undo. */
export function popUndo(stack: readonly UndoEntry[]): { entry: UndoEntry | undefined; stack: UndoEntry[] } {
  if (stack.length === 0) return { entry: undefined, stack: [] };
  return { entry: stack[stack.length - 1], stack: stack.slice(0, -1) };
}

/** The selection after an undo: the cards the step was about, the first one focused. */
export function selectionAfterUndo(entry: UndoEntry, visible: readonly string[]): Selection {
  const shown = new Set(visible);
  const paths = entry.restore.map((c) => c.path).filter((p) => shown.has(p));
  if (paths.length === 0) return EMPTY_SELECTION;
  return { focus: paths[0], anchor: paths[0], selected: paths };
}

// ---- keyboard class picking ----

/**
 * The class a digit key picks. When every class is itself a single digit (a digits dataset), the
 * key names the class ("3" → class "3"), because picking the n-th class would turn "3" into class
 * "2" there. Otherwise keys 1–9 pick the 1st to 9th class.
 *
 * Keys belong to the report's own classes and then follow the class actions: renaming "1" to "one"
 * must not shift every other key (which deciding from the renamed list would do), and after merging
 * "7" into "1" both keys pick "1".
 * @param classes - The report's classes, before any class action.
 * @param actions - The class actions, applied to the class the key picks.
 * @returns The class name, or undefined when the key picks none.
 */
export function classForDigit(
  classes: readonly string[],
  digit: number,
  actions: readonly ClassAction[] = [],
): string | undefined {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) return undefined;
  const picked =
    classes.length > 0 && classes.every((c) => /^\d$/.test(c))
      ? classes.includes(String(digit))
        ? String(digit)
        : undefined
      : digit >= 1
        ? classes[digit - 1]
        : undefined;
  return picked === undefined ? undefined : mapClass(picked, actions);
}

/** A digit key and the class it relabels to. */
export interface DigitKey {
  readonly key: string;
  readonly label: string;
}

/** The digit key for each class that has one, as the help overlay lists them (arguments as {@link classForDigit}). */
export function digitKeys(classes: readonly string[], actions: readonly ClassAction[] = []): DigitKey[] {
  const keys: DigitKey[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const label = classForDigit(classes, digit, actions);
    if (label !== undefined) keys.push({ key: String(digit), label });
  }
  return keys;
}

// ---- the acknowledged state of decisions ----

/**
 * Whether a `decisions/didChange` from the host should replace the webview's (optimistic) decisions.
 * The webview applies its own changes at once and numbers them; an answer that does not yet include
 * the newest change would briefly undo it on screen, so it waits for the one that does.
 * @param ack - The highest change number the host has applied, or undefined for a change from elsewhere.
 * @param lastSent - The newest change number the webview sent (0 = none).
 */
export function acceptsHostDecisions(ack: number | undefined, lastSent: number, lastAcked: number): boolean {
  if (ack === undefined) return lastAcked >= lastSent;
  return ack >= lastSent;
}
