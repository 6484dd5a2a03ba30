/**
 * The relabel picker's logic, without a DOM: which classes it lists and in what order (the suggested
 * class first, then the reviewer's recent choices, then the rest), what the type-ahead lets through,
 * and the short list of recent choices. Unit-tested in test/unit/webview/classPickerState.unit.test.ts.
 */
import { digitKeys, type DigitKey } from './reviewState';

/** One row of the picker. */
export interface PickerRow {
  readonly label: string;
  /** The digit key that picks this class in the grid (and, typed alone, in the picker). */
  readonly digit?: string;
  readonly suggested: boolean;
  readonly recent: boolean;
  /** The focused sample's current label: picking it keeps the label. */
  readonly given: boolean;
}

/** Recent choices remembered. */
export const RECENT_LIMIT = 5;

/**
 * The picker's rows before filtering: the suggested class, then recent choices (newest first), then
 * every other class in the dataset's order.
 * @param focus - The focused sample's labels, when there is one.
 * @param keys - The digit keys ({@link digitKeys}); by default those of `classes`.
 */
export function pickerRows(
  classes: readonly string[],
  focus: { readonly givenLabel: string; readonly suggestedLabel: string } | undefined,
  recent: readonly string[],
  keys: readonly DigitKey[] = digitKeys(classes),
): PickerRow[] {
  const digits = new Map(keys.map(({ key, label }) => [label, key]));
  const known = new Set(classes);
  const order = [
    ...(focus && known.has(focus.suggestedLabel) ? [focus.suggestedLabel] : []),
    ...recent.filter((label) => known.has(label)),
    ...classes,
  ];
  const recentSet = new Set(recent);
  return [...new Set(order)].map((label) => ({
    label,
    ...(digits.has(label) ? { digit: digits.get(label) } : {}),
    suggested: focus?.suggestedLabel === label,
    recent: recentSet.has(label),
    given: focus?.givenLabel === label,
  }));
}

/**
 * The rows the typed text lets through, best match first: a class spelled exactly so (ignoring case)
 * or whose digit key was typed, then classes starting with the text, then classes containing it;
 * within each group the picker's order stays. Empty text lets every row through.
 */
export function filterRows(rows: readonly PickerRow[], typed: string): PickerRow[] {
  const text = typed.trim().toLowerCase();
  if (text === '') return [...rows];
  const rank = (row: PickerRow): number => {
    const name = row.label.toLowerCase();
    if (name === text || row.digit === text) return 0;
    if (name.startsWith(text)) return 1;
    if (name.includes(text)) return 2;
    return 3;
  };
  const ranked = rows.map((row, index) => ({ row, index, rank: rank(row) })).filter((r) => r.rank < 3);
  // Array#sort is stable, but the index makes the tie-break explicit.
  return ranked.sort((a, b) => a.rank - b.rank || a.index - b.index).map((r) => r.row);
}

/** The recent choices after picking `label`: it moves to the front, at most {@link RECENT_LIMIT} kept. */
export function pushRecent(recent: readonly string[], label: string): string[] {
  return [label, ...recent.filter((l) => l !== label)].slice(0, RECENT_LIMIT);
}
