import type { AuditReport, ReportSample } from '../core/report';
import type { ConflictGroupView, DecisionChange, ReviewContent, SuspectView } from '../protocol/webview';
import { swapMatrix } from './swapMatrix';

/** Default of the setting `labelAudit.maxSuspectsShown`. */
export const DEFAULT_MAX_SUSPECTS_SHOWN = 1000;

/**
 * What the review webview shows for a report: the flagged samples first, then the others, each group
 * most suspect first, at most `maxShown` in all; every conflicting-duplicate group (not capped: they
 * are few, and each member is reviewed); the class-swap counts. Pure, so it is tested without an editor.
 *
 * @param report - A report read with `readReport`.
 * @param maxShown - The limit (`labelAudit.maxSuspectsShown`); non-positive or non-integer values fall back to the default.
 * @param imageUri - The URI the webview loads a sample's image from (`asWebviewUri` in the editor).
 */
export function buildReviewContent(report: AuditReport, maxShown: number, imageUri: (path: string) => string): ReviewContent {
  const limit = Number.isInteger(maxShown) && maxShown > 0 ? maxShown : DEFAULT_MAX_SUSPECTS_SHOWN;
  const bySuspicion = (a: ReportSample, b: ReportSample) => b.score - a.score;
  const flagged = report.samples.filter((s) => s.flagged).sort(bySuspicion);
  const others = report.samples.filter((s) => !s.flagged).sort(bySuspicion);
  const shown = [...flagged, ...others].slice(0, limit);
  const swaps = swapMatrix(report);
  const suspects: SuspectView[] = shown.map((s) => ({
    path: s.path,
    givenLabel: s.givenLabel,
    suggestedLabel: s.suggestedLabel,
    ermGiven: s.ermGiven,
    mixupGiven: s.mixupGiven,
    mixupSuggested: s.mixupSuggested,
    score: s.score,
    flagged: s.flagged,
    imageUri: imageUri(s.path),
  }));
  return {
    status: 'ready',
    classes: report.dataset.classes,
    suspects,
    flaggedTotal: flagged.length,
    auditedTotal: report.samples.length,
    hiddenCount: report.samples.length - shown.length,
    createdAt: report.createdAt,
    ...(report.conflicts ? { conflicts: report.conflicts.map((group): ConflictGroupView => ({
      kind: group.kind,
      members: group.members.map((m) => ({ path: m.path, label: m.label, imageUri: imageUri(m.path) })),
    })) } : {}),
    ...(swaps ? { swaps } : {}),
  };
}

/**
 * Why the webview may not make this change, or undefined when it may: the sample must be one of the
 * report's, and a relabel must name one of its classes. A webview is less trusted than the host, so
 * nothing it sends reaches the decisions file unchecked.
 */
export function changeProblem(change: DecisionChange, report: { samplePaths: ReadonlySet<string>; classes: readonly string[] }): string | undefined {
  if (!report.samplePaths.has(change.path)) return `"${change.path}" is not a sample of this report`;
  if (change.decision?.action === 'relabel' && !report.classes.includes(change.decision.label)) {
    return `"${change.decision.label}" is not a class of this dataset`;
  }
  return undefined;
}
