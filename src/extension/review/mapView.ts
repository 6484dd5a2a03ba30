import type { AuditReport } from '../../core/report';
import { MAP_MARK_SUSPECT, mapIssueMark, type HealthView, type MapView } from '../../protocol/webview';

/**
 * The Map view's content for a report's embedding map (`health.map`, docs/dataset-health.md), or
 * undefined for a report without one. Every sample is in it, so it is flat arrays of numbers (one
 * entry or two per sample) rather than an object per sample: at 100 000 samples that is a few MB
 * the panel reads in one pass. `health` is the Issues view's content, whose issue types the marks
 * name in the same order.
 */
export function mapView(report: AuditReport, health: HealthView | undefined): MapView | undefined {
  const map = report.health?.map;
  if (!map) return undefined;
  const labelNames = [...report.dataset.classes];
  const labelIndex = new Map(labelNames.map((name, i) => [name, i]));
  const count = report.samples.length;
  const labels = report.samples.map((s) => {
    let index = labelIndex.get(s.givenLabel);
    if (index === undefined) labelIndex.set(s.givenLabel, (index = labelNames.push(s.givenLabel) - 1));
    return index;
  });
  const marks = report.samples.map((s) => (s.flagged ? MAP_MARK_SUSPECT : 0));
  const issueTypes = health?.issues.map((issue) => issue.title) ?? [];
  const byType: Readonly<Record<string, { readonly flagged: readonly number[] } | undefined>> = {
    ...report.health?.imageQuality.types,
    ...(report.health?.outliers ? { outliers: report.health.outliers } : {}),
  };
  health?.issues.forEach((issue, t) => {
    for (const at of byType[issue.type]?.flagged ?? []) if (at >= 0 && at < count) marks[at] |= mapIssueMark(t);
  });
  // The report is a file a person may edit: anything but a coordinate in [0, 1] is "no position".
  const points = Array.from({ length: count * 2 }, (_, i) => {
    const value = map.points[i];
    return typeof value === 'number' && value >= 0 && value <= 1 ? value : -1;
  });
  return {
    method: map.method,
    space: map.space,
    paths: report.samples.map((s) => s.path),
    points,
    labels,
    labelNames,
    marks,
    issueTypes,
  };
}
