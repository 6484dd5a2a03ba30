/**
 * The report as a CSV with cleanlab Datalab's label-issue columns (`is_label_issue`, `label_score`,
 * `given_label`, `predicted_label`, as `Datalab.get_issues("label")` returns them), plus our own
 * figures, for pandas and cleanlab users: `pd.read_csv(...)` and join on `path`.
 */
import { stringify } from 'csv-stringify/sync';
import type { AuditReport } from '../report';
import type { ReportSample } from '../shared/types';

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

/** Rows per chunk of {@link cleanlabCsvChunks}: a few MB of text at a time. */
const ROWS_PER_CHUNK = 20_000;

/**
 * One row per audited image, most suspect first (the report's order), in chunks of `rowsPerChunk`
 * rows after the header, for writing as it is made: at a million samples the whole text is ~130 MB,
 * and its rows as cell arrays several times that.
 *
 * - `is_label_issue`: flagged by the audit's method (`True`/`False`, as pandas writes booleans).
 * - `label_score`: label quality in [0, 1], higher = more likely correct, as in cleanlab:
 *   1 − our suspicion score.
 * - `predicted_label`: the label the audit suggests (the best other class, as our suggestion is;
 *   cleanlab's is the arg-max, which for a correct label is the label itself).
 * - ours: the suspicion score, whether the class cap held the flag back, the models' probabilities
 *   of the given label, and the kNN agreement (audits with `--embeddings`); empty where absent.
 */
export function* cleanlabCsvChunks(report: AuditReport, rowsPerChunk = ROWS_PER_CHUNK): Generator<string> {
  const cell = (value: number | undefined) => (value === undefined ? '' : String(value));
  const row = (s: ReportSample) => [
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
  ];
  yield stringify([[...CLEANLAB_COLUMNS]]);
  for (let at = 0; at < report.samples.length; at += rowsPerChunk)
    yield stringify(report.samples.slice(at, at + rowsPerChunk).map(row));
}
