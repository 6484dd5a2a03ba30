import type * as vscode from 'vscode';
import {
  DECISIONS_VERSION,
  defaultDecisionsPath,
  parseDecisionsDocument,
  readDecisionsDocument,
  type ReviewDecisions,
} from '../../core/review/decisions';
import { saveDecisionsDelta, type DecisionsDelta } from '../../core/review/sharedDecisions';
import type { ClassAction, Decision, Decisions } from '../../core/shared/types';
import { withChanges } from '../../core/shared/decisionValues';

/** One change for {@link DecisionStore.decideMany}; `undefined` takes the decision back. */
export interface DecisionUpdate {
  readonly path: string;
  readonly decision: Decision | undefined;
}

/**
 * The review decisions of one dataset, kept in `<root>/.label-audit/decisions.json` and written on
 * every change, so closing the panel, reloading the window or killing the editor loses nothing.
 *
 * Other writers may share the file (a second editor window on the same dataset, a script), so the
 * store never writes its copy of the decisions: it keeps the changes made since it last saw the
 * file and applies them to the file as it is then, under the file's lock (`saveDecisionsDelta`:
 * read, merge, write atomically). What the others decided stays, and an undo, which sends the
 * previous decision of the samples it takes back, touches only those. {@link reload} picks up the
 * others' changes (the panel calls it when the file changes). Writes of one store are serialized:
 * each starts after the previous one ended and carries every change made until then.
 *
 * Only a type is imported from `vscode` (for the event's signature), so the store runs, and is
 * unit-tested, without an editor.
 */
export class DecisionStore {
  /** What the file held when this store last read or wrote it. */
  private onDisk: ReviewDecisions;
  /** Per-sample changes not yet written (null: taken back). */
  private pending = new Map<string, Decision | null>();
  /** The class actions wanted and the list they were changed from, when changed and not yet written. */
  private pendingClassActions: { base: readonly ClassAction[]; next: readonly ClassAction[] } | undefined;
  /** The changes of the write now running (shown until it ends, so a reload meanwhile keeps them). */
  private inFlight: DecisionsDelta | undefined;
  /** {@link onDisk} with the in-flight and pending changes applied: what the reviewer sees. */
  private current: Decisions;
  private currentClassActions: readonly ClassAction[];
  private writing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  private constructor(
    /** The file the decisions live in. */
    readonly file: string,
    initial: ReviewDecisions,
  ) {
    this.onDisk = initial;
    this.current = Object.freeze({ ...initial.decisions });
    this.currentClassActions = Object.freeze([...initial.classActions]);
  }

  /**
   * Opens the store of a dataset, reading the decisions saved so far (none when the file is missing).
   * @throws AuditError('decisionsMalformed') naming the file when it exists but is not a valid document.
   */
  static async open(datasetRoot: string): Promise<DecisionStore> {
    const file = defaultDecisionsPath(datasetRoot);
    return new DecisionStore(file, await readDecisionsDocument(file, { missing: 'empty' }));
  }

  /** The decisions as they are now (a frozen snapshot; replaced, never mutated, on change). */
  get decisions(): Decisions {
    return this.current;
  }

  /** The class merges and renames, in the order they were made (replaced, never mutated, on change). */
  get classActions(): readonly ClassAction[] {
    return this.currentClassActions;
  }

  /**
   * Replaces the class actions (the webview sends the whole list: an added action, or one taken back
   * by undo) and saves.
   * @throws AuditError('decisionsMalformed') (as a rejection) if an action is invalid; nothing changes then.
   */
  async setClassActions(actions: readonly ClassAction[]): Promise<void> {
    const copy = JSON.parse(JSON.stringify(actions)) as ClassAction[];
    parseDecisionsDocument({ version: DECISIONS_VERSION, decisions: {}, classActions: copy }, this.file);
    this.pendingClassActions = { base: this.pendingClassActions?.base ?? this.currentClassActions, next: copy };
    this.currentClassActions = Object.freeze(copy);
    this.notify();
    return this.save();
  }

  /** Fired after the decisions changed in memory (the write to disk may still be running), here or elsewhere. */
  readonly onDidChange: vscode.Event<void> = (listener, thisArgs, disposables) => {
    const bound = () => listener.call(thisArgs);
    this.listeners.add(bound);
    const subscription = { dispose: () => void this.listeners.delete(bound) };
    if (Array.isArray(disposables)) disposables.push(subscription);
    return subscription;
  };

  /**
   * Records a decision for one sample, or takes it back with `undefined`, and saves.
   * @returns when the file holds this change (or a later state).
   * @throws AuditError('decisionsMalformed') if the decision is invalid, or the write error.
   */
  decide(path: string, decision: Decision | undefined): Promise<void> {
    return this.decideMany([{ path, decision }]);
  }

  /**
   * Applies several changes at once (bulk actions) with a single write.
   * @throws AuditError('decisionsMalformed') (as a rejection) if a decision is invalid; nothing changes then.
   */
  async decideMany(updates: readonly DecisionUpdate[]): Promise<void> {
    const changes = updates.map(({ path, decision }) => ({ path, decision: decision ?? null }));
    const next = withChanges(this.current, changes);
    // Check before adopting: an invalid decision kept in memory would make every later write fail.
    parseDecisionsDocument({ version: DECISIONS_VERSION, decisions: JSON.parse(JSON.stringify(next)) }, this.file);
    for (const { path, decision } of changes) this.pending.set(path, decision);
    this.current = Object.freeze(next);
    this.notify();
    return this.save();
  }

  /**
   * Reads the file again to pick up changes made elsewhere (changes of this store not yet written
   * stay on top), and tells the listeners when what the reviewer sees changed.
   * @returns true when the decisions or class actions changed.
   * @throws AuditError('decisionsMalformed') when the file is not a valid document (the store keeps
   *   what it had).
   */
  async reload(): Promise<boolean> {
    const onDisk = await readDecisionsDocument(this.file, { missing: 'empty' });
    this.onDisk = onDisk;
    return this.showOnDisk();
  }

  /** Resolves when every write started so far has finished. */
  flush(): Promise<void> {
    return this.writing.catch(() => undefined);
  }

  /** Drops the listeners; pending writes still complete. */
  dispose(): void {
    this.listeners.clear();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Recomputes what the reviewer sees from {@link onDisk} and the pending changes; true when it changed. */
  private showOnDisk(): boolean {
    const changes = [...(this.inFlight?.changes ?? []), ...this.pending];
    const decisions = withChanges(
      this.onDisk.decisions,
      changes.map(([path, decision]) => ({ path, decision })),
    );
    const classActions =
      this.pendingClassActions?.next ?? this.inFlight?.classActions?.next ?? this.onDisk.classActions;
    const changed =
      JSON.stringify(sortedEntries(decisions)) !== JSON.stringify(sortedEntries(this.current)) ||
      JSON.stringify(classActions) !== JSON.stringify(this.currentClassActions);
    if (!changed) return false;
    this.current = Object.freeze(decisions);
    this.currentClassActions = Object.freeze([...classActions]);
    this.notify();
    return true;
  }

  private save(): Promise<void> {
    // Chain on the previous write whether it failed or not; when our turn comes, take every change
    // made until then (a burst of decisions thus ends in one or two writes).
    const write = this.writing
      .catch(() => undefined)
      .then(async () => {
        if (this.pending.size === 0 && this.pendingClassActions === undefined) return;
        const delta: DecisionsDelta = {
          changes: this.pending,
          ...(this.pendingClassActions ? { classActions: this.pendingClassActions } : {}),
        };
        this.pending = new Map();
        this.pendingClassActions = undefined;
        this.inFlight = delta;
        try {
          this.onDisk = await saveDecisionsDelta(this.file, delta);
          this.inFlight = undefined;
        } catch (error) {
          this.inFlight = undefined;
          // Keep the unwritten changes (under any newer ones) so the next save retries them.
          for (const [path, decision] of delta.changes) if (!this.pending.has(path)) this.pending.set(path, decision);
          // (A cast: TypeScript does not see that a write's await lets new changes arrive.)
          const newer = this.pendingClassActions as DecisionsDelta['classActions'];
          if (delta.classActions)
            this.pendingClassActions = { base: delta.classActions.base, next: newer?.next ?? delta.classActions.next };
          throw error;
        }
        this.showOnDisk();
      });
    this.writing = write;
    return write;
  }
}

function sortedEntries(decisions: Decisions): [string, Decision][] {
  return Object.entries(decisions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
