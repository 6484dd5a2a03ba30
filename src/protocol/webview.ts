/**
 * The message protocol between the review panel (extension host, `src/extension/review/reviewSession.ts`)
 * and the review webview (`webview/`). One valibot schema per message; the TypeScript types are
 * inferred from them, so a type and its runtime check cannot drift apart. Each side validates every
 * message it receives (`parseWebviewMessage` on the host, `parseHostMessage` in the webview) and
 * refuses one that does not fit with a one-line problem naming the field at fault. Types and schemas
 * only: nothing here needs Node, DOM or `vscode`, and behaviour lives with the sides (the webview and
 * the host import `src/core/shared` for the label mapping and the own-key helpers).
 *
 * Names follow `scope/verb`; host-to-webview notifications say `did…`. The webview sends
 * `webview/ready` first and the host sends nothing before it (the handler would not be listening yet).
 * docs/protocol.md describes the messages and the problem format.
 */
import * as v from 'valibot';
import { classActionProblem } from '../core/shared/classActions';
import type { ClassHealth, MergeSuggestion } from '../core/detection/classHealth';
import type { ClassAction, Decision, Decisions } from '../core/shared/types';
import {
  count,
  exactOption,
  fields,
  finite,
  issueText,
  PARSE_CONFIG,
  keyedBy,
  nonEmpty,
  oneOf,
  option,
  whole,
  type Immutable,
  type Parsed,
} from './schema';

// The core's own types, which these schemas check (annotated below, so a schema cannot accept less).
export type { ClassAction, ClassHealth, Decision, Decisions, MergeSuggestion, Parsed };

// ---- shared parts ----

/** A sample path relative to the dataset root ('/' separators). */
const SamplePath = nonEmpty();

/** What a relabel without a usable label is told, whether the label is missing, not a string or blank. */
const RELABEL_PROBLEM = 'relabel needs a non-empty "label"';

/** A decision as the decisions file stores it: exactly the fields of its action. */
const DecisionSchema: v.GenericSchema<unknown, Decision> = oneOf(
  v.variant(
    'action',
    [
      exactOption({ action: v.literal('keep') }, 'has unexpected fields for action "keep"'),
      exactOption({ action: v.literal('remove') }, 'has unexpected fields for action "remove"'),
      exactOption(
        {
          action: v.literal('relabel'),
          label: v.pipe(
            v.string(RELABEL_PROBLEM),
            v.check((label) => label.trim() !== '', RELABEL_PROBLEM),
          ),
        },
        (issue) => (issue.expected === 'never' ? 'has unexpected fields for action "relabel"' : RELABEL_PROBLEM),
      ),
    ],
    (issue) => `is an unknown action ${JSON.stringify(issue.input)}`,
  ),
  'must be an object or null',
);

/** Decisions keyed by sample path ("__proto__" included). */
const DecisionsSchema: v.GenericSchema<unknown, Decisions> = keyedBy(DecisionSchema, 'must be an object keyed by path');

/** A class merge or rename, checked as the decisions file checks it (`classActionProblem`). */
const ClassActionSchema: v.GenericSchema<unknown, ClassAction> = v.custom<ClassAction>(
  (value) => classActionProblem(value) === undefined,
  (issue) => classActionProblem(issue.input) ?? 'is not a class action',
);
const ClassActionsSchema = v.array(ClassActionSchema, 'must be an array');

const Seq = count('must be a non-negative integer');
const Undo = v.optional(v.boolean('must be a boolean'));

const DecisionChangeSchema = fields({ path: SamplePath, decision: v.nullable(DecisionSchema) }, 'not an object');
/** A change of one sample's decision; `null` takes the decision back (the sample is pending again). */
export type DecisionChange = Immutable<v.InferOutput<typeof DecisionChangeSchema>>;

// ---- the content the panel shows ----

const NeighbourViewSchema = whole(
  fields({
    /** Path relative to the dataset root: what `review/openImage` opens. */
    path: SamplePath,
    /** `webview.asWebviewUri` of the image file. */
    imageUri: v.string(),
    /** Cosine distance between the two embeddings, in [0, 2]. */
    distance: finite(),
  }),
  'needs "path" and "imageUri" strings and a "distance" number',
);
/** An image near a suspect in the mixup model's embedding space. */
export type NeighbourView = Immutable<v.InferOutput<typeof NeighbourViewSchema>>;

const SuspectViewSchema = fields({
  /** Path relative to the dataset root, as in the label source. */
  path: v.string('must be a string'),
  givenLabel: v.string('must be a string'),
  /** The class the mixup model prefers over the given one. */
  suggestedLabel: v.string('must be a string'),
  /** ERM model's probability of the given label. */
  ermGiven: finite(),
  /** mixup model's probability of the given label. */
  mixupGiven: finite(),
  /** mixup model's probability of the suggested label. */
  mixupSuggested: finite(),
  /** Suspicion in [0, 1], higher = more likely mislabeled. */
  score: finite(),
  flagged: v.boolean('must be a boolean'),
  /** `webview.asWebviewUri` of the image file. */
  imageUri: v.string('must be a string'),
  /** The card stands for this many byte-identical files with its label (its decision covers them all at export). */
  copies: v.optional(count()),
  /**
   * Flagged samples, in reports that have them: the closest unflagged images under the given label
   * and under the suggested label, nearest first (the report's `neighbours`).
   */
  neighbours: v.optional(
    fields({
      given: v.array(NeighbourViewSchema, 'must be an array'),
      suggested: v.array(NeighbourViewSchema, 'must be an array'),
    }),
  ),
  /**
   * How the ERM model learned the label (the report's `dynamics`, learningDynamics.ts): the area
   * under the margin, the epoch it was learned from (0 = never) of `epochs`, forgetting events, and
   * the margin curve the preview draws. Absent in reports from before it was recorded.
   */
  dynamics: v.optional(
    fields({
      aum: finite(),
      learnedEpoch: count(),
      epochs: count(),
      forgotten: count(),
      margins: v.array(finite(), 'must be an array'),
    }),
  ),
  /**
   * Audits with the user's own model (the report's `reasons`): `predProbs` is its probability of the
   * given label and the label it suggests (`--pred-probs`), `neighbours` the share of the image's
   * nearest images in its embedding space that carry the given label and the label most of them
   * carry instead (`--embeddings`). Each is absent when the audit had no such file or the file had no
   * row for this image.
   */
  userModel: v.optional(
    fields({
      predProbs: v.optional(fields({ given: finite(), suggestion: v.string('must be a string') })),
      neighbours: v.optional(fields({ agreement: finite(), suggestion: v.string('must be a string') })),
    }),
  ),
});
/** One sample as the grid shows it: the report's figures plus the URI the webview may load. */
export type SuspectView = Immutable<v.InferOutput<typeof SuspectViewSchema>>;

const ConflictMemberViewSchema = fields({
  path: SamplePath,
  label: v.string('must be a string'),
  /** `webview.asWebviewUri` of the image file. */
  imageUri: v.string('must be a string'),
  /** A set of byte-identical files with this label: how many (a decision on `path` covers them all at export). */
  copies: v.optional(count()),
  /** A few more paths of the set, to name it (the report keeps a bounded sample). */
  morePaths: v.optional(v.array(SamplePath, 'must be an array')),
});
/** One image of a conflicting-duplicate group: the report's member plus the URI to show it. */
export type ConflictMemberView = Immutable<v.InferOutput<typeof ConflictMemberViewSchema>>;

const ConflictGroupViewSchema = fields({
  /** 'exact': the same pixels; 'near': the same image resized, recompressed or slightly edited. */
  kind: v.picklist(['exact', 'near'], 'must be "exact" or "near"'),
  members: v.pipe(
    v.array(ConflictMemberViewSchema, 'must be an array'),
    v.minLength(2, 'must list at least two images'),
  ),
});
/** Copies of one image that carry different labels (the report's `conflicts`). */
export type ConflictGroupView = Immutable<v.InferOutput<typeof ConflictGroupViewSchema>>;

const SwapMatrixViewSchema = fields({
  /** The dataset's classes, in order (the content's `classes`). */
  classes: v.array(v.string('must be a string'), 'must be an array'),
  /** `counts[given][other]` over `classes`; off the diagonal: estimated label errors from `given` to `other`. */
  counts: v.array(v.array(v.number('must be a number'), 'must be an array'), 'must be an array'),
  /** 'noiseMatrix': the report's estimate; 'flagged': counted from the flagged samples' given → suggested labels. */
  source: v.picklist(['noiseMatrix', 'flagged'], 'must be "noiseMatrix" or "flagged"'),
});
/** Class-swap counts for the heatmap. */
export type SwapMatrixView = Immutable<v.InferOutput<typeof SwapMatrixViewSchema>>;

const ClassExampleViewSchema = fields({
  path: SamplePath,
  /** `webview.asWebviewUri` of the image file. */
  imageUri: v.string('must be a string'),
});
/** One of a class's most typical images, shown in the relabel picker. */
export type ClassExampleView = Immutable<v.InferOutput<typeof ClassExampleViewSchema>>;

/** The spot-check sizes the reviewer picks from; the host sends enough samples for the largest. */
export const SPOT_CHECK_SIZES = [50, 100, 200, 500] as const;

const SpotCheckPoolSchema = v.pipe(
  fields({
    /** Samples the audit did not flag, held-back ones (flag cap) excluded: the population the estimate speaks for. */
    unflaggedTotal: count(),
    /** The seed of the order (from the report), shown so a check can be reproduced. */
    seed: v.pipe(v.number('must be an integer'), v.safeInteger('must be an integer')),
    /** The first unflagged samples in the seeded order (as many as the largest check size). */
    samples: v.array(SuspectViewSchema, 'must be an array'),
  }),
  v.forward(
    v.check((pool) => pool.samples.length <= pool.unflaggedTotal, 'must be an array of at most unflaggedTotal samples'),
    ['samples'],
  ),
);
/**
 * The images a spot check draws from: unflagged samples in a seeded random order, so a check of
 * size n is the first n and a larger check keeps the images already looked at.
 */
export type SpotCheckPool = Immutable<v.InferOutput<typeof SpotCheckPoolSchema>>;

const ClassHealthSchema: v.GenericSchema<unknown, ClassHealth> = fields({
  name: v.string('must be a string'),
  count: count(),
  flagged: count(),
  flagRate: finite(),
  heldBack: count(),
  enough: v.optional(count()),
  warning: v.optional(v.string('must be a string')),
});

const MergeSuggestionSchema: v.GenericSchema<unknown, MergeSuggestion> = fields({
  from: v.string('must be a string'),
  into: v.string('must be a string'),
  fromToInto: finite(),
  intoToFrom: finite(),
  fromShare: finite(),
  intoShare: finite(),
});

/** Examples per issue type the host sends (worst first): the strip shows 12 and "Show more" the rest. */
export const MAX_ISSUE_EXAMPLES = 48;
/** Leaked duplicate groups the host sends, and members per group (the report keeps them all). */
export const MAX_LEAK_GROUPS = 50;
export const MAX_LEAK_MEMBERS = 8;

const IssueExampleViewSchema = fields({
  path: SamplePath,
  /** The given label. */
  label: v.string('must be a string'),
  /** The sample's score on this issue type (lower is worse). */
  score: finite(),
});
/** One flagged sample of an issue type, as the Issues view's strip shows it (its image is a thumbnail, `thumbnails/request`). */
export type IssueExampleView = Immutable<v.InferOutput<typeof IssueExampleViewSchema>>;

const IssueSectionViewSchema = fields({
  /** The report's key: `dark`, `light`, `blurry`, `lowInformation`, `oddAspectRatio`, `oddSize`, `grayscale`, `outliers`. */
  type: nonEmpty(),
  /** The section's heading ("Dark images"). */
  title: nonEmpty(),
  /** Flagged when the score is below this. */
  threshold: finite(),
  /** What the score measures, and why the threshold is what it is (the report's words). */
  score: v.string('must be a string'),
  why: v.string('must be a string'),
  /** Samples below the threshold and their share of the audited samples. */
  count: count(),
  share: finite(),
  /** Fired on more than `maxPrevalence` of the dataset: no examples, one line. */
  datasetProperty: v.boolean('must be a boolean'),
  /** The worst flagged samples, worst first (at most MAX_ISSUE_EXAMPLES; `count` says how many there are). */
  examples: v.pipe(
    v.array(IssueExampleViewSchema, 'must be an array'),
    v.maxLength(MAX_ISSUE_EXAMPLES, `must hold at most ${MAX_ISSUE_EXAMPLES} examples`),
  ),
});
/** One issue type of the report's `health` section. */
export type IssueSectionView = Immutable<v.InferOutput<typeof IssueSectionViewSchema>>;

const LeakMemberViewSchema = fields({
  path: SamplePath,
  label: v.string('must be a string'),
  /** `train`, `val`, `test` (or the split column's own value). */
  split: v.string('must be a string'),
});
/** One copy of a leaked image. */
export type LeakMemberView = Immutable<v.InferOutput<typeof LeakMemberViewSchema>>;

const HealthViewSchema = fields({
  /** Share of the dataset above which a type is a dataset property. */
  maxPrevalence: finite(),
  /** Every issue type of the report, in its order (those that found nothing too: the view says so). */
  issues: v.array(IssueSectionViewSchema, 'must be an array'),
  /** Present when the dataset has splits. */
  leakySplits: v.optional(
    fields({
      source: v.picklist(['column', 'folders'], 'must be "column" or "folders"'),
      /** The classes `classCounts` count, in the dataset's order. */
      classes: v.array(v.string('must be a string'), 'must be an array'),
      splits: v.array(
        fields({
          split: v.string('must be a string'),
          samples: count(),
          /** Images per class of `classes` in this split. */
          classCounts: v.array(count(), 'must be an array'),
        }),
        'must be an array',
      ),
      /** Duplicate groups across splits in the report (`groups` holds the first MAX_LEAK_GROUPS). */
      groupCount: count(),
      groups: v.pipe(
        v.array(
          fields({
            kind: v.picklist(['exact', 'near'], 'must be "exact" or "near"'),
            /** Copies in the group (`members` shows at most MAX_LEAK_MEMBERS of them). */
            size: count(),
            /** The splits of all its copies (`train`, `val`, `test` first), not only of those shown. */
            splits: v.array(v.string('must be a string'), 'must be an array'),
            /** A copy from each split in turn, then more: at most MAX_LEAK_MEMBERS. */
            members: v.pipe(
              v.array(LeakMemberViewSchema, 'must be an array'),
              v.maxLength(MAX_LEAK_MEMBERS, `must hold at most ${MAX_LEAK_MEMBERS} members`),
            ),
          }),
          'must be an array',
        ),
        v.maxLength(MAX_LEAK_GROUPS, `must hold at most ${MAX_LEAK_GROUPS} groups`),
      ),
    }),
  ),
});
/** The Issues view: the report's dataset-health section, bounded to what the view shows. */
export type HealthView = Immutable<v.InferOutput<typeof HealthViewSchema>>;

/** A long array of numbers, checked in one loop (a schema per element costs seconds at a million). */
function numbers(check: (value: number) => boolean, message: string) {
  return v.custom<number[]>(
    (value) => Array.isArray(value) && value.every((n) => typeof n === 'number' && check(n)),
    message,
  );
}

/** Bits of `MapView.marks`: bit 0 a flagged suspect, bit 1 + t flagged for `issueTypes[t]`. */
export const MAP_MARK_SUSPECT = 1;

/** The bit of `MapView.marks` for the issue type `issueTypes[t]`. */
export function mapIssueMark(t: number): number {
  return 2 << t;
}

const MapViewSchema = v.pipe(
  fields({
    /** 'umap', or 'pca' for a dataset too small for a neighbour graph. */
    method: v.picklist(['umap', 'pca'], 'must be "umap" or "pca"'),
    /** 'mixup': the mixup model's embeddings; 'own': the user's. */
    space: v.picklist(['mixup', 'own'], 'must be "mixup" or "own"'),
    /** Every audited sample's path, in the report's order. */
    paths: whole(v.array(SamplePath), 'must be an array of non-empty strings'),
    /** `[x0, y0, x1, y1, …]` in [0, 1]; -1 for a sample without a position. */
    points: numbers((n) => n === -1 || (n >= 0 && n <= 1), 'must be numbers in [0, 1] or -1'),
    /** The given label of each sample, an index into `labelNames`. */
    labels: numbers((n) => Number.isInteger(n) && n >= 0, 'must be non-negative integers'),
    labelNames: v.array(v.string('must be a string'), 'must be an array'),
    /** Per sample, the bits of {@link MAP_MARK_SUSPECT} and the issue types. */
    marks: numbers((n) => Number.isInteger(n) && n >= 0, 'must be non-negative integers'),
    /** The issue types' titles, bit 1 + t of `marks` for the t-th. */
    issueTypes: v.array(v.string('must be a string'), 'must be an array'),
  }),
  v.check(
    (map) =>
      map.points.length === 2 * map.paths.length &&
      map.labels.length === map.paths.length &&
      map.marks.length === map.paths.length &&
      map.labels.every((label) => label < map.labelNames.length),
    'must give every path two coordinates, a known label and marks',
  ),
);
/** The embedding map: a 2-D position of every audited sample, with what the map colours and marks. */
export type MapView = Immutable<v.InferOutput<typeof MapViewSchema>>;

/** The heatmap is square over the content's classes. */
function swapsFit(content: { classes: readonly string[]; swaps?: { classes: string[]; counts: number[][] } }): {
  classes: boolean;
  counts: boolean;
} {
  const { classes, swaps } = content;
  if (!swaps) return { classes: true, counts: true };
  const size = classes.length;
  return {
    classes: swaps.classes.length === size && swaps.classes.every((c, i) => c === classes[i]),
    counts:
      swaps.counts.length === size &&
      swaps.counts.every((row) => row.length === size && row.every((n) => Number.isFinite(n) && n >= 0)),
  };
}

const ReadyContentSchema = v.pipe(
  option({
    status: v.literal('ready'),
    /** Class names in the dataset's order; digit n picks `classes[n - 1]`. */
    classes: v.array(v.string('must be a string'), 'must be an array of strings'),
    /** Flagged samples first, each group most suspect first; at most `labelAudit.maxSuspectsShown`. */
    suspects: v.array(SuspectViewSchema, 'must be an array'),
    /** Flagged samples in the report (some may be cut off by the limit). */
    flaggedTotal: count(),
    /** Samples the audit scored. */
    auditedTotal: count(),
    /** Report samples left out because of the limit. */
    hiddenCount: count(),
    /** When the report was written (ISO time). */
    createdAt: v.string('must be a string'),
    /** Duplicate groups with different labels; absent when the report predates duplicate search. */
    conflicts: v.optional(v.array(ConflictGroupViewSchema, 'must be an array')),
    /** The class-swap heatmap; absent when there is nothing to count. */
    swaps: v.optional(SwapMatrixViewSchema),
    /** A few of each class's most typical images, keyed by class, for the relabel picker. */
    classExamples: v.optional(
      keyedBy(
        whole(v.array(ClassExampleViewSchema), 'must be a list of { path, imageUri }'),
        'must be an object keyed by class',
      ),
    ),
    /** The spot check's random unflagged samples; absent when every sample was flagged. */
    spotCheck: v.optional(SpotCheckPoolSchema),
    /** Per-class counts, flags and rare-class warnings; absent in reports from before they existed. */
    classHealth: v.optional(v.array(ClassHealthSchema, 'must be an array')),
    /** Class pairs the audit suggests merging; absent as above. */
    mergeSuggestions: v.optional(v.array(MergeSuggestionSchema, 'must be an array')),
    /** Dataset health (image quality, outliers, leaky splits) for the Issues view; absent in reports without `health`. */
    health: v.optional(HealthViewSchema),
    /** The embedding map; absent in reports without one. */
    map: v.optional(MapViewSchema),
  }),
  v.forward(
    v.check((content) => swapsFit(content).classes, "must be the content's classes"),
    ['swaps', 'classes'],
  ),
  v.forward(
    v.check(
      (content) => swapsFit(content).counts,
      (issue) => {
        const size = (issue.input as { classes: readonly string[] }).classes.length;
        return `must be ${size}×${size} non-negative numbers`;
      },
    ),
    ['swaps', 'counts'],
  ),
);

const ReviewContentSchema = oneOf(
  v.variant(
    'status',
    [
      ReadyContentSchema,
      /** No report for this dataset yet. */
      option({ status: v.literal('noReport'), message: v.string('must be a string') }),
      /** The report or the decisions could not be read. */
      option({ status: v.literal('error'), message: v.string('must be a string') }),
    ],
    (issue) => `is an unknown content status ${JSON.stringify(issue.input)}`,
  ),
);
/** What the panel shows for a dataset. */
export type ReviewContent = Immutable<v.InferOutput<typeof ReviewContentSchema>>;

// ---- webview → host ----

/** Most paths one `thumbnails/request` may name: a few screens of cards. */
export const MAX_THUMBNAILS_PER_REQUEST = 1000;

/** The webview's message handler is listening; the host answers with `suspects/didChange`. */
const ReadyMessageSchema = option({ type: v.literal('webview/ready') });

/**
 * Decide (or undo) one sample. `seq` increases with every change the webview sends. `undo` marks
 * the change as the undo of an earlier step, so the review log says so.
 */
const DecideMessageSchema = option({
  type: v.literal('review/decide'),
  seq: Seq,
  path: SamplePath,
  decision: v.nullable(DecisionSchema),
  undo: Undo,
});

/** Decide (or undo) several samples at once: bulk actions, and undo of a bulk action. */
const DecideManyMessageSchema = option({
  type: v.literal('review/decideMany'),
  seq: Seq,
  changes: v.array(DecisionChangeSchema, 'must be an array'),
  undo: Undo,
});

/**
 * Replace the class merges and renames with this list (in order): a new action appended, or the last
 * one taken back by undo. Numbered with the same `seq` as decisions.
 */
const SetClassActionsMessageSchema = option({
  type: v.literal('review/setClassActions'),
  seq: Seq,
  classActions: ClassActionsSchema,
});

/** Open a sample's image in an editor tab. */
const OpenImageMessageSchema = option({ type: v.literal('review/openImage'), path: SamplePath });

/**
 * Ask for the thumbnails of the cards in view (the host makes small copies on demand and answers
 * with `thumbnails/didCreate`). Replaces the previous request: cards scrolled away need none.
 */
const ThumbnailsRequestSchema = option({
  type: v.literal('thumbnails/request'),
  paths: v.pipe(
    whole(v.array(SamplePath), 'must be an array of non-empty strings'),
    v.maxLength(
      MAX_THUMBNAILS_PER_REQUEST,
      (issue) => `holds ${issue.input.length} paths, at most ${MAX_THUMBNAILS_PER_REQUEST} at once`,
    ),
  ),
});

const WebviewToHostSchema = v.variant('type', [
  ReadyMessageSchema,
  DecideMessageSchema,
  DecideManyMessageSchema,
  SetClassActionsMessageSchema,
  OpenImageMessageSchema,
  ThumbnailsRequestSchema,
]);

export type ReadyMessage = Immutable<v.InferOutput<typeof ReadyMessageSchema>>;
export type DecideMessage = Immutable<v.InferOutput<typeof DecideMessageSchema>>;
export type DecideManyMessage = Immutable<v.InferOutput<typeof DecideManyMessageSchema>>;
export type SetClassActionsMessage = Immutable<v.InferOutput<typeof SetClassActionsMessageSchema>>;
export type OpenImageMessage = Immutable<v.InferOutput<typeof OpenImageMessageSchema>>;
export type ThumbnailsRequest = Immutable<v.InferOutput<typeof ThumbnailsRequestSchema>>;
/** Everything the webview may send. */
export type WebviewToHost = Immutable<v.InferOutput<typeof WebviewToHostSchema>>;

// ---- host → webview ----

/** The whole content changed: first load, a new report, or the panel was revived. */
const SuspectsDidChangeSchema = option({
  type: v.literal('suspects/didChange'),
  /** Absolute dataset root; the webview keeps it in its state so the serializer can revive the panel. */
  datasetRoot: v.string('must be a string'),
  /** Short name for the title (the root's folder name). */
  datasetName: v.string('must be a string'),
  content: ReviewContentSchema,
  decisions: DecisionsSchema,
  /** Class merges and renames so far (absent: none). */
  classActions: v.optional(ClassActionsSchema),
});

/** Decisions on disk changed. `ack` is the highest `seq` the host has applied, when the change came from the webview. */
const DecisionsDidChangeSchema = option({
  type: v.literal('decisions/didChange'),
  decisions: DecisionsSchema,
  /** Class merges and renames (absent: none). */
  classActions: v.optional(ClassActionsSchema),
  ack: v.optional(Seq),
});

/** A webview request failed (e.g. the decisions file could not be written, or the change was refused); shown to the user. */
const ReviewDidFailSchema = option({ type: v.literal('review/didFail'), message: v.string('must be a string') });

/** Thumbnails are ready: sample path → URI of the image its card shows (a thumbnail, or a small original). */
const ThumbnailsDidCreateSchema = option({
  type: v.literal('thumbnails/didCreate'),
  thumbnails: keyedBy(v.string('must be a URI string'), 'must map paths to URI strings'),
});

/**
 * Show one sample: select its card (clearing the filters or leaving another view when they hide it).
 * Sent after `suspects/didChange`, for "Open in the review panel" on a finding in the editor.
 */
const ReviewRevealSchema = option({ type: v.literal('review/reveal'), path: SamplePath });

const HostToWebviewSchema = v.variant('type', [
  SuspectsDidChangeSchema,
  DecisionsDidChangeSchema,
  ReviewDidFailSchema,
  ThumbnailsDidCreateSchema,
  ReviewRevealSchema,
]);

export type SuspectsDidChange = Immutable<v.InferOutput<typeof SuspectsDidChangeSchema>>;
export type DecisionsDidChange = Immutable<v.InferOutput<typeof DecisionsDidChangeSchema>>;
export type ReviewDidFail = Immutable<v.InferOutput<typeof ReviewDidFailSchema>>;
export type ThumbnailsDidCreate = Immutable<v.InferOutput<typeof ThumbnailsDidCreateSchema>>;
export type ReviewReveal = Immutable<v.InferOutput<typeof ReviewRevealSchema>>;
/** Everything the host may send. */
export type HostToWebview = Immutable<v.InferOutput<typeof HostToWebviewSchema>>;

// ---- validation ----

/**
 * Checks a message that arrived from the webview (less trusted than the host: fields it does not
 * know are dropped).
 * @returns the message, or a one-line problem naming the field at fault, e.g.
 *   `review/decideMany: changes[1]: "path" must be a non-empty string`.
 */
export function parseWebviewMessage(value: unknown): Parsed<WebviewToHost> {
  return parseMessage(WebviewToHostSchema, value);
}

/**
 * Checks a message that arrived from the host. The host is trusted code, but a stale webview bundle
 * after an update could meet a newer host: refuse rather than render half a message.
 */
export function parseHostMessage(value: unknown): Parsed<HostToWebview> {
  return parseMessage(HostToWebviewSchema, value);
}

/** A message by its `type`, with the type named before the problem. */
function parseMessage<TSchema extends v.GenericSchema>(
  schema: TSchema,
  value: unknown,
): Parsed<Immutable<v.InferOutput<TSchema>>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'message is not an object' };
  }
  const result = v.safeParse(schema, value, PARSE_CONFIG);
  if (result.success) return { ok: true, message: result.output as Immutable<v.InferOutput<TSchema>> };
  const [issue] = result.issues;
  const type = (value as { type?: unknown }).type;
  // The variant's own issue, on the message's "type": no option has that type.
  if (issue.type === 'variant' && issue.path?.length === 1) {
    return { ok: false, problem: `unknown message type ${JSON.stringify(type)}` };
  }
  return { ok: false, problem: `${String(type)}: ${issueText(issue)}` };
}
