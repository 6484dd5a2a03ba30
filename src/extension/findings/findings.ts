import type { AuditReport, ReportSample } from '../../core/report';
import { mapClass } from '../../core/shared/classActions';
import { ownValue } from '../../core/shared/ownValue';
import type { ClassAction, Decisions } from '../../core/shared/types';

/** How sure the audit is, in the editor's words: Warning, Information or Hint diagnostics. */
export type FindingSeverity = 'warning' | 'information' | 'hint';

/** What the audit says about one sample that is not decided yet, for the Problems panel and hovers. */
export interface Finding {
  /** The sample's path, relative to the dataset root with '/' separators (as in the report). */
  readonly path: string;
  readonly kind: 'suspect' | 'heldBack' | 'conflictingDuplicate';
  readonly severity: FindingSeverity;
  /** One line for the Problems panel. */
  readonly message: string;
  /** The report's suspicion in [0, 1]; the order of the findings (most suspect first). */
  readonly score: number;
  /** The sample as the report lists it. */
  readonly sample: ReportSample;
  /** The class the audit suggests, under the names the reviewer sees (after merges and renames). */
  readonly suggestedLabel: string;
  /** The given label under the names the reviewer sees. */
  readonly givenLabel: string;
}

/** Default of `labelAudit.diagnostics.maxShown`: enough for any review, few enough to stay fast. */
export const DEFAULT_MAX_FINDINGS = 1_000;

const SEVERITY_ORDER: Readonly<Record<FindingSeverity, number>> = { warning: 0, information: 1, hint: 2 };

/**
 * The findings to show for a report, given the decisions made so far: flagged suspects (warnings),
 * samples the flag cap held back (information) and members of duplicate groups with conflicting labels
 * (hints). A decided sample has no finding: the reviewer has dealt with it. Warnings come first, then
 * by score, most suspect first; at most `max` in all, so a 100 000-row manifest stays responsive.
 */
export function findingsOf(
  report: AuditReport,
  decisions: Decisions,
  classActions: readonly ClassAction[],
  max = DEFAULT_MAX_FINDINGS,
): Finding[] {
  const named = (label: string) => mapClass(label, classActions);
  const undecided = (path: string) => ownValue(decisions, path) === undefined;
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const sample of report.samples) {
    if (!undecided(sample.path)) continue;
    const kind = sample.flagged ? 'suspect' : sample.heldBack ? 'heldBack' : undefined;
    if (kind === undefined) continue;
    seen.add(sample.path);
    findings.push(finding(sample, kind, named));
  }
  // Only the conflicts' members are looked up: a map of every sample would cost a million entries.
  const members = new Set((report.conflicts ?? []).flatMap((group) => group.members.map((m) => m.path)));
  const byPath = new Map(
    members.size === 0 ? [] : report.samples.filter((s) => members.has(s.path)).map((s) => [s.path, s]),
  );
  for (const group of report.conflicts ?? []) {
    for (const member of group.members) {
      const sample = byPath.get(member.path);
      if (!sample || seen.has(member.path) || !undecided(member.path)) continue;
      seen.add(member.path);
      const others = group.members.filter((m) => m.label !== member.label);
      const copy = group.kind === 'exact' ? 'an exact copy' : 'a near duplicate';
      findings.push({
        ...finding(sample, 'conflictingDuplicate', named),
        message: `Label Audit: ${copy} of ${others.length === 1 ? `"${others[0].path}"` : `${others.length} images`} labeled ${quoteList(others.map((m) => named(m.label)))}; this one is labeled '${named(member.label)}'`,
      });
    }
  }
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.score - a.score);
  return findings.slice(0, Math.max(0, max));
}

function finding(sample: ReportSample, kind: Finding['kind'], named: (label: string) => string): Finding {
  const givenLabel = named(sample.givenLabel);
  const suggestedLabel = named(sample.suggestedLabel);
  // Each probability names its class, so the line reads on its own in the Problems panel.
  const figures = `mixup ${percent(sample.mixupSuggested)} '${suggestedLabel}', ${percent(sample.mixupGiven)} '${givenLabel}'; ERM ${percent(sample.ermGiven)} '${givenLabel}'`;
  const message =
    kind === 'suspect'
      ? `Label Audit: likely '${suggestedLabel}', not '${givenLabel}' (${figures})`
      : `Label Audit: maybe '${suggestedLabel}', not '${givenLabel}' (${figures}); not flagged because its class reached the flag cap`;
  return {
    path: sample.path,
    kind,
    severity: kind === 'suspect' ? 'warning' : kind === 'heldBack' ? 'information' : 'hint',
    message,
    score: sample.score,
    sample,
    suggestedLabel,
    givenLabel,
  };
}

const percent = (p: number) => `${Math.round(p * 100)}%`;

function quoteList(labels: readonly string[]): string {
  const unique = [...new Set(labels)];
  return unique.map((label) => `'${label}'`).join(', ');
}
