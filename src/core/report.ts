import { relative, sep } from 'node:path';
import type { CrossFitSummary, ModelAudit, ModelSummary } from './training/auditImages';
import {
  classHealth,
  largerCounts,
  mixupTieCounts,
  suggestMerges,
  type ClassHealth,
  type MergeSuggestion,
} from './detection/classHealth';
import { lookAlikeClasses, lookAlikeWarning } from './data/lookAlikeClasses';
import type { DuplicateFindingsWithEmbeddings } from './detection/embeddingDuplicates';
import type { VerdictReasons } from './detection/flag';
import type { Judgement, NoiseSource } from './detection/judge';
import { reportHealth, type DatasetHealth, type ReportHealth } from './health/healthReport';
import type { AuditOptions } from './options';
import type { NeighbourList, SuspectNeighbours } from './detection/neighbours';
import type {
  Dataset,
  DatasetFormat,
  InputIssue,
  ReportDynamics,
  ReportNeighbourList,
  ReportNeighbours,
  ReportReasons,
  ReportSample,
} from './shared/types';
import type { LearningDynamics } from './training/learningDynamics';

export type { ClassHealth, MergeSuggestion, ReportNeighbourList, ReportNeighbours, ReportReasons, ReportSample };

/**
 * Version of the report schema; bumped on any incompatible change. 2: `noiseMatrix`,
 * `training.crossFit`, per-sample `reasons`, `settings.method` and the cross-fitting settings.
 * 3: `settings.flag.judge` is `settings.flag.scoredBy`, and the noise source 'judge' is 'in-sample'
 * (the same values under names that say what they are). 4: the samples are no longer in
 * report.json but in an Arrow file beside it that the header names (reportSamples.ts,
 * docs/report-format.md), so that a million-sample report opens in a second or two. 5: the
 * per-sample numbers of `health` (each image-quality and outlier score, the map's points) moved
 * there too, as columns (reportSeries.ts): at a million samples they were ~60 MB of header JSON.
 * {@link readReport} still reads versions 2 to 4.
 * Optional fields added later (`duplicates`, `conflicts`, per-sample `neighbours`; `ownModel`,
 * `settings.ownModel`, `reasons.neighbours` and `reasons.noOutOfSampleRow`; `health` and
 * `settings.health`, docs/dataset-health.md; `settings.heads` and `ownModel.backbone`, docs/own-model.md; per-sample `dynamics`, docs/learning-dynamics.md) keep the version:
 * a reader that predates them ignores them, and this reader treats them as absent in older reports.
 * The same holds for `copyGroups` and per-sample `copyGroup`, and for `copies` / `morePaths` on a
 * conflict member (one member now stands for all its byte-identical files with one label, issue #18):
 * an older reader shows such a member as one file, and a decision on it then reaches that file only.
 */
export const REPORT_VERSION = 5;

/** Where the audit keeps its files inside the dataset: report, decisions, cache. */
export const AUDIT_DIR = '.label-audit';

/** The report written to `<dataset>/.label-audit/report.json`. */
export interface AuditReport {
  readonly schema: 'label-audit-report';
  readonly version: typeof REPORT_VERSION;
  readonly createdAt: string;
  readonly dataset: {
    readonly root: string;
    readonly format: DatasetFormat;
    /** Manifest path relative to the root; absent for folder-per-class. */
    readonly manifest?: string;
    readonly classes: readonly string[];
    /** Entries in the label source that were usable... */
    readonly entries: number;
    /** ...and of those, the images that decoded and were audited. */
    readonly audited: number;
  };
  readonly settings: AuditOptions & { readonly backend: string };
  readonly training: { readonly erm: ModelSummary; readonly mixup: ModelSummary; readonly crossFit?: CrossFitSummary };
  /** Confident learning's estimate of which labels were swapped for which (Northcutt et al. 2021). */
  readonly noiseMatrix: ReportNoiseMatrix;
  readonly summary: {
    readonly flagged: number;
    readonly flagRate: number;
    /** Flagged samples whose label ERM nevertheless fits (memorized, if ERM was trained long). */
    readonly flaggedErmFits: number;
    /** Per class: samples audited and flagged. */
    readonly perClass: readonly { readonly label: string; readonly samples: number; readonly flagged: number }[];
    /** Deep audit only: median epoch at which ERM learned flagged vs other labels. */
    readonly medianLearnedEpoch?: { readonly flagged: number; readonly others: number };
  };
  readonly timings: Readonly<Record<'load' | 'decode' | 'erm' | 'mixup' | 'score' | 'total', number>>;
  readonly decode: { readonly cacheHits: number; readonly decoded: number };
  /** Peak resident memory of the audit process (training threads included), in MiB. */
  readonly resources: { readonly peakRssMb: number };
  /** Entries that were skipped, and why. */
  readonly skipped: readonly InputIssue[];
  /** Every audited sample, most suspect first. */
  readonly samples: readonly ReportSample[];
  /** Counts of exact and near duplicate groups (optional: absent in reports from before it existed). */
  /** With `--embeddings`, `embeddings` counts the near copies found on them (optional, as above). */
  readonly duplicates?: DuplicateFindingsWithEmbeddings['summary'];
  /** Duplicate groups whose members carry different labels, exact copies first (optional, as above). */
  readonly conflicts?: DuplicateFindingsWithEmbeddings['conflicts'];
  /** Sets of byte-identical files, largest first: each with its size, labels and a few paths (optional, as above). */
  readonly copyGroups?: DuplicateFindingsWithEmbeddings['copyGroups'];
  /** Per class: images, flags, flags held back by the class cap, and a warning for classes too small to judge (optional, as above). */
  readonly classes?: readonly ClassHealth[];
  /** Class pairs the models mostly confuse with each other, from the noise matrix and mixup's near-ties (optional, as above). */
  readonly mergeSuggestions?: readonly MergeSuggestion[];
  /** Audits with the user's own model outputs (`settings.ownModel`): how many images each file covered (optional, as above). */
  readonly ownModel?: OwnModelSummary;
  /** Dataset health beyond labels: image quality, outliers, leaky splits (optional, as above; docs/dataset-health.md). */
  readonly health?: ReportHealth;
}

/** How much of the audit the user's model outputs covered (docs/own-model.md). */
export interface OwnModelSummary {
  /** `--pred-probs`: audited images with a row, and without one (audited without that signal). */
  readonly predProbs?: { readonly covered: number; readonly missing: number };
  /** `--embeddings`: the same, and the width of a vector. */
  readonly embeddings?: { readonly covered: number; readonly missing: number; readonly dimensions: number };
  /** `--backbone`: how the embeddings were computed, and what it took (distinct images run and cached). */
  readonly backbone?: {
    readonly format: 'layers' | 'graph';
    readonly layer: string;
    readonly inputSize: number;
    readonly pixels: string;
    readonly seconds: number;
    readonly computed: number;
    readonly cacheHits: number;
  };
  /** File rows skipped (path outside the dataset or not audited), listed in `skipped`. */
  readonly skippedRows: number;
}

/** The estimated class swaps, as the report stores them. */
export interface ReportNoiseMatrix {
  /**
   * 'out-of-sample': from the cross-fitted probabilities (methods 'confident-learning', 'fused');
   * 'in-sample': from the ERM and mixup models' scoring probabilities (method 'mixup'), a rougher
   * estimate because those models trained on the labels they rate. Version 2 reports said 'judge'.
   */
  readonly source: NoiseSource;
  /** Row and column names: the dataset's classes. */
  readonly classes: readonly string[];
  /** `counts[given][true]`: estimated number of samples given label `given` whose true label is `true`. */
  readonly counts: readonly (readonly number[])[];
  /** Estimated share of wrong labels. */
  readonly noiseRate: number;
}

/**
 * Assembles the report from the dataset, the audited subset and the models' verdicts.
 *
 * @param kept Indices into `dataset.samples` of the images that were audited, row-aligned with
 *   the model inputs.
 */
export function buildReport(
  dataset: Dataset,
  kept: readonly number[],
  audit: ModelAudit,
  settings: AuditOptions & { backend: string },
  extra: {
    timings: AuditReport['timings'];
    decode: AuditReport['decode'];
    resources: AuditReport['resources'];
    skipped: readonly InputIssue[];
    duplicates?: DuplicateFindingsWithEmbeddings;
    ownModel?: OwnModelSummary;
    health?: DatasetHealth;
    createdAt?: Date;
  },
): AuditReport {
  const { classes } = dataset;
  // Samples are listed in verdict order, so a neighbour's position there is its verdict's.
  const position = new Int32Array(audit.verdicts.length);
  audit.verdicts.forEach((v, at) => (position[v.index] = at));
  const copyGroupOf = extra.duplicates?.copyGroupOf;
  // A deep audit's report has kept `ermLearnedEpoch` since before the whole trajectory was recorded.
  const deepLearned = settings.mode === 'deep' ? audit.dynamics?.learnedAtEpoch : undefined;
  const samples: ReportSample[] = audit.verdicts.map((v) => ({
    path: dataset.samples[kept[v.index]].path,
    givenLabel: classes[v.givenLabel],
    suggestedLabel: classes[v.suggestedLabel],
    ermGiven: round(v.ermGiven),
    mixupGiven: round(v.mixupGiven),
    mixupSuggested: round(v.mixupSuggested),
    score: round(v.score),
    flagged: v.flagged,
    ...(v.heldBack ? { heldBack: true } : {}),
    ermFits: v.ermFits,
    ...(deepLearned ? { ermLearnedEpoch: deepLearned[v.index] } : {}),
    ...(audit.dynamics ? { dynamics: reportDynamics(audit.dynamics, v.index) } : {}),
    ...(v.reasons ? { reasons: reportReasons(v.reasons, classes) } : {}),
    ...(audit.neighbours?.has(v.index)
      ? { neighbours: reportNeighbours(audit.neighbours.get(v.index)!, position) }
      : {}),
    ...(copyGroupOf && copyGroupOf[v.index] >= 0 ? { copyGroup: copyGroupOf[v.index] } : {}),
  }));
  const flagged = samples.filter((s) => s.flagged);
  const noiseMatrix = reportNoiseMatrix(audit.noise, classes);
  const perClass = classes.map((label) => ({
    label,
    samples: samples.filter((s) => s.givenLabel === label).length,
    flagged: flagged.filter((s) => s.givenLabel === label).length,
  }));
  return {
    schema: 'label-audit-report',
    version: REPORT_VERSION,
    createdAt: (extra.createdAt ?? new Date()).toISOString(),
    dataset: {
      root: dataset.root,
      format: dataset.format,
      ...(dataset.manifestPath ? { manifest: relativeTo(dataset.root, dataset.manifestPath) } : {}),
      classes,
      entries: dataset.samples.length,
      audited: kept.length,
    },
    settings,
    training: { erm: audit.erm, mixup: audit.mixup, ...(audit.crossFit ? { crossFit: audit.crossFit } : {}) },
    noiseMatrix,
    summary: {
      flagged: flagged.length,
      flagRate: samples.length === 0 ? 0 : flagged.length / samples.length,
      flaggedErmFits: flagged.filter((s) => s.ermFits).length,
      perClass,
      ...(deepLearned ? { medianLearnedEpoch: medianLearned(samples) } : {}),
    },
    timings: extra.timings,
    decode: extra.decode,
    resources: extra.resources,
    skipped: extra.skipped,
    samples,
    ...(extra.duplicates
      ? {
          duplicates: extra.duplicates.summary,
          conflicts: extra.duplicates.conflicts,
          copyGroups: extra.duplicates.copyGroups,
        }
      : {}),
    classes: withLookAlikeWarnings(classHealth(classes, audit.verdicts)),
    // Either evidence of two names for one kind of image: estimated swaps, or mixup undecided between them.
    mergeSuggestions: suggestMerges(
      classes,
      largerCounts(noiseMatrix.counts, mixupTieCounts(audit.verdicts, classes.length)),
    ),
    ...(extra.ownModel ? { ownModel: extra.ownModel } : {}),
    ...(extra.health ? { health: reportHealth(extra.health, position) } : {}),
  };
}

/** Most points of a sample's margin curve kept in the report (longer runs are sampled evenly). */
const REPORT_MARGIN_POINTS = 16;

/** One sample's trajectory figures, rounded for the report, its margin curve sampled to at most {@link REPORT_MARGIN_POINTS}. */
function reportDynamics(dynamics: LearningDynamics, row: number): ReportDynamics {
  const { epochs, epochMargins } = dynamics;
  const points = Math.min(epochs, REPORT_MARGIN_POINTS);
  const margins: number[] = [];
  for (let p = 0; p < points; p++) {
    // Evenly over the run, always ending at the last epoch.
    const epoch = points === 1 ? epochs - 1 : Math.round((p * (epochs - 1)) / (points - 1));
    const margin = epochMargins[row * epochs + epoch];
    // `+ 0` turns a rounded -0 into 0, as round() does.
    if (!Number.isNaN(margin)) margins.push(Math.round(margin * 10) / 10 + 0);
  }
  return {
    aum: Math.round(dynamics.aum[row] * 100) / 100 + 0,
    learnedEpoch: dynamics.learnedAtEpoch[row],
    forgotten: dynamics.forgettingEvents[row],
    margins,
  };
}

function reportReasons(reasons: VerdictReasons, classes: readonly string[]): ReportReasons {
  return {
    signals: {
      ermMemorized: reasons.ermMemorized,
      mixupRejects: reasons.mixupRejects,
      outOfSampleRejects: reasons.outOfSampleRejects,
    },
    scores: { ermMixup: round(reasons.ermMixupScore), confidentLearning: round(reasons.confidentLearningScore) },
    outOfSampleGiven: round(reasons.outOfSampleGiven),
    suggestions: {
      ermMixup: classes[reasons.ermMixupSuggestion],
      confidentLearning: classes[reasons.confidentLearningSuggestion],
    },
    suggestionsAgree: reasons.suggestionsAgree,
    ...(reasons.noOutOfSampleRow ? { noOutOfSampleRow: true } : {}),
    ...(reasons.neighbourScore !== undefined
      ? {
          neighbours: {
            agreement: round(reasons.neighbourAgreement!),
            score: round(reasons.neighbourScore),
            suggestion: classes[reasons.neighbourSuggestion!],
          },
        }
      : {}),
  };
}

function reportNeighbours(found: SuspectNeighbours, position: Int32Array): ReportNeighbours {
  const list = (l: NeighbourList): ReportNeighbourList => ({
    samples: Array.from(l.rows, (row) => position[row]),
    // Three decimals tell near from far on hover; more would only make a large report larger.
    distances: Array.from(l.distances, (d) => Math.round(d * 1000) / 1000),
  });
  return { given: list(found.given), suggested: list(found.suggested) };
}

function reportNoiseMatrix(noise: Judgement['noise'], classes: readonly string[]): ReportNoiseMatrix {
  const k = classes.length;
  return {
    source: noise.source,
    classes,
    // Whole samples: the estimate is a count, and fractions of one would suggest false precision.
    counts: classes.map((_, given) => Array.from(noise.counts.subarray(given * k, (given + 1) * k), Math.round)),
    noiseRate: round(noise.noiseRate),
  };
}

function medianLearned(samples: readonly ReportSample[]): { flagged: number; others: number } {
  const median = (values: number[]) => {
    const sorted = values.filter((v) => v > 0).sort((a, b) => a - b);
    return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
  };
  return {
    flagged: median(samples.filter((s) => s.flagged).map((s) => s.ermLearnedEpoch ?? 0)),
    others: median(samples.filter((s) => !s.flagged).map((s) => s.ermLearnedEpoch ?? 0)),
  };
}

/**
 * Adds the look-alike-name warning (see lookAlikeClasses.ts) to each class of such a group, after
 * any warning it has: the CLI summary and the panel's Classes view show these warnings.
 */
function withLookAlikeWarnings(health: ClassHealth[]): ClassHealth[] {
  const groups = lookAlikeClasses(health.map((c) => c.name));
  if (groups.length === 0) return health;
  const groupOf = new Map(groups.flatMap((group) => group.map((name) => [name, group] as const)));
  return health.map((c) => {
    const group = groupOf.get(c.name);
    if (!group) return c;
    const lookAlike = lookAlikeWarning(c.name, group);
    return { ...c, warning: c.warning ? `${c.warning}; ${lookAlike}` : lookAlike };
  });
}

/** `path` relative to `root` with '/' separators, as paths appear in label files. */
function relativeTo(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** Four decimals, and never -0 (JSON wrote it as 0; the samples file would keep the sign). */
function round(value: number): number {
  return Math.round(value * 1e4) / 1e4 + 0;
}
