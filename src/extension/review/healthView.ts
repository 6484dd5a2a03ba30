import type { ReportIssueType } from '../../core/health/healthReport';
import { leakPreview, splitsOf } from '../../core/health/leakySplits';
import type { AuditReport } from '../../core/report';
import {
  MAX_ISSUE_EXAMPLES,
  MAX_LEAK_GROUPS,
  MAX_LEAK_MEMBERS,
  type HealthView,
  type IssueExampleView,
  type IssueSectionView,
} from '../../protocol/webview';

/** Section headings of the report's issue types, in the order the view lists them. */
const ISSUE_TITLES: readonly (readonly [type: string, title: string])[] = [
  ['outliers', 'Outliers'],
  ['dark', 'Dark images'],
  ['light', 'Light images'],
  ['blurry', 'Blurry images'],
  ['lowInformation', 'Low information'],
  ['oddAspectRatio', 'Odd aspect ratio'],
  ['oddSize', 'Odd size'],
  ['grayscale', 'Grayscale among colour images'],
];

/**
 * The Issues view's content for a report's `health` section (docs/dataset-health.md), or undefined
 * for a report without one. Bounded whatever the dataset's size: per type only its worst
 * {@link MAX_ISSUE_EXAMPLES} flagged samples with their own score (never the per-sample score
 * arrays), and the first {@link MAX_LEAK_GROUPS} leaked groups. No image URIs: the view shows
 * thumbnails, which it asks for as the grid does (`thumbnails/request`). The report is a file a person may
 * edit: a position that names no sample is dropped rather than shown as a broken image.
 */
export function healthView(report: AuditReport): HealthView | undefined {
  const health = report.health;
  if (!health) return undefined;
  const byType: Readonly<Record<string, ReportIssueType | undefined>> = {
    ...health.imageQuality.types,
    ...(health.outliers ? { outliers: health.outliers } : {}),
  };
  const issues = ISSUE_TITLES.flatMap(([type, title]): IssueSectionView[] => {
    const issue = byType[type];
    return issue ? [section(type, title, issue, report)] : [];
  });
  const leaks = health.leakySplits;
  return {
    maxPrevalence: health.maxPrevalence,
    issues,
    ...(leaks
      ? {
          leakySplits: {
            source: leaks.source,
            // In the dataset's class order: an object's integer-like keys ("10", "9") come back sorted.
            classes: splitClasses(report, leaks.splits),
            splits: leaks.splits.map((s) => ({
              split: s.split,
              samples: s.samples,
              classCounts: splitClasses(report, leaks.splits).map((c) => s.classes[c] ?? 0),
            })),
            groupCount: leaks.groups.length,
            groups: leaks.groups.slice(0, MAX_LEAK_GROUPS).map((group) => ({
              kind: group.kind,
              size: group.members.length,
              splits: splitsOf(group),
              members: leakPreview(group, MAX_LEAK_MEMBERS).map((m) => ({
                path: m.path,
                label: m.label,
                split: m.split,
              })),
            })),
          },
        }
      : {}),
  };
}

function section(type: string, title: string, issue: ReportIssueType, report: AuditReport): IssueSectionView {
  const examples: IssueExampleView[] = [];
  for (const at of issue.flagged) {
    if (examples.length === MAX_ISSUE_EXAMPLES) break;
    const sample = Number.isInteger(at) ? report.samples[at] : undefined;
    const score = issue.scores[at];
    if (sample && Number.isFinite(score)) examples.push({ path: sample.path, label: sample.givenLabel, score });
  }
  return {
    type,
    title,
    threshold: issue.threshold,
    score: issue.score,
    why: issue.why,
    count: issue.count,
    share: issue.share,
    datasetProperty: issue.datasetProperty,
    examples,
  };
}

/** The classes of the split counts, in the report's class order (then any the report does not name). */
function splitClasses(report: AuditReport, splits: readonly { classes: Readonly<Record<string, number>> }[]): string[] {
  const named = report.dataset.classes;
  const extra = [...new Set(splits.flatMap((s) => Object.keys(s.classes)))].filter((c) => !named.includes(c));
  return [...named, ...extra];
}
