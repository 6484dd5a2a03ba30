import { AUM_THRESHOLD } from '../core/detection/dynamicsSignals';
import type { AuditReport, ReportSample } from '../core/report';
import { formatHealth } from './healthSummary';
import { distinctImages } from '../core/review/copySets';
import { formatNoiseMatrix } from './noiseMatrix';

/** The human-readable result of an audit: headline figures and the top suspects as a table. */
export function formatSuspects(report: AuditReport, top: number): string {
  const { summary, dataset, training, timings } = report;
  const lines = [
    `Audited ${dataset.audited} images in ${dataset.classes.length} classes in ${timings.total.toFixed(1)} s on ${report.settings.backend}` +
      (report.skipped.length ? ` (${report.skipped.length} entries skipped: see the report)` : ''),
    `ERM fits ${pct(training.erm.fitsGivenLabels)} of the given labels, mixup ${pct(training.mixup.fitsGivenLabels)}; ` +
      `scored by ${scoringInWords(report)}.`,
    `${summary.flagged} likely label errors (${pct(summary.flagRate)}).`,
  ];
  if (report.duplicates) lines.push(duplicatesLine(report.duplicates));
  lines.push(...copyGroupLines(report.copyGroups ?? []));
  lines.push(...classLines(report));
  lines.push(...formatHealth(report));
  if (summary.medianLearnedEpoch) {
    lines.push(
      `ERM learned the flagged labels at median epoch ${summary.medianLearnedEpoch.flagged}, the others at ${summary.medianLearnedEpoch.others}: ` +
        `${summary.flaggedErmFits} of the ${summary.flagged} flagged labels were memorized.`,
    );
  }
  lines.push('', formatNoiseMatrix(report.noiseMatrix));
  // Copies of one image are one suspect: the table would otherwise repeat a flagged placeholder.
  const suspects = distinctImages(report.samples.filter((s) => s.flagged)).slice(0, top);
  if (suspects.length > 0) {
    const withReasons = suspects.some((s) => s.reasons);
    const withDynamics = suspects.some((s) => s.dynamics);
    const rows = suspects.map((s, i) => [
      String(i + 1),
      s.copyGroup === undefined
        ? s.path
        : `${s.path} (+${(copyFiles(report, s.copyGroup) - 1).toLocaleString('en-US')} copies)`,
      s.givenLabel,
      s.suggestedLabel,
      s.score.toFixed(2),
      s.ermGiven.toFixed(2),
      s.mixupGiven.toFixed(2),
      s.mixupSuggested.toFixed(2),
      ...(withReasons ? [signalLetters(s)] : []),
      ...(withDynamics ? [trajectoryCell(s, report.training.erm.epochs)] : []),
    ]);
    const header = [
      '#',
      'path',
      'given',
      'suggested',
      'score',
      'ERM p(given)',
      'mixup p(given)',
      'mixup p(sugg.)',
      ...(withReasons ? ['signals'] : []),
      ...(withDynamics ? ['ERM trajectory'] : []),
    ];
    // Path, labels and the trajectory words read from the left; figures line up on the right.
    const textColumns = new Set([1, 2, 3, ...(withDynamics ? [header.length - 1] : [])]);
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const format = (cells: string[]) =>
      cells
        .map((cell, c) => (textColumns.has(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ')
        .trimEnd();
    lines.push('', `Top ${suspects.length} suspects, most likely first:`, format(header), ...rows.map(format));
    if (withReasons)
      lines.push(
        'signals: E = ERM fits the label others reject, M = mixup rejects, O = out-of-sample (confident learning) rejects; = both suggest the same label',
      );
    if (withDynamics)
      lines.push(
        `ERM trajectory: AUM = area under the margin over ERM's epochs (below ${AUM_THRESHOLD}: on average it preferred another class), the epoch it learned the label from, and how often it forgot it`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** The rare-class warnings and merge suggestions (absent from reports written before they existed). */
function classLines(report: AuditReport): string[] {
  const lines: string[] = [];
  const warned = (report.classes ?? []).filter((c) => c.warning);
  if (warned.length > 0) {
    lines.push(`Class warnings (${warned.length}):`);
    for (const c of warned) lines.push(`  ${c.name} (${c.count} images, ${c.flagged} flagged): ${c.warning}`);
  }
  for (const m of report.mergeSuggestions ?? []) {
    lines.push(
      `Merge suggested: "${m.from}" into "${m.into}" — the models mostly confuse them: ${pct(m.fromShare)} of "${m.from}" look like "${m.into}", ` +
        `${pct(m.intoShare)} of "${m.into}" like "${m.from}".`,
    );
  }
  return lines;
}

function duplicatesLine(d: NonNullable<AuditReport['duplicates']>): string {
  return (
    `Duplicates: ${d.exact.groups} exact groups (${d.exact.images} images), ${d.near.groups} near groups (${d.near.images} images); ` +
    `${d.conflicting.groups} groups (${d.conflicting.images} images) carry different labels${d.conflicting.groups ? ': see "conflicts" in the report' : ''}.`
  );
}

/** Copy sets named on their own line: the largest, if they hold at least this many files. */
const NAMED_COPY_GROUPS = 3;
const NAMED_COPY_GROUP_FILES = 10;

/**
 * One line per large set of byte-identical files ("20,000 files are copies of one image: `a.png`,
 * `b.png`, …"): a placeholder copied thousands of times is worth knowing about even when all its
 * copies carry one label. The report lists every set, largest first.
 */
function copyGroupLines(groups: NonNullable<AuditReport['copyGroups']>): string[] {
  const large = groups.filter((g) => g.files >= NAMED_COPY_GROUP_FILES);
  const lines = large.slice(0, NAMED_COPY_GROUPS).map((g) => {
    const paths = g.paths.map((p) => `\`${p}\``).join(', ');
    const labels = g.labels.map((l) => `${l.label} ${l.files.toLocaleString('en-US')}`).join(', ');
    return `${g.files.toLocaleString('en-US')} files are copies of one image: ${paths}${g.files > g.paths.length ? ', …' : ''} (labels: ${labels}).`;
  });
  if (large.length > NAMED_COPY_GROUPS)
    lines.push(
      `… and ${large.length - NAMED_COPY_GROUPS} more sets of ${NAMED_COPY_GROUP_FILES} or more copies: see "copyGroups" in the report.`,
    );
  return lines;
}

function copyFiles(report: AuditReport, group: number): number {
  return report.copyGroups?.[group]?.files ?? 1;
}

/** "AUM −1.3, never learned" or "AUM +2.1, learned 3/8, forgot 1×": the sample's ERM trajectory. */
function trajectoryCell(sample: ReportSample, epochs: number): string {
  const d = sample.dynamics;
  if (!d) return '';
  const aum = `AUM ${d.aum < 0 ? '−' : '+'}${Math.abs(d.aum).toFixed(1)}`;
  const learned = d.learnedEpoch === 0 ? 'never learned' : `learned ${d.learnedEpoch}/${epochs}`;
  return `${aum}, ${learned}${d.forgotten > 0 ? `, forgot ${d.forgotten}×` : ''}`;
}

/** The signals that fired on a sample, as letters (see the legend under the table). */
function signalLetters(sample: ReportSample): string {
  const r = sample.reasons;
  if (!r) return '';
  const letters = `${r.signals.ermMemorized ? 'E' : ''}${r.signals.mixupRejects ? 'M' : ''}${r.signals.outOfSampleRejects ? 'O' : ''}`;
  return `${letters || '-'}${r.suggestionsAgree ? ' =' : ''}`;
}

function scoringInWords(report: AuditReport): string {
  const models = report.settings.flag.scoredBy === 'both' ? 'both models' : 'mixup alone';
  const crossFit = report.training.crossFit;
  const folds = crossFit ? `${crossFit.folds}-fold out-of-sample probabilities` : '';
  switch (report.settings.method) {
    case 'mixup':
      return models;
    case 'confident-learning':
      return `confident learning on ${folds}`;
    case 'fused':
      return `${models} fused with ${folds}`;
  }
}

function pct(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}
