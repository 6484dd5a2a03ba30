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
import type { PathSet } from './pathSet';
import { mapView } from './mapView';
import { swapMatrix } from './swapMatrix';
import { userModelView } from './userModelView';

/** Most suspect first (a stable sort keeps ties in the report's order). */
const bySuspicion = (a: ReportSample, b: ReportSample) => b.score - a.score;

/** Default of the setting `labelAudit.maxSuspectsShown`. */
export const DEFAULT_MAX_SUSPECTS_SHOWN = 10_000;

/** Typical images per class in the relabel picker: enough to recognise a class, few enough for 100 classes. */
export const EXAMPLES_PER_CLASS = 4;

/**
 * The samples a review shows, chosen once from the report: what {@link reviewImagePaths} resolves to
 * files and {@link renderReviewContent} turns into the webview's content. Split so that the panel
 * resolves the images of these few thousand samples only, not of every sample of the report.
 */
export interface ReviewSelection {
  readonly report: AuditReport;
  /** How each sample is shown as a card: 0 = not (a later copy of a set), n = one card for n files. */
  readonly shownAs: (sample: ReportSample) => number;
  readonly cardCount: number;
  readonly flaggedCount: number;
  /** The cards, flagged first, each group most suspect first, capped. */
  readonly shown: readonly ReportSample[];
  readonly examples: ReadonlyMap<string, readonly ReportSample[]>;
  readonly spotCheck?: {
    readonly unflaggedTotal: number;
    readonly seed: number;
    readonly samples: readonly ReportSample[];
  };
}

/**
 * Chooses what the review webview shows for a report: the flagged samples first, then the others,
 * each group most suspect first, at most `maxShown` in all; each class's most typical images for the
 * relabel picker; the spot check's seeded random unflagged samples (drawn from the whole report, not
 * the capped list, leaving out samples held back by the flag cap).
 *
 * @param report - A report read with `readReport`.
 * @param maxShown - The limit (`labelAudit.maxSuspectsShown`); non-positive or non-integer values fall back to the default.
 */
export function selectReviewContent(report: AuditReport, maxShown: number): ReviewSelection {
  const limit = Number.isInteger(maxShown) && maxShown > 0 ? maxShown : DEFAULT_MAX_SUSPECTS_SHOWN;
  // A set of byte-identical files with one label is one card, its first path's, with the set's
  // count: a decision on that path covers the set at export (copySets.ts).
  const sets = copySetHeads(report.samples);
  const cards = report.samples.filter((s) => sets.shownAs(s) > 0);
  const flagged = cards.filter((s) => s.flagged).sort(bySuspicion);
  const others = mostSuspect(
    cards.filter((s) => !s.flagged),
    limit - flagged.length,
  );
  // The report's order, not the suspicion order: the draw must not depend on how the list is shown.
  // Held-back samples (rejected by the models, unflagged only because their class hit the flag cap)
  // are no random unflagged images: counting them would inflate the miss rate. Copies count once.
  const unflagged = distinctImages(report.samples.filter((s) => !s.flagged && !s.heldBack));
  const seed = spotCheckSeed(report.createdAt);
  return {
    report,
    shownAs: (s) => sets.shownAs(s),
    cardCount: cards.length,
    flaggedCount: flagged.length,
    shown: [...flagged, ...others].slice(0, limit),
    examples: typicalExamples(report.samples, report.dataset.classes, EXAMPLES_PER_CLASS),
    ...(unflagged.length === 0
      ? {}
      : {
          spotCheck: {
            unflaggedTotal: unflagged.length,
            seed,
            samples: spotCheckSample(unflagged, seed, Math.max(...SPOT_CHECK_SIZES)),
          },
        }),
  };
}

/**
 * The `count` most suspect of `samples`, most suspect first, ties in the given order: what sorting
 * them all and keeping the first `count` gives, without sorting the unflagged bulk of a
 * million-sample report to show its first few thousand. The cut-off score is found on a typed copy
 * of the scores (a numeric sort, many times cheaper than comparing objects); only samples at or above
 * it are sorted.
 */
function mostSuspect(samples: readonly ReportSample[], count: number): ReportSample[] {
  if (count <= 0) return [];
  if (count >= samples.length) return [...samples].sort(bySuspicion);
  const scores = Float64Array.from(samples, (s) => s.score).sort();
  // A score that is no number (an edited report) has no place in a numeric cut: sort them all. A
  // typed array's sort puts NaN last, so the last score says whether there is one.
  if (Number.isNaN(scores[scores.length - 1])) return [...samples].sort(bySuspicion).slice(0, count);
  const cutoff = scores[scores.length - count];
  return samples
    .filter((s) => s.score >= cutoff)
    .sort(bySuspicion)
    .slice(0, count);
}

/** Every sample path whose image the content of `selection` shows: cards, their neighbours, examples, conflicts. */
export function reviewImagePaths(selection: ReviewSelection): string[] {
  const { report } = selection;
  const paths: string[] = [];
  for (const s of [...selection.shown, ...(selection.spotCheck?.samples ?? [])]) {
    paths.push(s.path);
    if (s.neighbours)
      for (const list of [s.neighbours.given, s.neighbours.suggested])
        for (const { sample } of shownNeighbours(list, report.samples)) paths.push(sample.path);
  }
  for (const examples of selection.examples.values()) for (const s of examples) paths.push(s.path);
  for (const group of report.conflicts ?? []) for (const m of group.members) paths.push(m.path);
  return paths;
}

/**
 * The content of the review webview for `selection` (see {@link selectReviewContent}), with every
 * conflicting-duplicate group (not capped: they are few, and each member is reviewed); the
 * class-swap counts; the Issues view's dataset health, bounded (healthView.ts); the embedding map of
 * every sample (mapView.ts). Pure, so it is tested without an editor.
 *
 * @param imageUri - The URI the webview loads a sample's image from (`asWebviewUri` in the editor);
 *   asked only for the paths {@link reviewImagePaths} lists.
 */
export function renderReviewContent(selection: ReviewSelection, imageUri: (path: string) => string): ReviewContent {
  const { report, shownAs } = selection;
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
      ...(shownAs(s) > 1 ? { copies: shownAs(s) } : {}),
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
  // Built with defineProperty semantics (Object.fromEntries): a class named "__proto__" is an entry, not a prototype.
  const classExamples = Object.fromEntries(
    [...selection.examples].map(([label, examples]): [string, ClassExampleView[]] => [
      label,
      examples.map((s) => ({ path: s.path, imageUri: imageUri(s.path) })),
    ]),
  );
  const spotCheck: SpotCheckPool | undefined = selection.spotCheck && {
    ...selection.spotCheck,
    samples: selection.spotCheck.samples.map(view),
  };
  return {
    status: 'ready',
    classes: report.dataset.classes,
    suspects: selection.shown.map(view),
    flaggedTotal: selection.flaggedCount,
    auditedTotal: report.samples.length,
    hiddenCount: selection.cardCount - selection.shown.length,
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

/** {@link selectReviewContent} then {@link renderReviewContent}: the content in one call, for `imageUri`s known up front. */
export function buildReviewContent(
  report: AuditReport,
  maxShown: number,
  imageUri: (path: string) => string,
): ReviewContent {
  return renderReviewContent(selectReviewContent(report, maxShown), imageUri);
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
  return shownNeighbours(list, samples).map(({ sample, distance }) => ({
    path: sample.path,
    imageUri: imageUri(sample.path),
    distance,
  }));
}

/** The neighbours of one list that name a sample at a finite distance. */
function shownNeighbours(
  list: ReportNeighbourList,
  samples: readonly ReportSample[],
): { sample: ReportSample; distance: number }[] {
  const shown: { sample: ReportSample; distance: number }[] = [];
  if (!Array.isArray(list?.samples) || !Array.isArray(list.distances)) return shown;
  list.samples.forEach((at, i) => {
    const sample = Number.isInteger(at) ? samples[at] : undefined;
    const distance = list.distances[i];
    if (sample && Number.isFinite(distance)) shown.push({ sample, distance });
  });
  return shown;
}

/**
 * Why the webview may not make this change, or undefined when it may: the sample must be one of the
 * report's, and a relabel must name one of its classes, as they are after the class actions (a
 * renamed class under its new name). A webview is less trusted than the host, so nothing it sends
 * reaches the decisions file unchecked.
 */
export function changeProblem(
  change: DecisionChange,
  report: { samplePaths: PathSet; classes: readonly string[] },
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
