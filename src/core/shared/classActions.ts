/**
 * Class-level decisions (merge two classes, rename one) as a label mapping. Pure and free of Node
 * imports: the review webview uses the same functions (through src/protocol) to show the classes as
 * they will be exported, and export applies them to every label.
 *
 * Order, documented in README ("Class actions"): class actions first, in the order they were made,
 * each turning every label `from` into its target; a chain (rename a→b, then merge b into c) ends at
 * c. Then each sample's own decision: remove drops it, keep keeps its (mapped) label, relabel sets
 * its label, which also goes through the class actions, so a relabel to a class merged away later
 * follows the merge instead of bringing the old class back.
 */
import type { ClassAction, Decisions } from './types';

/** The class a label ends up in after `actions` (the label itself when no action touches it). */
export function mapClass(label: string, actions: readonly ClassAction[]): string {
  let current = label;
  for (const action of actions) {
    if (action.from === current) current = classActionTarget(action);
  }
  return current;
}

/** The class an action turns `from` into. */
export function classActionTarget(action: ClassAction): string {
  return action.action === 'merge' ? action.into : action.to;
}

/**
 * The classes after `actions`, each once, in the dataset's order: a class that keeps its name keeps
 * its place (a merge target included), a renamed class takes the place of its source, a merged
 * class disappears into its target.
 */
export function classesAfter(classes: readonly string[], actions: readonly ClassAction[]): string[] {
  const mapped = classes.map((name) => mapClass(name, actions));
  const place = (name: string) => {
    const own = classes.indexOf(name);
    return own >= 0 && mapped[own] === name ? own : mapped.indexOf(name);
  };
  return [...new Set(mapped)].sort((a, b) => place(a) - place(b));
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what we reject
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Why `label` cannot be a class name, or undefined when it can. Surrounding whitespace is refused
 * because the manifest readers trim cells, so " cat" would come back as "cat" after a round trip.
 * Any other character is allowed, "/" included: folder-per-class datasets export a manifest, so a
 * class name never has to be a folder name.
 */
export function labelProblem(label: unknown): string | undefined {
  if (typeof label !== 'string')
    return `must be a string, got ${label === undefined ? 'nothing' : `${typeof label} ${JSON.stringify(label)}`}`;
  if (label.trim() === '') return 'must not be empty';
  if (label !== label.trim()) return `must not start or end with whitespace, got ${JSON.stringify(label)}`;
  if (CONTROL_CHARACTER.test(label)) return `must not contain control characters, got ${JSON.stringify(label)}`;
  return undefined;
}

/**
 * Why `value` is not a {@link ClassAction}, or undefined when it is one: exactly the fields of its
 * action, usable class names, and a target other than its source.
 */
export function classActionProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  const record = value as Record<string, unknown>;
  const targetKey = record.action === 'merge' ? 'into' : record.action === 'rename' ? 'to' : undefined;
  if (targetKey === undefined)
    return `"action" must be "merge" or "rename", got ${JSON.stringify(record.action) ?? 'nothing'}`;
  for (const key of Object.keys(record)) {
    if (!['action', 'from', targetKey].includes(key))
      return `unexpected field "${key}" for action "${String(record.action)}" (expected action, from, ${targetKey})`;
  }
  for (const key of ['from', targetKey]) {
    const problem = labelProblem(record[key]);
    if (problem !== undefined) return `"${key}" ${problem}`;
  }
  if (record.from === record[targetKey])
    return `"${targetKey}" must differ from "from" (${JSON.stringify(record.from)})`;
  return undefined;
}

/**
 * Why `action` cannot be added after `existing` on a dataset with `classes`, or undefined when it
 * can: the source must be a class as the reviewer now sees them, a merge must go into another such
 * class, and a rename must pick a name no class has (renaming onto a class is a merge: say so).
 */
export function newClassActionProblem(
  action: ClassAction,
  classes: readonly string[],
  existing: readonly ClassAction[],
): string | undefined {
  const current = classesAfter(classes, existing);
  if (!current.includes(action.from)) return `there is no class "${action.from}"`;
  const target = classActionTarget(action);
  if (action.action === 'merge' && !current.includes(target)) return `there is no class "${target}" to merge into`;
  if (action.action === 'rename' && current.includes(target))
    return `a class "${target}" exists already: merge into it instead`;
  // Relabels are stored under the names the reviewer saw and follow every action (mapClass), so a
  // name that an earlier action took away must stay retired: given to another class, it would pull
  // the relabels made under the old meaning along (rename a→b, then c→a, sends relabels "a" to b).
  if (existing.some((earlier) => earlier.from === target)) {
    return `"${target}" was the name of a class merged or renamed earlier; reusing it would mix up relabels made under either name`;
  }
  return classActionProblem(action);
}

/**
 * Why `actions`, in order, cannot apply to a dataset with `classes`, or undefined when they can: each
 * must make sense after the ones before it ({@link newClassActionProblem}).
 */
export function classActionsProblem(actions: readonly ClassAction[], classes: readonly string[]): string | undefined {
  for (const [i, action] of actions.entries()) {
    const problem = newClassActionProblem(action, classes, actions.slice(0, i));
    if (problem !== undefined) return `class action ${i + 1} (${action.action} "${action.from}"): ${problem}`;
  }
  return undefined;
}

/**
 * The relabel targets of `decisions` that name no class once `actions` apply (each once). The panel
 * only relabels to classes it shows, so this happens when a class action is taken back after
 * relabels to the class it created (rename cat→feline, relabel to "feline", undo the rename).
 */
export function strandedRelabels(
  decisions: Decisions,
  classes: readonly string[],
  actions: readonly ClassAction[],
): string[] {
  const after = new Set(classesAfter(classes, actions));
  const stranded = new Set<string>();
  for (const decision of Object.values(decisions)) {
    if (decision.action === 'relabel' && !after.has(mapClass(decision.label, actions))) stranded.add(decision.label);
  }
  return [...stranded];
}
