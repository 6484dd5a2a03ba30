import { classesAfter } from '../../core/shared/classActions';
import { typicalExamples } from '../../core/review/classExamples';
import type { AuditReport, ReportNeighbourList, ReportSample } from '../../core/report';
import { copySetHeads, distinctImages } from '../../core/review/copySets';
import { spotCheckSample, spotCheckSeed } from '../../core/review/spotCheck';
import {
  SPOT_CHECK_SIZES,
  type ClassAction,
  type ClassExampleView,
  type ConflictGroupView,
  type DecisionChange,
  type NeighbourView,
  type ReviewContent,
  type SpotCheckPool,
  type SuspectView,
} from '../../protocol/webview';
import { healthView } from './healthView';
import { mapView } from './mapView';
import { swapMatrix } from './swapMatrix';
import { userModelView } from './userModelView';

/** Default of the setting `labelAudit.maxSuspectsShown`. */
export const DEFAULT_MAX_SUSPECTS_SHOWN = 10_000;

/** Typical images per class in the relabel picker: enough to recognise a class, few enough for 100 classes. */
export const EXAMPLES_PER_CLASS = 4;

/**
 * What the review webview shows for a report: the flagged samples first, then the others, each group
 * most suspect first, at most `maxShown` in all; every conflicting-duplicate group (not capped: they
 * are few, and each member is reviewed); the class-swap counts; each class's most typical images for
 * the relabel picker; the spot check's seeded random unflagged samples (drawn from the whole report,
 * not the capped list, leaving out samples held back by the flag cap); the Issues view's dataset
 * health, bounded (healthView.ts); the embedding map of every sample (mapView.ts). Pure, so it is
 * tested without an editor.
 *
 * @param report - A report read with `readReport`.
 * @param maxShown - The limit (`labelAudit.maxSuspectsShown`); non-positive or non-integer values fall back to the default.
 * @param imageUri - The URI the webview loads a sample's image from (`asWebviewUri` in the editor).
 */
export function buildReviewContent(
  report: AuditReport,
  maxShown: number,
  imageUri: (path: string) => string,
): ReviewContent {
  const limit = Number.isInteger(maxShown) && maxShown > 0 ? maxShown : DEFAULT_MAX_SUSPECTS_SHOWN;
  const bySuspicion = (a: ReportSample, b: ReportSample) => b.score - a.score;
  // A set of byte-identical files with one label is one card, its first path's, with the set's
  // count: a decision on that path covers the set at export (copySets.ts).
  const sets = copySetHeads(report.samples);
  const cards = report.samples.filter((s) => sets.shownAs(s) > 0);
  const flagged = cards.filter((s) => s.flagged).sort(bySuspicion);
  const others = cards.filter((s) => !s.flagged).sort(bySuspicion);
  const shown = [...flagged, ...others].slice(0, limit);
  const swaps = swapMatrix(report);
  const health = healthView(report);
  const map = mapView(report, health);
  const view = (s: ReportSample): SuspectView => {
    const userModel = userModelView(report, s);
    return {
      path: s.path,
      givenLabel: s.givenLabel,
      suggestedLabel: s.suggestedLabel,
      ermGiven: s.ermGiven,
      mixupGiven: s.mixupGiven,
      mixupSuggested: s.mixupSuggested,
      score: s.score,
      flagged: s.flagged,
      imageUri: imageUri(s.path),
      ...(sets.shownAs(s) > 1 ? { copies: sets.shownAs(s) } : {}),
      ...(s.neighbours
        ? {
            neighbours: {
              given: neighbourViews(s.neighbours.given, report.samples, imageUri),
              suggested: neighbourViews(s.neighbours.suggested, report.samples, imageUri),
            },
          }
        : {}),
      ...(s.dynamics ? { dynamics: { ...s.dynamics, epochs: report.training.erm.epochs } } : {}),
      ...(userModel ? { userModel } : {}),
    };
  };
  const suspects = shown.map(view);
  // Built with defineProperty semantics (Object.fromEntries): a class named "__proto__" is an entry, not a prototype.
  const classExamples = Object.fromEntries(
    [...typicalExamples(report.samples, report.dataset.classes, EXAMPLES_PER_CLASS)].map(
      ([label, examples]): [string, ClassExampleView[]] => [
        label,
        examples.map((s) => ({ path: s.path, imageUri: imageUri(s.path) })),
      ],
    ),
  );
  // The report's order, not the suspicion order: the draw must not depend on how the list is shown.
  // Held-back samples (rejected by the models, unflagged only because their class hit the flag cap)
  // are no random unflagged images: counting them would inflate the miss rate. Copies count once.
  const unflagged = distinctImages(report.samples.filter((s) => !s.flagged && !s.heldBack));
  const seed = spotCheckSeed(report.createdAt);
  const spotCheck: SpotCheckPool | undefined =
    unflagged.length === 0
      ? undefined
      : {
          unflaggedTotal: unflagged.length,
          seed,
          samples: spotCheckSample(unflagged, seed, Math.max(...SPOT_CHECK_SIZES)).map(view),
        };
  return {
    status: 'ready',
    classes: report.dataset.classes,
    suspects,
    flaggedTotal: flagged.length,
    auditedTotal: report.samples.length,
    hiddenCount: cards.length - shown.length,
    createdAt: report.createdAt,
    ...(report.conflicts
      ? {
          conflicts: report.conflicts.map((group): ConflictGroupView => ({
            kind: group.kind,
            members: group.members.map((m) => ({
              path: m.path,
              label: m.label,
              imageUri: imageUri(m.path),
              ...(m.copies ? { copies: m.copies, morePaths: m.morePaths ?? [] } : {}),
            })),
          })),
        }
      : {}),
    ...(swaps ? { swaps } : {}),
    classExamples,
    ...(spotCheck ? { spotCheck } : {}),
    ...(report.classes ? { classHealth: report.classes } : {}),
    ...(report.mergeSuggestions ? { mergeSuggestions: report.mergeSuggestions } : {}),
    ...(health ? { health } : {}),
    ...(map ? { map } : {}),
  };
}

/**
 * The neighbours of one list as the preview shows them. The report is a file a person may edit, so
 * a position that names no sample is dropped rather than shown as a broken image.
 */
function neighbourViews(
  list: ReportNeighbourList,
  samples: readonly ReportSample[],
  imageUri: (path: string) => string,
): NeighbourView[] {
  const views: NeighbourView[] = [];
  if (!Array.isArray(list?.samples) || !Array.isArray(list.distances)) return views;
  list.samples.forEach((at, i) => {
    const sample = Number.isInteger(at) ? samples[at] : undefined;
    const distance = list.distances[i];
    if (sample && Number.isFinite(distance))
      views.push({ path: sample.path, imageUri: imageUri(sample.path), distance });
  });
  return views;
}

/**
 * Why the webview may not make this change, or undefined when it may: the sample must be one of the
 * report's, and a relabel must name one of its classes, as they are after the class actions (a
 * renamed class under its new name). A webview is less trusted than the host, so nothing it sends
 * reaches the decisions file unchecked.
 */
export function changeProblem(
  change: DecisionChange,
  report: { samplePaths: ReadonlySet<string>; classes: readonly string[] },
  classActions: readonly ClassAction[] = [],
): string | undefined {
  if (!report.samplePaths.has(change.path)) return `"${change.path}" is not a sample of this report`;
  const label = change.decision?.action === 'relabel' ? change.decision.label : undefined;
  if (
    label !== undefined &&
    !report.classes.includes(label) &&
    !classesAfter(report.classes, classActions).includes(label)
  ) {
    return `"${label}" is not a class of this dataset`;
  }
  return undefined;
}
