/**
 * The report as a CSV with cleanlab Datalab's label-issue columns (`is_label_issue`, `label_score`,
 * `given_label`, `predicted_label`, as `Datalab.get_issues("label")` returns them), plus our own
 * figures, for pandas and cleanlab users: `pd.read_csv(...)` and join on `path`.
 */
import { stringify } from 'csv-stringify/sync';
import type { AuditReport } from '../report';

/** The columns, in order. */
export const CLEANLAB_COLUMNS = [
  'path',
  'is_label_issue',
  'label_score',
  'given_label',
  'predicted_label',
  'suspicion_score',
  'held_back',
  'erm_given',
  'mixup_given',
  'mixup_suggested',
  'out_of_sample_given',
  'neighbour_agreement',
] as const;

/**
 * One row per audited image, most suspect first (the report's order).
 *
 * - `is_label_issue`: flagged by the audit's method (`True`/`False`, as pandas writes booleans).
 * - `label_score`: label quality in [0, 1], higher = more likely correct, as in cleanlab:
 *   1 − our suspicion score.
 * - `predicted_label`: the label the audit suggests (the best other class, as our suggestion is;
 *   cleanlab's is the arg-max, which for a correct label is the label itself).
 * - ours: the suspicion score, whether the class cap held the flag back, the models' probabilities
 *   of the given label, and the kNN agreement (audits with `--embeddings`); empty where absent.
 */
export function cleanlabCsv(report: AuditReport): string {
  const cell = (value: number | undefined) => (value === undefined ? '' : String(value));
  const rows = report.samples.map((s) => [
    s.path,
    s.flagged ? 'True' : 'False',
    String(Math.round((1 - s.score) * 1e4) / 1e4),
    s.givenLabel,
    s.suggestedLabel,
    String(s.score),
    s.heldBack ? 'True' : 'False',
    String(s.ermGiven),
    String(s.mixupGiven),
    String(s.mixupSuggested),
    cell(s.reasons?.outOfSampleGiven),
    cell(s.reasons?.neighbours?.agreement),
  ]);
  return stringify([[...CLEANLAB_COLUMNS], ...rows]);
}
