import type { AuditReport, ReportSample } from '../../core/report';
import type { SuspectView } from '../../protocol/webview';

/**
 * What the user's own model says about one sample, as the review panel shows it beside our models'
 * figures: from the report's `reasons`, which hold every signal of an audit run with `--pred-probs`
 * and/or `--embeddings` (docs/own-model.md). Pure, so it is tested without an editor.
 *
 * - `predProbs` only when the audit read a pred_probs file (`settings.ownModel.predProbs`): without
 *   one, `reasons.outOfSampleGiven` is our own fold models' figure, not the user's; and not for an
 *   image the file had no row for (`noOutOfSampleRow`: the figures are then the judge's own).
 * - `neighbours` wherever the report has the kNN label agreement (audits with embeddings, images that
 *   had one).
 *
 * @returns undefined when the user's model says nothing about this sample.
 */
export function userModelView(report: AuditReport, sample: ReportSample): SuspectView['userModel'] {
  const reasons = sample.reasons;
  if (!reasons) return undefined;
  const ownPredProbs = Boolean(report.settings.ownModel?.predProbs);
  const predProbs =
    ownPredProbs && !reasons.noOutOfSampleRow && Number.isFinite(reasons.outOfSampleGiven)
      ? { given: reasons.outOfSampleGiven, suggestion: reasons.suggestions.confidentLearning }
      : undefined;
  const neighbours =
    reasons.neighbours && Number.isFinite(reasons.neighbours.agreement)
      ? { agreement: reasons.neighbours.agreement, suggestion: reasons.neighbours.suggestion }
      : undefined;
  if (!predProbs && !neighbours) return undefined;
  return { ...(predProbs ? { predProbs } : {}), ...(neighbours ? { neighbours } : {}) };
}
