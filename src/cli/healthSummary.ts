import type { AuditReport } from '../core/report';
import type { ReportIssueType } from '../core/health/healthReport';
import { leakPreview, type LeakedGroup } from '../core/health/leakySplits';

/** Example paths printed per issue type. */
const EXAMPLES = 3;
/** Members printed of the first leaked group. */
const SUMMARY_LEAK_MEMBERS = 4;

/**
 * The dataset-health part of the CLI summary: one line per issue type that fired (count, share,
 * threshold and a few example paths), dataset properties said as such, and the leaky splits.
 * Empty for reports without a `health` section.
 */
export function formatHealth(report: AuditReport): string[] {
  const health = report.health;
  if (!health) return [];
  const paths = (issue: ReportIssueType) =>
    issue.flagged
      .slice(0, EXAMPLES)
      .map((at) => report.samples[at]?.path ?? '?')
      .join(', ');
  const line = (name: string, issue: ReportIssueType) =>
    issue.datasetProperty
      ? `  ${name}: ${issue.count} images (${pct(issue.share)}) — above ${pct(health.maxPrevalence)}, so a property of the whole dataset, not listed per image`
      : `  ${name}: ${issue.count} (${pct(issue.share)}, score < ${issue.threshold})${issue.count ? `, e.g. ${paths(issue)}` : ''}`;
  const fired = Object.entries(health.imageQuality.types).filter(([, issue]) => issue.count > 0);
  const lines = [`Dataset health (${health.seconds.toFixed(1)} s):`];
  if (fired.length === 0)
    lines.push('  image quality: no dark, light, blurry, low-information, odd-shaped or odd-sized images');
  for (const [type, issue] of fired) lines.push(line(words(type), issue));
  if (health.outliers) lines.push(line(`outliers (${health.outliers.space} embeddings)`, health.outliers));
  const leaks = health.leakySplits;
  if (leaks) {
    const counts = leaks.splits.map((s) => `${s.split || '(none)'} ${s.samples}`).join(', ');
    lines.push(
      `  splits (from ${leaks.source === 'column' ? 'the split column' : 'folder names'}): ${counts}; ` +
        (leaks.groups.length
          ? `${leaks.groups.length} duplicate groups (${leaks.images} images) cross splits, e.g. ${leakExample(leaks.groups[0])}`
          : 'no duplicates across splits'),
    );
    // A split without some class cannot train or measure it: say which, per split.
    const absent = leaks.splits.flatMap((s) => {
      const missing = Object.entries(s.classes).filter(([, n]) => n === 0);
      return missing.length ? [`${s.split || '(none)'} has no ${missing.map(([c]) => `"${c}"`).join(', ')}`] : [];
    });
    if (absent.length) lines.push(`  classes missing from a split: ${absent.join('; ')}`);
  }
  return lines;
}

/** A leaked group on one line: a member from each split, and how many files the group has. */
function leakExample(group: LeakedGroup): string {
  const shown = leakPreview(group, SUMMARY_LEAK_MEMBERS);
  const more = group.members.length - shown.length;
  return `${shown.map((m) => `${m.path} [${m.split || '(none)'}]`).join(' = ')}${more > 0 ? ` = … (${group.members.length.toLocaleString('en-US')} files)` : ''}`;
}

/** `lowInformation` → `low information`. */
function words(type: string): string {
  return type.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

function pct(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}
