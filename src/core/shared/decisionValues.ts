/**
 * Small pure operations on decisions, shared by the host (decision store, review log) and the
 * webview (through src/protocol): no Node imports, so both sides use one copy.
 */
import type { Decision, Decisions } from './types';

/** The decisions after `changes` (null takes a decision back), as a new object; `decisions` is not modified. */
export function withChanges(
  decisions: Decisions,
  changes: readonly { readonly path: string; readonly decision: Decision | null }[],
): Decisions {
  // A Map, then Object.fromEntries: a path such as "__proto__" stays an entry (see ownValue.ts).
  const next = new Map(Object.entries(decisions));
  for (const { path, decision } of changes) {
    if (decision === null) next.delete(path);
    else next.set(path, decision);
  }
  return Object.fromEntries(next);
}

/** Two decisions are the same (action and, for relabel, label); `null` (pending) equals only `null`. */
export function sameDecision(a: Decision | null, b: Decision | null): boolean {
  if (a === null || b === null) return a === b;
  return a.action === b.action && (a.action !== 'relabel' || (b.action === 'relabel' && a.label === b.label));
}
