/**
 * Objects keyed by names that come from the data (class names, sample paths). On a plain object
 * `obj["constructor"]` answers `Object` and `obj["toString"]` a function, and assigning
 * `obj["__proto__"]` replaces the prototype instead of adding an entry; so such objects are read
 * through {@link ownValue} and built with `Object.fromEntries` (which defines own properties).
 * Types only from core, no Node: the webview uses it too (through src/protocol).
 */
import type { Decision, Decisions } from './types';

/** `record[key]` when the record itself holds `key`; undefined for a missing or inherited name. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The decisions after `changes` (null takes a decision back), as a new object; `decisions` is not modified. */
export function withChanges(decisions: Decisions, changes: readonly { readonly path: string; readonly decision: Decision | null }[]): Decisions {
  const next = new Map(Object.entries(decisions));
  for (const { path, decision } of changes) {
    if (decision === null) next.delete(path);
    else next.set(path, decision);
  }
  return Object.fromEntries(next);
}
