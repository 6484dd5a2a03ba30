import type * as vscode from 'vscode';
import {
  DECISIONS_VERSION,
  defaultDecisionsPath,
  parseDecisionsDocument,
  readDecisionsDocument,
  writeDecisions,
} from '../../core/review/decisions';
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
 * Writes are atomic (temp file + rename, through `writeDecisions`) and serialized: each write starts
 * after the previous one ended and stores the state as it is then, so the file never goes back to an
 * older state and two renames never race.
 *
 * Only a type is imported from `vscode` (for the event's signature), so the store runs, and is
 * unit-tested, without an editor.
 */
export class DecisionStore {
  private current: Decisions;
  private currentClassActions: readonly ClassAction[];
  private writing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  private constructor(
    /** The file the decisions live in. */
    readonly file: string,
    initial: Decisions,
    initialClassActions: readonly ClassAction[],
  ) {
    this.current = initial;
    this.currentClassActions = initialClassActions;
  }

  /**
   * Opens the store of a dataset, reading the decisions saved so far (none when the file is missing).
   * @throws AuditError('decisionsMalformed') naming the file when it exists but is not a valid document.
   */
  static async open(datasetRoot: string): Promise<DecisionStore> {
    const file = defaultDecisionsPath(datasetRoot);
    const { decisions, classActions } = await readDecisionsDocument(file, { missing: 'empty' });
    return new DecisionStore(file, decisions, classActions);
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
    this.currentClassActions = Object.freeze(copy);
    for (const listener of [...this.listeners]) listener();
    return this.save();
  }

  /** Fired after the decisions changed in memory (the write to disk may still be running). */
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
    const next = withChanges(
      this.current,
      updates.map(({ path, decision }) => ({ path, decision: decision ?? null })),
    );
    // Check before adopting: an invalid decision kept in memory would make every later write fail.
    parseDecisionsDocument({ version: DECISIONS_VERSION, decisions: JSON.parse(JSON.stringify(next)) }, this.file);
    this.current = Object.freeze(next);
    for (const listener of [...this.listeners]) listener();
    return this.save();
  }

  /** Resolves when every write started so far has finished. */
  flush(): Promise<void> {
    return this.writing.catch(() => undefined);
  }

  /** Drops the listeners; pending writes still complete. */
  dispose(): void {
    this.listeners.clear();
  }

  private save(): Promise<void> {
    // Chain on the previous write whether it failed or not, and write the state current when our turn
    // comes: a burst of decisions thus ends with the newest state on disk.
    const write = this.writing
      .catch(() => undefined)
      .then(() => writeDecisions(this.file, this.current, new Date(), this.currentClassActions));
    this.writing = write;
    return write;
  }
}
