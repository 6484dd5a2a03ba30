/**
 * The dataset-health checks of one audit, computed together, and their section of report.json
 * (`health`, documented in docs/dataset-health.md): image quality, outliers, leaky splits.
 */

import { flagIssues, type IssueFlags } from './issueFlags';
import {
  MAX_MEASURED_SIDE,
  QUALITY_THRESHOLDS,
  QUALITY_TYPES,
  RELATIVE_QUALITY_FLOORS,
  type QualityScores,
  type QualityType,
} from './imageQuality';
import { findLeaks, sampleSplits, type LeakedGroup, type LeakySplits, type SplitCounts } from './leakySplits';
import { OUTLIER_NEIGHBOURS, OUTLIER_THRESHOLD, outlierScoresOf } from './outliers';
import { referenceNeighbours } from './referenceNeighbours';
import { embeddingMap, MAP_NEIGHBOURS, type EmbeddingMap } from './map/embeddingMap';
import type { DuplicateGroup } from '../detection/duplicates';
import type { Dataset } from '../shared/types';
import { MAX_ISSUE_PREVALENCE } from './issueFlags';

/** One issue type in the report. */
export interface ReportIssueType {
  /** Flag when a sample's score is below this. */
  readonly threshold: number;
  /** What the score measures, and why the threshold is what it is. */
  readonly score: string;
  readonly why: string;
  /** Samples below the threshold, and their share of the audited samples. */
  readonly count: number;
  readonly share: number;
  /** Fired on more than `health.maxPrevalence`: a property of the dataset, so `flagged` is empty. */
  readonly datasetProperty: boolean;
  /** Positions in `report.samples` of the flagged samples, worst first. */
  readonly flagged: readonly number[];
  /** Score of every sample, by position in `report.samples` (3 decimals), lower is worse. */
  readonly scores: readonly number[];
}

/** The `health` section of report.json. */
export interface ReportHealth {
  /** Share of the dataset above which an issue type is a dataset property. */
  readonly maxPrevalence: number;
  readonly imageQuality: {
    /** Side in pixels of the (downscaled) pixels the statistics were measured on. */
    readonly measuredAt: number;
    readonly types: Readonly<Record<QualityType, ReportIssueType>>;
  };
  /** Absent when the audit had no embeddings. */
  readonly outliers?: ReportIssueType & {
    /** 'mixup': the mixup model's penultimate layer; 'own': the user's `--embeddings`. */
    readonly space: 'mixup' | 'own';
    readonly k: number;
    /** Images searched for each image's neighbours (all of them up to 10 000, else a seeded sample). */
    readonly reference: number;
    /** Mean cosine distance to the k nearest above which a sample is an outlier. */
    readonly distanceThreshold: number;
  };
  /** Absent when the dataset has no splits. */
  readonly leakySplits?: {
    readonly source: LeakySplits['source'];
    readonly splits: readonly SplitCounts[];
    readonly groups: readonly LeakedGroup[];
    readonly images: number;
  };
  /** Absent when the audit had no embeddings. */
  readonly map?: ReportMap;
  /** Wall time of all the checks together. */
  readonly seconds: number;
}

/** The embedding map: a 2-D position per sample (docs/dataset-health.md#the-embedding-map). */
export interface ReportMap {
  /** 'umap', or 'pca' for a dataset too small for a neighbour graph. */
  readonly method: EmbeddingMap['method'];
  readonly space: 'mixup' | 'own';
  /** Samples UMAP laid out (the others sit among their nearest of these), and its epochs. */
  readonly laidOut: number;
  readonly epochs: number;
  /**
   * `[x0, y0, x1, y1, …]` by position in `report.samples`, in [0, 1] (4 decimals; the longer side
   * spans it), `null` for a sample without an embedding.
   */
  readonly points: readonly (number | null)[];
  readonly seconds: number;
}

/** The checks' results by row of the audited images, before they are placed in report order. */
export interface DatasetHealth {
  readonly measuredAt: number;
  readonly quality: Readonly<Record<QualityType, { flags: IssueFlags; scores: Float32Array }>>;
  readonly outliers?: {
    flags: IssueFlags;
    scores: Float32Array;
    space: 'mixup' | 'own';
    k: number;
    reference: number;
    distanceThreshold: number;
  };
  readonly leakySplits?: LeakySplits;
  readonly map?: EmbeddingMap & { space: 'mixup' | 'own' };
  readonly seconds: number;
}

/**
 * Runs every health check on what the audit already has: the image-quality scores (one pass over the
 * uint8 pixels, taken with {@link qualityScores} before training, when the audit frees the pixels),
 * every duplicate group and the embeddings. With embeddings it costs one nearest-neighbour search,
 * shared by the outliers and the embedding map (referenceNeighbours.ts), and the map's layout.
 */
export async function assessHealth(input: {
  dataset: Dataset;
  kept: readonly number[];
  /** `qualityScores(images, dimensions)` of the audited images. */
  qualityScores: QualityScores;
  /** Side of the audited images in pixels. */
  imageSize: number;
  duplicateGroups: readonly DuplicateGroup[];
  embeddings?: { space: 'mixup' | 'own'; values: Float32Array; width: number; covered?: Uint8Array };
  seed?: number;
  /** Lay out the embedding map (default true). */
  map?: boolean;
  signal?: AbortSignal;
  /** Progress of the map's layout, the one step that takes seconds. */
  onMapProgress?: (fraction: number) => void;
}): Promise<DatasetHealth> {
  const started = performance.now();
  const scores = input.qualityScores;
  const quality = Object.fromEntries(
    QUALITY_TYPES.map((type) => [
      type,
      {
        scores: scores[type],
        flags: flagIssues(scores[type], QUALITY_THRESHOLDS[type].threshold, {
          fence: RELATIVE_QUALITY_FLOORS[type],
        }),
      },
    ]),
  ) as DatasetHealth['quality'];
  const { embeddings } = input;
  const neighbours =
    embeddings &&
    referenceNeighbours(embeddings.values, embeddings.width, Math.max(OUTLIER_NEIGHBOURS, MAP_NEIGHBOURS), {
      ...(embeddings.covered ? { covered: embeddings.covered } : {}),
      ...(input.seed === undefined ? {} : { seed: input.seed }),
    });
  const found = neighbours && outlierScoresOf(neighbours);
  const map =
    embeddings && neighbours && input.map !== false
      ? await embeddingMap(embeddings.values, embeddings.width, neighbours, {
          ...(input.seed === undefined ? {} : { seed: input.seed }),
          ...(input.signal ? { signal: input.signal } : {}),
          ...(input.onMapProgress ? { onProgress: input.onMapProgress } : {}),
        })
      : undefined;
  const splits = sampleSplits(input.dataset);
  const leakySplits = splits && findLeaks(input.dataset, input.kept, splits, input.duplicateGroups);
  return {
    measuredAt: Math.floor(input.imageSize / Math.ceil(input.imageSize / MAX_MEASURED_SIDE)),
    quality,
    ...(found && embeddings
      ? {
          outliers: {
            flags: flagIssues(found.scores, found.threshold),
            scores: found.scores,
            space: embeddings.space,
            k: found.k,
            reference: found.reference,
            distanceThreshold: found.distanceThreshold,
          },
        }
      : {}),
    ...(leakySplits ? { leakySplits } : {}),
    ...(map && embeddings ? { map: { ...map, space: embeddings.space } } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The report's `health` section.
 * @param position `(N,)` position in `report.samples` of each audited row.
 */
export function reportHealth(health: DatasetHealth, position: Int32Array): ReportHealth {
  const issue = (flags: IssueFlags, scores: Float32Array, score: string, why: string): ReportIssueType => {
    const ordered = new Array<number>(scores.length);
    scores.forEach((value, row) => (ordered[position[row]] = round3(value)));
    return {
      threshold: round3(flags.threshold),
      score,
      why,
      count: flags.count,
      share: Math.round(flags.share * 1e4) / 1e4,
      datasetProperty: flags.datasetProperty,
      flagged: Array.from(flags.flagged, (row) => position[row]),
      scores: ordered,
    };
  };
  const types = Object.fromEntries(
    QUALITY_TYPES.map((type) => {
      const { flags, scores } = health.quality[type];
      return [type, issue(flags, scores, QUALITY_THRESHOLDS[type].score, QUALITY_THRESHOLDS[type].why)];
    }),
  ) as Record<QualityType, ReportIssueType>;
  const o = health.outliers;
  return {
    maxPrevalence: MAX_ISSUE_PREVALENCE,
    imageQuality: { measuredAt: health.measuredAt, types },
    ...(o
      ? {
          outliers: {
            ...issue(
              o.flags,
              o.scores,
              `exp(−d / median d), d = mean cosine distance to the ${o.k} nearest images in the ${o.space === 'own' ? 'given embeddings' : "mixup model's embeddings"}`,
              `cleanlab's outlier rule: d above Q3 + (1/${OUTLIER_THRESHOLD} − 1)·IQR of d (Datalab's default threshold ${OUTLIER_THRESHOLD} for features)`,
            ),
            space: o.space,
            k: o.k,
            reference: o.reference,
            distanceThreshold: round3(o.distanceThreshold),
          },
        }
      : {}),
    ...(health.leakySplits ? { leakySplits: health.leakySplits } : {}),
    ...(health.map ? { map: reportMap(health.map, position) } : {}),
    seconds: Math.round(health.seconds * 1000) / 1000,
  };
}

/** The map's positions in report order, rounded (4 decimals: a ten-thousandth of the map's side). */
function reportMap(map: NonNullable<DatasetHealth['map']>, position: Int32Array): ReportMap {
  const points = new Array<number | null>(map.points.length);
  for (let row = 0; row < position.length; row++) {
    for (let axis = 0; axis < 2; axis++) {
      const value = map.points[row * 2 + axis];
      points[position[row] * 2 + axis] = Number.isFinite(value) ? Math.round(value * 1e4) / 1e4 : null;
    }
  }
  return {
    method: map.method,
    space: map.space,
    laidOut: map.laidOut,
    epochs: map.epochs,
    points,
    seconds: Math.round(map.seconds * 1000) / 1000,
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
