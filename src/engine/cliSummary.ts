import type { AuditReport } from '../core/report';

/** The human-readable result of an audit: headline figures and the top suspects as a table. */
export function formatSuspects(report: AuditReport, top: number): string {
  const { summary, dataset, training, timings } = report;
  const lines = [
    `Audited ${dataset.audited} images in ${dataset.classes.length} classes in ${timings.total.toFixed(1)} s on ${report.settings.backend}` +
      (report.skipped.length ? ` (${report.skipped.length} entries skipped: see the report)` : ''),
    `ERM fits ${pct(training.erm.fitsGivenLabels)} of the given labels, mixup ${pct(training.mixup.fitsGivenLabels)}; ` +
      `judged by ${report.settings.flag.judge === 'both' ? 'both models' : 'mixup alone'}.`,
    `${summary.flagged} likely label errors (${pct(summary.flagRate)}).`,
  ];
  if (report.duplicates) lines.push(duplicatesLine(report.duplicates));
  if (summary.medianLearnedEpoch) {
    lines.push(
      `ERM learned the flagged labels at median epoch ${summary.medianLearnedEpoch.flagged}, the others at ${summary.medianLearnedEpoch.others}: ` +
        `${summary.flaggedErmFits} of the ${summary.flagged} flagged labels were memorized.`,
    );
  }
  const suspects = report.samples.filter((s) => s.flagged).slice(0, top);
  if (suspects.length > 0) {
    const rows = suspects.map((s, i) => [String(i + 1), s.path, s.givenLabel, s.suggestedLabel, s.score.toFixed(2), s.ermGiven.toFixed(2), s.mixupGiven.toFixed(2), s.mixupSuggested.toFixed(2)]);
    const header = ['#', 'path', 'given', 'suggested', 'score', 'ERM p(given)', 'mixup p(given)', 'mixup p(sugg.)'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const format = (cells: string[]) => cells.map((cell, c) => (c === 1 || c === 2 || c === 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    lines.push('', `Top ${suspects.length} suspects, most likely first:`, format(header), ...rows.map(format));
  }
  return `${lines.join('\n')}\n`;
}

function duplicatesLine(d: NonNullable<AuditReport['duplicates']>): string {
  return (
    `Duplicates: ${d.exact.groups} exact groups (${d.exact.images} images), ${d.near.groups} near groups (${d.near.images} images); ` +
    `${d.conflicting.groups} groups (${d.conflicting.images} images) carry different labels${d.conflicting.groups ? ': see "conflicts" in the report' : ''}.`
  );
}

function pct(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}
