import { resolve } from 'node:path';
import { mapClass } from '../shared/classActions';
import { AuditError } from '../errors';
import type { ClassAction, Dataset, Decisions } from '../shared/types';

/**
 * What the review makes of each sample (keep, relabel, remove, or a class merge/rename), and which
 * change each entry of the label source gets. The writers and the decisions log only read these.
 */

/** The effect of the review on one sample. */
export type Outcome =
  | { readonly action: 'keep' | 'unchanged'; readonly label: string }
  | { readonly action: 'relabel'; readonly label: string }
  /** No decision of its own, but its class was merged or renamed. */
  | { readonly action: 'merge' | 'rename'; readonly label: string }
  | { readonly action: 'remove' };

/** Every sample's outcome, keyed by sample path. */
export type Outcomes = ReadonlyMap<string, Outcome>;

/** How many samples got each outcome, as reported by the export. */
export interface OutcomeCounts {
  /** Samples decided 'keep' (including a relabel to the label they already had). */
  kept: number;
  /** Samples whose label changed. */
  relabeled: number;
  /** Samples left out of the cleaned file. */
  removed: number;
  /** Samples without a decision, written with their given label. */
  unchanged: number;
  /** Samples without a decision whose label changed through a class merge or rename. */
  classChanged: number;
}

/**
 * The outcome of every sample, keyed by sample path, after checking that each decision names a
 * sample. Class actions first: every label goes through them (a sample without a decision whose
 * class was merged or renamed gets that class). Then the sample's decision: a relabel's label goes
 * through the class actions too, and a relabel that ends at the label the sample already has
 * changes nothing, so it counts as a keep; a keep keeps the label its class now has.
 * @throws AuditError('decisionsMalformed') when a decision names a path that is not a sample.
 */
export function decideOutcomes(
  dataset: Dataset,
  decisions: Decisions,
  classActions: readonly ClassAction[],
): Map<string, Outcome> {
  const givenLabels = new Map(dataset.samples.map((sample) => [sample.path, sample.label]));
  const outcomes = new Map<string, Outcome>(
    dataset.samples.map((sample) => [sample.path, classOutcome(sample.label, classActions)]),
  );
  for (const [path, decision] of Object.entries(decisions)) {
    const given = givenLabels.get(path);
    if (given === undefined) throw unknownPath(dataset, path);
    const relabeled = decision.action === 'relabel' ? mapClass(decision.label, classActions) : undefined;
    if (decision.action === 'remove') outcomes.set(path, { action: 'remove' });
    else if (relabeled !== undefined && relabeled !== given)
      outcomes.set(path, { action: 'relabel', label: relabeled });
    else outcomes.set(path, { action: 'keep', label: mapClass(given, classActions) });
  }
  return outcomes;
}

/** Counts the outcomes by kind. */
export function countOutcomes(outcomes: Outcomes): OutcomeCounts {
  const counts = { kept: 0, relabeled: 0, removed: 0, unchanged: 0, classChanged: 0 };
  for (const outcome of outcomes.values()) {
    if (outcome.action === 'keep') counts.kept++;
    else if (outcome.action === 'relabel') counts.relabeled++;
    else if (outcome.action === 'remove') counts.removed++;
    else if (outcome.action === 'unchanged') counts.unchanged++;
    else counts.classChanged++;
  }
  return counts;
}

/** A sample without a decision: its label after the class actions, and which kind changed it. */
function classOutcome(given: string, classActions: readonly ClassAction[]): Outcome {
  const label = mapClass(given, classActions);
  if (label === given) return { action: 'unchanged', label };
  // Named after the action that first moved it (a rename then a merge is logged as a rename).
  const first = classActions.find((action) => action.from === given);
  return { action: first?.action ?? 'rename', label };
}

function unknownPath(dataset: Dataset, path: string): AuditError {
  const where = dataset.manifestPath ?? dataset.root;
  const skipped = dataset.issues.find((issue) => issue.file === path);
  const why = skipped
    ? `it was skipped when the dataset was read (${skipped.problem})`
    : 'no sample has that path (paths are relative to the dataset root, with "/" separators)';
  return new AuditError('decisionsMalformed', `A decision names "${path}", which is not a sample of ${where}: ${why}.`);
}

/** What the export does to one entry of the label source; entries without a change are copied as read. */
export type Change = Extract<Outcome, { action: 'relabel' | 'merge' | 'rename' | 'remove' }>;

function isChange(outcome: Outcome): outcome is Change {
  return outcome.action !== 'keep' && outcome.action !== 'unchanged';
}

/**
 * Finds the change for an entry of the label source from its source index and its path as written.
 *
 * An entry that names a sample gets that sample's change. An entry skipped at load (bad path,
 * missing file, empty label, a repeated path, ...) has no sample and is copied exactly as it was:
 * it is the user's data, not ours to delete, and the next load reports it again. The one exception
 * is an entry that names a decided image a second time (a 'duplicateEntry'): it gets the same
 * change, or the next load would bring a removed image back, or see two different labels for a
 * relabeled one and skip it as a conflicting duplicate. Paths are compared once resolved against
 * the root, the way `loadDataset` resolves them ('\\' read as '/', cells trimmed).
 */
export function changeFinder(
  dataset: Dataset,
  outcomes: Outcomes,
): (sourceIndex: number | string, writtenPath: unknown) => Change | undefined {
  const bySourceIndex = new Map<number | string, Change>();
  const byAbsolutePath = new Map<string, Change>();
  for (const sample of dataset.samples) {
    const outcome = outcomes.get(sample.path);
    if (outcome === undefined || !isChange(outcome)) continue;
    bySourceIndex.set(sample.sourceIndex, outcome);
    byAbsolutePath.set(resolve(dataset.root, sample.path), outcome);
  }
  return (sourceIndex, writtenPath) => {
    const change = bySourceIndex.get(sourceIndex);
    if (change !== undefined || typeof writtenPath !== 'string' || writtenPath.trim() === '') return change;
    return byAbsolutePath.get(resolve(dataset.root, writtenPath.trim().replace(/\\/g, '/')));
  };
}
