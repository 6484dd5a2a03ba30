/**
 * The report's per-sample numbers that live outside `samples`: each image-quality score, the
 * outlier score and the embedding map's two coordinates, each an array with one entry per sample.
 * In memory they stay where the report's readers look for them (`health.imageQuality.types[t].scores`,
 * `health.outliers.scores`, `health.map.points`); on disk (schema 5) they are columns of the samples
 * file, because in report.json they made the header the large part of a report: ten numbers per
 * sample, ~60 MB of JSON at a million samples.
 */
import type { ReportHealth, ReportIssueType } from './health/healthReport';
import { QUALITY_TYPES } from './health/imageQuality';

/** The samples file lacks a column the header's health section needs. */
export class SeriesMissing extends Error {}

/** One per-sample array, as a column of the samples file. */
export interface SeriesColumn {
  /** Column name: `health.<quality type>`, `health.outliers`, `map.x`, `map.y`. */
  readonly name: string;
  /** Decimals the report rounds these numbers to: a float32 column holds them exactly once rounded back. */
  readonly decimals: number;
  /** One per sample; null where the report has none (a sample without an embedding has no map point). */
  readonly values: readonly (number | null)[];
}

/** Decimals the report rounds health scores and map coordinates to (healthReport.ts). */
const SCORE_DECIMALS = 3;
const POINT_DECIMALS = 4;

/** Decimals of each series column, by name; undefined for a column that is not a series. */
export function seriesDecimals(name: string): number | undefined {
  if (name === 'map.x' || name === 'map.y') return POINT_DECIMALS;
  return SCORE_COLUMNS.has(name) ? SCORE_DECIMALS : undefined;
}

const SCORE_COLUMNS = new Set([...QUALITY_TYPES.map((t) => `health.${t}`), 'health.outliers']);

/** `health` without its per-sample arrays (what a version 5 header holds), and the arrays as columns. */
export function splitSeries(health: ReportHealth | undefined): { health?: ReportHealth; columns: SeriesColumn[] } {
  if (!health) return { columns: [] };
  const columns: SeriesColumn[] = [];
  // An array that is not there (a report edited by hand) stays as it is: nothing to move.
  const scores = (name: string, issue: ReportIssueType): Partial<ReportIssueType> => {
    if (!Array.isArray(issue.scores)) return issue;
    const { scores: values, ...rest } = issue;
    columns.push({ name, decimals: SCORE_DECIMALS, values });
    return rest;
  };
  const types = Object.fromEntries(
    Object.entries(health.imageQuality.types).map(([type, issue]) => [type, scores(`health.${type}`, issue)]),
  );
  // Its own fields (space, k, …) ride along in the rest.
  const outliers = health.outliers && scores('health.outliers', health.outliers);
  let map: Omit<NonNullable<ReportHealth['map']>, 'points'> | undefined;
  if (health.map && Array.isArray(health.map.points)) {
    const { points, ...rest } = health.map;
    const half = points.length >> 1;
    const axis = (offset: number) => Array.from({ length: half }, (_, i) => points[2 * i + offset] ?? null);
    columns.push({ name: 'map.x', decimals: POINT_DECIMALS, values: axis(0) });
    columns.push({ name: 'map.y', decimals: POINT_DECIMALS, values: axis(1) });
    map = rest;
  }
  const header = {
    ...health,
    imageQuality: { ...health.imageQuality, types },
    ...(outliers ? { outliers } : {}),
    ...(map ? { map } : {}),
  };
  // The header's health lacks the arrays the type promises; joinSeries puts them back on reading.
  return { health: header as unknown as ReportHealth, columns };
}

/**
 * The header's `health` with its per-sample arrays back from the samples file's columns.
 * @param column - A column's values by name, undefined when the file has no such column.
 * @throws SeriesMissing naming the missing column, for the reader to put in its message.
 */
export function joinSeries(
  health: ReportHealth | undefined,
  column: (name: string) => (number | null)[] | undefined,
): ReportHealth | undefined {
  if (!health) return undefined;
  const needed = (name: string) => {
    const values = column(name);
    if (!values) throw new SeriesMissing(`has no "${name}" column, which the report's health section needs`);
    return values as number[];
  };
  const types = Object.fromEntries(
    Object.entries(health.imageQuality.types).map(([type, issue]) => [
      type,
      { ...issue, scores: Array.isArray(issue.scores) ? issue.scores : needed(`health.${type}`) },
    ]),
  ) as unknown as ReportHealth['imageQuality']['types'];
  let points: (number | null)[] | undefined;
  if (health.map && !Array.isArray(health.map.points)) {
    const [x, y] = [needed('map.x'), needed('map.y')];
    points = new Array<number | null>(2 * x.length);
    for (let i = 0; i < x.length; i++) [points[2 * i], points[2 * i + 1]] = [x[i], y[i]];
  }
  return {
    ...health,
    imageQuality: { ...health.imageQuality, types },
    ...(health.outliers && !Array.isArray(health.outliers.scores)
      ? { outliers: { ...health.outliers, scores: needed('health.outliers') } }
      : {}),
    ...(health.map && points ? { map: { ...health.map, points } } : {}),
  };
}
