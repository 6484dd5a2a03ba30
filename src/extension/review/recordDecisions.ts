import type { LoggedChange } from '../../core/review/reviewLog';
import { appendReviewLog, defaultReviewLogPath, reviewLogEntries } from '../../core/review/reviewLog';
import type { DecisionStore } from './decisionStore';

/**
 * Records decisions the way every review surface does (the panel, the editor's quick fixes): the
 * decisions file first, then who changed what in the review log. The log is history: when it cannot
 * be written the decisions still stand, and the caller is told through `onLogError`.
 */
export async function recordDecisions(
  store: DecisionStore,
  datasetRoot: string,
  changes: readonly LoggedChange[],
  context: {
    readonly user: string;
    readonly undo: boolean;
    readonly onLogError: (file: string, error: unknown) => void;
  },
): Promise<void> {
  const entries = reviewLogEntries(store.decisions, changes, {
    user: context.user,
    time: new Date(),
    undo: context.undo,
  });
  await store.decideMany(changes.map((c) => ({ path: c.path, decision: c.decision ?? undefined })));
  const file = defaultReviewLogPath(datasetRoot);
  await appendReviewLog(file, entries).catch((error: unknown) => context.onLogError(file, error));
}
