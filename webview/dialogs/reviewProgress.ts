/**
 * Review bookkeeping without a DOM: how far the review of the flagged suspects has come, overall and
 * per class, and where the next card without a decision is. Unit-tested in
 * test/unit/webview/reviewProgress.unit.test.ts.
 */
import type { Decisions, SuspectView } from '../../src/protocol/webview';
import { ownValue } from '../../src/core/shared/ownValue';

/** Counts of one group of suspects. `accepted` relabels follow the suggestion, `relabeled` ones pick another class. */
export interface ProgressTally {
  readonly total: number;
  readonly reviewed: number;
  readonly accepted: number;
  readonly relabeled: number;
  readonly removed: number;
  readonly kept: number;
}

/** The progress summary: every flagged suspect, and per given class (the dataset's order). */
export interface ReviewProgress {
  readonly overall: ProgressTally;
  readonly perClass: readonly { readonly label: string; readonly tally: ProgressTally }[];
}

type MutableTally = { -readonly [K in keyof ProgressTally]: number };

const emptyTally = (): MutableTally => ({ total: 0, reviewed: 0, accepted: 0, relabeled: 0, removed: 0, kept: 0 });

/**
 * Tallies the decisions on the flagged suspects.
 * @param suspects - The listed samples; unflagged ones (browsed or spot-checked) are not counted.
 * @param classes - The dataset's classes, to order the per-class rows; classes without a suspect are left out.
 */
export function reviewProgress(
  suspects: readonly SuspectView[],
  decisions: Decisions,
  classes: readonly string[],
): ReviewProgress {
  const overall = emptyTally();
  const byClass = new Map<string, MutableTally>();
  for (const s of suspects) {
    if (!s.flagged) continue;
    let tally = byClass.get(s.givenLabel);
    if (!tally) byClass.set(s.givenLabel, (tally = emptyTally()));
    for (const t of [overall, tally]) {
      t.total++;
      const decision = ownValue(decisions, s.path);
      if (decision === undefined) continue;
      t.reviewed++;
      if (decision.action === 'keep') t.kept++;
      else if (decision.action === 'remove') t.removed++;
      else if (decision.label === s.suggestedLabel) t.accepted++;
      else t.relabeled++;
    }
  }
  const order = [...classes, ...[...byClass.keys()].filter((c) => !classes.includes(c))];
  return {
    overall,
    perClass: order
      .filter((label) => byClass.has(label))
      .map((label) => ({ label, tally: byClass.get(label) as ProgressTally })),
  };
}

/**
 * The next card without a decision after `focus`, wrapping around to the top; undefined when every
 * card shown has one. With nothing focused the search starts at the first card.
 * @param visible - Paths in display order.
 */
export function nextUnreviewed(
  visible: readonly string[],
  decisions: Decisions,
  focus: string | null,
): string | undefined {
  const start = focus === null ? -1 : visible.indexOf(focus);
  for (let step = 1; step <= visible.length; step++) {
    const path = visible[(start + step + visible.length) % visible.length];
    if (ownValue(decisions, path) === undefined) return path;
  }
  return undefined;
}
