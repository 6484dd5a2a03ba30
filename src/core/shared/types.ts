/** How the dataset stores its labels; detected by {@link loadDataset}. */
export type DatasetFormat = 'folder' | 'csv' | 'json';

/** One labeled image of the dataset. */
export interface Sample {
  /** Image path relative to the dataset root, with '/' separators, as written in the manifest. */
  readonly path: string;
  /** The given label, exactly as the dataset spells it. */
  readonly label: string;
  /**
   * Where the sample came from in the label source, for export: the CSV data-row index (0 = first row
   * after the header), the JSON array index, the JSON object key, or -1 for a folder-per-class dataset.
   */
  readonly sourceIndex: number | string;
}

/** A problem with one entry that the audit skips and lists in the report. */
export interface InputIssue {
  /** Path of the file at fault, relative to the dataset root ('/' separators). */
  readonly file: string;
  readonly kind: InputIssueKind;
  /** Human-readable explanation, e.g. "not a PNG, JPEG, WebP, GIF, BMP or TIFF image". */
  readonly problem: string;
}

export type InputIssueKind =
  | 'decodeFailed'
  | 'notAnImage'
  | 'tooLarge'
  | 'missingFile'
  | 'outsideRoot'
  | 'emptyLabel'
  | 'unknownLabel'
  | 'duplicateEntry'
  | 'conflictingDuplicate'
  /** A row of the user's --pred-probs or --embeddings file whose path is no audited image. */
  | 'notInDataset'
  | 'smallClass';

/** The label source as read, kept so that export can write the same format back. */
export type LabelSource =
  | { readonly format: 'folder' }
  | {
      readonly format: 'csv';
      /** Header cells, in order. */
      readonly header: readonly string[];
      /** Every data row as read (including rows that were skipped), all cells kept as strings. */
      readonly rows: readonly (readonly string[])[];
      readonly pathColumn: number;
      readonly labelColumn: number;
      /** '\r\n' when the input used CRLF line ends, else '\n'. */
      readonly lineEnding: '\n' | '\r\n';
      /** True when the input started with a UTF-8 byte-order mark. */
      readonly bom: boolean;
      /** Field delimiter (',' or ';' or '\t'). */
      readonly delimiter: string;
    }
  | {
      readonly format: 'json';
      /** 'array' for `[{ "path", "label", ... }]`, 'map' for `{ "<path>": "<label>" }`. */
      readonly shape: 'array' | 'map';
      /** The parsed document, untouched, so export keeps every other field. */
      readonly document: unknown;
      /** Property names used in the array shape (e.g. 'path'/'file', 'label'/'class'). */
      readonly pathKey: string;
      readonly labelKey: string;
    };

/** A dataset as loaded from disk, before decoding. */
export interface Dataset {
  /** Absolute path of the dataset root folder (images are resolved against it). */
  readonly root: string;
  readonly format: DatasetFormat;
  /** Absolute path of the CSV/JSON manifest; undefined for folder-per-class. */
  readonly manifestPath?: string;
  /** Class names, sorted; a sample's class id is its index here. */
  readonly classes: readonly string[];
  /** The usable entries, in source order. */
  readonly samples: readonly Sample[];
  /** Entries skipped while reading the label source. */
  readonly issues: readonly InputIssue[];
  readonly source: LabelSource;
}

/** Decoded pixels for a list of samples, stored once as uint8 (converted to float per batch). */
export interface ImageSet {
  /** Side of the square input, in pixels. */
  readonly size: number;
  /** 1 when every image is grayscale, else 3 (RGB). */
  readonly channels: 1 | 3;
  /** `count * size * size * channels` bytes, sample-major, row-major, channels last (NHWC). */
  readonly pixels: Uint8Array;
  readonly count: number;
}

/** Progress of a long operation, reported through `onProgress`. */
export interface AuditProgress {
  readonly phase: AuditPhase;
  /** Fraction of the current phase done, in [0, 1]. */
  readonly fraction: number;
  /** Fraction of the whole audit done, in [0, 1]. */
  readonly overall: number;
  /** Training: the epoch each model is in, and the planned epochs (ERM's is a maximum in a deep audit). */
  readonly erm?: { readonly epoch: number; readonly epochs: number };
  readonly mixup?: { readonly epoch: number; readonly epochs: number };
  /** Training with cross-fitting: fold models finished, and in all. */
  readonly folds?: { readonly done: number; readonly total: number };
  /** Decoding: images done and in all. */
  readonly done?: number;
  readonly total?: number;
  /** Estimated seconds left for the whole audit, once known. */
  readonly etaSeconds?: number;
  /** A short line for a log, e.g. "epoch 3/8 loss 0.412 acc 0.91". */
  readonly message?: string;
}

/** The audit's steps in order. Both models train at once, so training is one phase. */
export type AuditPhase = 'loading' | 'decoding' | 'training' | 'writing';

/** What the reviewer decided for one sample. */
export type Decision =
  { readonly action: 'keep' } | { readonly action: 'relabel'; readonly label: string } | { readonly action: 'remove' };

/** Decisions keyed by sample path (relative to the dataset root). */
export type Decisions = Readonly<Record<string, Decision>>;

/**
 * A decision about a whole class: every label `from` becomes `into` (merge, into an existing class)
 * or `to` (rename, to a new name). Applied in order, before the per-sample decisions (see
 * `src/core/shared/classActions.ts`).
 */
export type ClassAction =
  | { readonly action: 'merge'; readonly from: string; readonly into: string }
  | { readonly action: 'rename'; readonly from: string; readonly to: string };

/** One audited sample, as the report (`report.ts`) lists it; also what the review panel shows. */
export interface ReportSample {
  /** Path relative to the dataset root, as in the label source. */
  readonly path: string;
  readonly givenLabel: string;
  /** The class the mixup model prefers over the given one. */
  readonly suggestedLabel: string;
  /** ERM model's probability of the given label. */
  readonly ermGiven: number;
  /** mixup model's probability of the given label. */
  readonly mixupGiven: number;
  /** mixup model's probability of the suggested label. */
  readonly mixupSuggested: number;
  /** Suspicion in [0, 1], higher = more likely mislabeled. The list is sorted by it. */
  readonly score: number;
  readonly flagged: boolean;
  /** Rejected by the models but not flagged: its class reached the flag cap (at most half a class is flagged). */
  readonly heldBack?: boolean;
  /** ERM fits the given label. */
  readonly ermFits: boolean;
  /** Deep audit only: epoch from which ERM predicted the given label (0 = never learned). */
  readonly ermLearnedEpoch?: number;
  /** How the ERM model learned this label during training (absent in reports from before it was recorded). */
  readonly dynamics?: ReportDynamics;
  /** Audits that cross-fitted (method 'confident-learning' or 'fused'): why the sample is suspect. */
  readonly reasons?: ReportReasons;
  /**
   * Flagged samples (the 5 000 most suspect at most): the closest unflagged samples under the given
   * and under the suggested label, in the mixup model's embedding space. Absent in reports written
   * before neighbours existed.
   */
  readonly neighbours?: ReportNeighbours;
  /**
   * Index into the report's `copyGroups` when other files have the same bytes: a decision on one copy
   * applies to the copies with the same label (`src/core/review/copySets.ts`). Absent for a file
   * without a copy, and in reports written before copy groups existed.
   */
  readonly copyGroup?: number;
}

/**
 * ERM's training trajectory for one sample (src/core/training/learningDynamics.ts): read from the
 * training forward passes, so recording it cost no extra inference.
 */
export interface ReportDynamics {
  /** Area under the margin (Pleiss et al. 2020): the given label's logit minus the largest other, averaged over the epochs. Low or negative: likely mislabeled. */
  readonly aum: number;
  /** Epoch from which ERM predicted the given label at every visit (0 = never). */
  readonly learnedEpoch: number;
  /** Forgetting events (Toneva et al. 2019): visits predicted wrong right after one predicted right. */
  readonly forgotten: number;
  /** The margin over the epochs, at most 16 points sampled evenly (one decimal): the preview's sparkline. */
  readonly margins: readonly number[];
}

/** A suspect's nearest samples under its two labels (see `src/core/detection/neighbours.ts`). */
export interface ReportNeighbours {
  readonly given: ReportNeighbourList;
  readonly suggested: ReportNeighbourList;
}

/**
 * Nearest first. Two parallel arrays rather than one object per neighbour: the report of a large
 * dataset holds tens of thousands of these, and the field names would double their size.
 */
export interface ReportNeighbourList {
  /** Positions of the neighbours in the report's `samples` array. */
  readonly samples: readonly number[];
  /** Cosine distances between the embeddings, in [0, 2], rounded to 3 decimals, ascending. */
  readonly distances: readonly number[];
}

/**
 * Each signal's say on one sample. The sample's own `score`, `flagged` and `suggestedLabel` follow
 * the audit's method; these are the signals one by one, so a reviewer sees which fired.
 */
export interface ReportReasons {
  /** Which signals fired. */
  readonly signals: {
    /** ERM fits the given label although mixup or the out-of-sample model rejects it. */
    readonly ermMemorized: boolean;
    /** mixup prefers another class to the given label. */
    readonly mixupRejects: boolean;
    /** Confident learning on out-of-sample probabilities prunes the label. */
    readonly outOfSampleRejects: boolean;
  };
  /** Suspicion in [0, 1] under each signal (higher = more likely mislabeled). */
  readonly scores: { readonly ermMixup: number; readonly confidentLearning: number };
  /** Out-of-sample probability of the given label. */
  readonly outOfSampleGiven: number;
  /** The label each signal suggests instead. */
  readonly suggestions: { readonly ermMixup: string; readonly confidentLearning: string };
  /** Both signals suggest the same label. */
  readonly suggestionsAgree: boolean;
  /**
   * Audits with `--pred-probs`, where the out-of-sample signal is the user's model: true when its
   * file had no row for this image (the confident-learning figures are then the judge's own).
   */
  readonly noOutOfSampleRow?: boolean;
  /**
   * Audits with `--embeddings`: the kNN label-agreement signal — the share of the image's nearest
   * images (cosine, in the user's embedding space) that carry its given label, the suspicion score
   * those shares give, and the label most of them carry instead. Absent for an image without an
   * embedding, and in reports from before the signal existed.
   */
  readonly neighbours?: { readonly agreement: number; readonly score: number; readonly suggestion: string };
}
