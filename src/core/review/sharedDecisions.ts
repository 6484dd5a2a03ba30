import { readDecisionsDocument, writeDecisions, type ReviewDecisions } from './decisions';
import { withFileLock } from '../fileLock';
import { withChanges } from '../shared/decisionValues';
import type { ClassAction, Decision } from '../shared/types';

/**
 * Saving decisions when more than one writer shares the decisions file (two editor windows on one
 * dataset, or a window and a script). Each writer sends only what it changed since it last saw the
 * file, and the change is applied to the file as it is now, under a lock: read, merge, write. So a
 * writer never puts back its stale copy of another's decisions, and an undo (which sends the
 * previous decision of the samples it takes back) touches only those samples.
 */

/** What one writer changed since it last saw the file. */
export interface DecisionsDelta {
  /** Per-sample changes; null takes the sample's decision back. */
  readonly changes: ReadonlyMap<string, Decision | null>;
  /**
   * The class actions, when the writer changed them: the list it started from and the list it wants.
   * Merged against the file (see {@link mergeClassActions}).
   */
  readonly classActions?: { readonly base: readonly ClassAction[]; readonly next: readonly ClassAction[] };
}

/** The lock file guarding `decisionsFile`. */
export function decisionsLockPath(decisionsFile: string): string {
  return `${decisionsFile}.lock`;
}

/**
 * Applies `delta` to the decisions file as it is on disk, under its lock, and returns what the file
 * now holds (the other writers' decisions included).
 * @throws AuditError('decisionsMalformed') when the file on disk or a decision is not valid (nothing
 *   is written then); AuditError('busy') when another writer keeps the lock for 10 s.
 */
export function saveDecisionsDelta(
  file: string,
  delta: DecisionsDelta,
  now: Date = new Date(),
): Promise<ReviewDecisions> {
  return withFileLock(
    decisionsLockPath(file),
    async () => {
      const onDisk = await readDecisionsDocument(file, { missing: 'empty' });
      const decisions = withChanges(
        onDisk.decisions,
        [...delta.changes].map(([path, decision]) => ({ path, decision })),
      );
      const classActions = delta.classActions
        ? mergeClassActions(onDisk.classActions, delta.classActions.base, delta.classActions.next)
        : onDisk.classActions;
      await writeDecisions(file, decisions, now, classActions);
      return { decisions, classActions };
    },
    { what: `the decisions file ${file}` },
  );
}

/**
 * A three-way merge of class action lists: when the file still holds `base`, `next` as it is;
 * otherwise the file's list without the actions this writer took back (in `base`, not in `next`)
 * followed by the ones it added (in `next`, not in `base`), in its order.
 */
export function mergeClassActions(
  onDisk: readonly ClassAction[],
  base: readonly ClassAction[],
  next: readonly ClassAction[],
): ClassAction[] {
  const key = (action: ClassAction) => JSON.stringify(action);
  const baseKeys = new Set(base.map(key));
  const nextKeys = new Set(next.map(key));
  if (onDisk.length === base.length && onDisk.every((action, i) => key(action) === key(base[i] as ClassAction)))
    return [...next];
  const diskKeys = new Set(onDisk.map(key));
  return [
    ...onDisk.filter((action) => !(baseKeys.has(key(action)) && !nextKeys.has(key(action)))),
    ...next.filter((action) => !baseKeys.has(key(action)) && !diskKeys.has(key(action))),
  ];
}
