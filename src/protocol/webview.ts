/**
 * The message protocol between the review panel (extension host, `src/extension/review/reviewPanel.ts`)
 * and the review webview (`webview/`). Both sides import this one file: it holds types and the small
 * validators each side runs on every incoming message, and nothing that needs Node, DOM or `vscode`.
 *
 * Names follow `scope/verb`; host-to-webview notifications say `did…`. The webview sends
 * `webview/ready` first and the host sends nothing before it (the handler would not be listening yet).
 */
import { classActionProblem } from '../core/shared/classActions';
import type { ClassHealth, MergeSuggestion } from '../core/detection/classHealth';
import type { DuplicateGroup, DuplicateMember } from '../core/detection/duplicates';
import type { ClassAction, Decision, Decisions, ReportSample } from '../core/shared/types';

// Re-exported so the webview imports its types from the protocol alone.
export type { ClassAction, ClassHealth, Decision, Decisions, MergeSuggestion };
// The label mapping of class actions, pure and DOM-free: the webview shows classes as export will write them.
export { classActionTarget, classesAfter, mapClass, newClassActionProblem } from '../core/shared/classActions';
// Objects keyed by class name or sample path are read and built without the prototype's names.
export { ownValue } from '../core/shared/ownValue';
export { sameDecision, withChanges } from '../core/shared/decisionValues';

/** One sample as the grid shows it: the report's figures plus the URI the webview may load. */
export interface SuspectView extends Omit<ReportSample, 'ermFits' | 'ermLearnedEpoch' | 'neighbours'> {
  /** `webview.asWebviewUri` of the image file. */
  readonly imageUri: string;
  /**
   * Flagged samples, in reports that have them: the closest unflagged images under the given label
   * and under the suggested label, nearest first (the report's `neighbours`).
   */
  readonly neighbours?: { readonly given: readonly NeighbourView[]; readonly suggested: readonly NeighbourView[] };
}

/** An image near a suspect in the mixup model's embedding space. */
export interface NeighbourView {
  /** Path relative to the dataset root: what `review/openImage` opens. */
  readonly path: string;
  /** `webview.asWebviewUri` of the image file. */
  readonly imageUri: string;
  /** Cosine distance between the two embeddings, in [0, 2]. */
  readonly distance: number;
}

/** One image of a conflicting-duplicate group: the report's member plus the URI to show it. */
export interface ConflictMemberView extends DuplicateMember {
  /** `webview.asWebviewUri` of the image file. */
  readonly imageUri: string;
}

/** Copies of one image that carry different labels (the report's `conflicts`). */
export interface ConflictGroupView extends Omit<DuplicateGroup, 'members'> {
  readonly members: readonly ConflictMemberView[];
}

/**
 * Class-swap counts for the heatmap: `counts[given][other]` over `classes` (the dataset's classes,
 * in order). Off the diagonal: estimated label errors from `given` to `other`.
 */
export interface SwapMatrixView {
  readonly classes: readonly string[];
  readonly counts: readonly (readonly number[])[];
  /** 'noiseMatrix': the report's estimate; 'flagged': counted from the flagged samples' given → suggested labels. */
  readonly source: 'noiseMatrix' | 'flagged';
}

/** One of a class's most typical images, shown in the relabel picker. */
export interface ClassExampleView {
  readonly path: string;
  /** `webview.asWebviewUri` of the image file. */
  readonly imageUri: string;
}

/** The spot-check sizes the reviewer picks from; the host sends enough samples for the largest. */
export const SPOT_CHECK_SIZES = [50, 100, 200, 500] as const;

/**
 * The images a spot check draws from: unflagged samples in a seeded random order, so a check of
 * size n is the first n and a larger check keeps the images already looked at.
 */
export interface SpotCheckPool {
  /** Samples the audit did not flag, held-back ones (flag cap) excluded: the population the estimate speaks for. */
  readonly unflaggedTotal: number;
  /** The seed of the order (from the report), shown so a check can be reproduced. */
  readonly seed: number;
  /** The first unflagged samples in the seeded order (as many as the largest check size). */
  readonly samples: readonly SuspectView[];
}

/** What the panel shows for a dataset. */
export type ReviewContent =
  | {
      readonly status: 'ready';
      /** Class names in the dataset's order; digit n picks `classes[n - 1]`. */
      readonly classes: readonly string[];
      /** Flagged samples first, each group most suspect first; at most `labelAudit.maxSuspectsShown`. */
      readonly suspects: readonly SuspectView[];
      /** Flagged samples in the report (some may be cut off by the limit). */
      readonly flaggedTotal: number;
      /** Samples the audit scored. */
      readonly auditedTotal: number;
      /** Report samples left out because of the limit. */
      readonly hiddenCount: number;
      /** When the report was written (ISO time). */
      readonly createdAt: string;
      /** Duplicate groups with different labels; absent when the report predates duplicate search. */
      readonly conflicts?: readonly ConflictGroupView[];
      /** The class-swap heatmap; absent when there is nothing to count. */
      readonly swaps?: SwapMatrixView;
      /** A few of each class's most typical images, keyed by class, for the relabel picker. */
      readonly classExamples?: Readonly<Record<string, readonly ClassExampleView[]>>;
      /** The spot check's random unflagged samples; absent when every sample was flagged. */
      readonly spotCheck?: SpotCheckPool;
      /** Per-class counts, flags and rare-class warnings; absent in reports from before they existed. */
      readonly classHealth?: readonly ClassHealth[];
      /** Class pairs the audit suggests merging; absent as above. */
      readonly mergeSuggestions?: readonly MergeSuggestion[];
    }
  /** No report for this dataset yet. */
  | { readonly status: 'noReport'; readonly message: string }
  /** The report or the decisions could not be read. */
  | { readonly status: 'error'; readonly message: string };

/** A change of one sample's decision; `null` takes the decision back (the sample is pending again). */
export interface DecisionChange {
  readonly path: string;
  readonly decision: Decision | null;
}

// ---- webview → host ----

/** The webview's message handler is listening; the host answers with `suspects/didChange`. */
export interface ReadyMessage {
  readonly type: 'webview/ready';
}
/**
 * Decide (or undo) one sample. `seq` increases with every change the webview sends. `undo` marks
 * the change as the undo of an earlier step, so the review log says so.
 */
export interface DecideMessage {
  readonly type: 'review/decide';
  readonly seq: number;
  readonly path: string;
  readonly decision: Decision | null;
  readonly undo?: boolean;
}
/** Decide (or undo) several samples at once: bulk actions, and undo of a bulk action. */
export interface DecideManyMessage {
  readonly type: 'review/decideMany';
  readonly seq: number;
  readonly changes: readonly DecisionChange[];
  readonly undo?: boolean;
}
/**
 * Replace the class merges and renames with this list (in order): a new action appended, or the last
 * one taken back by undo. Numbered with the same `seq` as decisions.
 */
export interface SetClassActionsMessage {
  readonly type: 'review/setClassActions';
  readonly seq: number;
  readonly classActions: readonly ClassAction[];
}
/** Open a sample's image in an editor tab. */
export interface OpenImageMessage {
  readonly type: 'review/openImage';
  readonly path: string;
}

/**
 * Ask for the thumbnails of the cards in view (the host makes small copies on demand and answers
 * with `thumbnails/didCreate`). Replaces the previous request: cards scrolled away need none.
 */
export interface ThumbnailsRequest {
  readonly type: 'thumbnails/request';
  readonly paths: readonly string[];
}

/** Most paths one `thumbnails/request` may name: a few screens of cards. */
export const MAX_THUMBNAILS_PER_REQUEST = 1000;

/** Everything the webview may send. */
export type WebviewToHost =
  ReadyMessage | DecideMessage | DecideManyMessage | SetClassActionsMessage | OpenImageMessage | ThumbnailsRequest;

// ---- host → webview ----

/** The whole content changed: first load, a new report, or the panel was revived. */
export interface SuspectsDidChange {
  readonly type: 'suspects/didChange';
  /** Absolute dataset root; the webview keeps it in its state so the serializer can revive the panel. */
  readonly datasetRoot: string;
  /** Short name for the title (the root's folder name). */
  readonly datasetName: string;
  readonly content: ReviewContent;
  readonly decisions: Decisions;
  /** Class merges and renames so far (absent: none). */
  readonly classActions?: readonly ClassAction[];
}
/** Decisions on disk changed. `ack` is the highest `seq` the host has applied, when the change came from the webview. */
export interface DecisionsDidChange {
  readonly type: 'decisions/didChange';
  readonly decisions: Decisions;
  /** Class merges and renames (absent: none). */
  readonly classActions?: readonly ClassAction[];
  readonly ack?: number;
}
/** A webview request failed (e.g. the decisions file could not be written); shown to the user. */
export interface ReviewDidFail {
  readonly type: 'review/didFail';
  readonly message: string;
}

/** Thumbnails are ready: sample path → URI of the image its card shows (a thumbnail, or a small original). */
export interface ThumbnailsDidCreate {
  readonly type: 'thumbnails/didCreate';
  readonly thumbnails: Readonly<Record<string, string>>;
}

/** Everything the host may send. */
export type HostToWebview = SuspectsDidChange | DecisionsDidChange | ReviewDidFail | ThumbnailsDidCreate;

// ---- validation ----

/** A validated message, or why the value is not one. */
export type Parsed<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly problem: string };

/**
 * Checks a message that arrived from the webview.
 * @returns the message, or a one-line problem naming the field at fault.
 */
export function parseWebviewMessage(value: unknown): Parsed<WebviewToHost> {
  if (!isRecord(value)) return fail('message is not an object');
  switch (value.type) {
    case 'webview/ready':
      return { ok: true, message: { type: 'webview/ready' } };
    case 'review/decide': {
      const problem = seqProblem(value.seq) ?? changeProblem(value) ?? undoProblem(value.undo);
      if (problem) return fail(`review/decide: ${problem}`);
      return ok({
        type: 'review/decide',
        seq: value.seq as number,
        path: value.path as string,
        decision: value.decision as Decision | null,
        ...undoFlag(value.undo),
      });
    }
    case 'review/decideMany': {
      const seq = seqProblem(value.seq) ?? undoProblem(value.undo);
      if (seq) return fail(`review/decideMany: ${seq}`);
      if (!Array.isArray(value.changes)) return fail('review/decideMany: "changes" must be an array');
      for (const [i, change] of value.changes.entries()) {
        const problem = isRecord(change) ? changeProblem(change) : 'not an object';
        if (problem) return fail(`review/decideMany: changes[${i}]: ${problem}`);
      }
      return ok({
        type: 'review/decideMany',
        seq: value.seq as number,
        changes: value.changes as DecisionChange[],
        ...undoFlag(value.undo),
      });
    }
    case 'review/setClassActions': {
      const problem = seqProblem(value.seq) ?? classActionsProblem(value.classActions);
      if (problem) return fail(`review/setClassActions: ${problem}`);
      return ok({
        type: 'review/setClassActions',
        seq: value.seq as number,
        classActions: value.classActions as ClassAction[],
      });
    }
    case 'review/openImage':
      if (!isPath(value.path)) return fail('review/openImage: "path" must be a non-empty string');
      return ok({ type: 'review/openImage', path: value.path });
    case 'thumbnails/request': {
      const { paths } = value;
      if (!Array.isArray(paths) || !paths.every(isPath))
        return fail('thumbnails/request: "paths" must be an array of non-empty strings');
      if (paths.length > MAX_THUMBNAILS_PER_REQUEST)
        return fail(`thumbnails/request: ${paths.length} paths, at most ${MAX_THUMBNAILS_PER_REQUEST} at once`);
      return ok({ type: 'thumbnails/request', paths });
    }
    default:
      return fail(`unknown message type ${JSON.stringify(value.type)}`);
  }
}

/**
 * Checks a message that arrived from the host. The host is trusted code, but a stale webview bundle
 * after an update could meet a newer host: refuse rather than render half a message.
 */
export function parseHostMessage(value: unknown): Parsed<HostToWebview> {
  if (!isRecord(value)) return fail('message is not an object');
  switch (value.type) {
    case 'suspects/didChange': {
      if (typeof value.datasetRoot !== 'string' || typeof value.datasetName !== 'string') {
        return fail('suspects/didChange: "datasetRoot" and "datasetName" must be strings');
      }
      const problem =
        contentProblem(value.content) ??
        decisionsProblem(value.decisions) ??
        optionalClassActionsProblem(value.classActions);
      if (problem) return fail(`suspects/didChange: ${problem}`);
      return ok(value as unknown as SuspectsDidChange);
    }
    case 'decisions/didChange': {
      const problem =
        decisionsProblem(value.decisions) ??
        optionalClassActionsProblem(value.classActions) ??
        (value.ack === undefined ? undefined : seqProblem(value.ack));
      if (problem) return fail(`decisions/didChange: ${problem}`);
      return ok(value as unknown as DecisionsDidChange);
    }
    case 'review/didFail':
      if (typeof value.message !== 'string') return fail('review/didFail: "message" must be a string');
      return ok({ type: 'review/didFail', message: value.message });
    case 'thumbnails/didCreate': {
      const { thumbnails } = value;
      if (!isRecord(thumbnails) || !Object.values(thumbnails).every((uri) => typeof uri === 'string')) {
        return fail('thumbnails/didCreate: "thumbnails" must map paths to URI strings');
      }
      return ok({ type: 'thumbnails/didCreate', thumbnails: thumbnails as Record<string, string> });
    }
    default:
      return fail(`unknown message type ${JSON.stringify(value.type)}`);
  }
}

/** Why `value` is not a {@link Decision}, or undefined when it is one. */
export function decisionProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'must be an object or null';
  const keys = Object.keys(value);
  switch (value.action) {
    case 'keep':
    case 'remove':
      return keys.length === 1 ? undefined : `unexpected fields for action "${value.action}"`;
    case 'relabel':
      if (typeof value.label !== 'string' || value.label.trim() === '') return 'relabel needs a non-empty "label"';
      return keys.length === 2 ? undefined : 'unexpected fields for action "relabel"';
    default:
      return `unknown action ${JSON.stringify(value.action)}`;
  }
}

function changeProblem(value: Record<string, unknown>): string | undefined {
  if (!isPath(value.path)) return '"path" must be a non-empty string';
  if (value.decision === null) return undefined;
  const problem = decisionProblem(value.decision);
  return problem ? `"decision" ${problem}` : undefined;
}

function contentProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return '"content" must be an object';
  switch (value.status) {
    case 'noReport':
    case 'error':
      return typeof value.message === 'string' ? undefined : '"content.message" must be a string';
    case 'ready': {
      if (!Array.isArray(value.classes) || !value.classes.every((c) => typeof c === 'string')) {
        return '"content.classes" must be an array of strings';
      }
      if (!Array.isArray(value.suspects)) return '"content.suspects" must be an array';
      for (const [i, s] of value.suspects.entries()) {
        const problem = suspectProblem(s);
        if (problem) return `content.suspects[${i}]: ${problem}`;
      }
      for (const key of ['flaggedTotal', 'auditedTotal', 'hiddenCount'] as const) {
        if (!Number.isInteger(value[key]) || (value[key] as number) < 0) return `"content.${key}" must be a count`;
      }
      if (typeof value.createdAt !== 'string') return '"content.createdAt" must be a string';
      return (
        conflictsProblem(value.conflicts) ??
        swapsProblem(value.swaps, value.classes) ??
        examplesProblem(value.classExamples) ??
        spotCheckProblem(value.spotCheck) ??
        classHealthProblem(value.classHealth) ??
        mergeSuggestionsProblem(value.mergeSuggestions)
      );
    }
    default:
      return `unknown content status ${JSON.stringify(value.status)}`;
  }
}

function conflictsProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return '"content.conflicts" must be an array';
  for (const [i, group] of value.entries()) {
    if (!isRecord(group) || (group.kind !== 'exact' && group.kind !== 'near'))
      return `content.conflicts[${i}]: "kind" must be "exact" or "near"`;
    if (!Array.isArray(group.members) || group.members.length < 2)
      return `content.conflicts[${i}]: "members" must list at least two images`;
    for (const [j, member] of group.members.entries()) {
      const bad =
        !isRecord(member) ||
        !isPath(member.path) ||
        typeof member.label !== 'string' ||
        typeof member.imageUri !== 'string';
      if (bad) return `content.conflicts[${i}].members[${j}]: needs "path", "label" and "imageUri" strings`;
    }
  }
  return undefined;
}

function swapsProblem(value: unknown, classes: readonly unknown[]): string | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || (value.source !== 'noiseMatrix' && value.source !== 'flagged'))
    return '"content.swaps.source" must be "noiseMatrix" or "flagged"';
  const size = classes.length;
  if (
    !Array.isArray(value.classes) ||
    value.classes.length !== size ||
    value.classes.some((c, i) => c !== classes[i])
  ) {
    return '"content.swaps.classes" must be the content\'s classes';
  }
  const square =
    Array.isArray(value.counts) &&
    value.counts.length === size &&
    value.counts.every(
      (row) => Array.isArray(row) && row.length === size && row.every((n) => Number.isFinite(n) && n >= 0),
    );
  return square ? undefined : `"content.swaps.counts" must be ${size}×${size} non-negative numbers`;
}

function examplesProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) return '"content.classExamples" must be an object keyed by class';
  for (const [label, examples] of Object.entries(value)) {
    const good =
      Array.isArray(examples) && examples.every((e) => isRecord(e) && isPath(e.path) && typeof e.imageUri === 'string');
    if (!good) return `content.classExamples[${JSON.stringify(label)}] must be a list of { path, imageUri }`;
  }
  return undefined;
}

function spotCheckProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) return '"content.spotCheck" must be an object';
  if (!Number.isInteger(value.unflaggedTotal) || (value.unflaggedTotal as number) < 0)
    return '"content.spotCheck.unflaggedTotal" must be a count';
  if (!Number.isInteger(value.seed)) return '"content.spotCheck.seed" must be an integer';
  if (!Array.isArray(value.samples) || value.samples.length > (value.unflaggedTotal as number)) {
    return '"content.spotCheck.samples" must be an array of at most unflaggedTotal samples';
  }
  for (const [i, s] of value.samples.entries()) {
    const problem = suspectProblem(s);
    if (problem) return `content.spotCheck.samples[${i}]: ${problem}`;
  }
  return undefined;
}

function undoProblem(value: unknown): string | undefined {
  return value === undefined || typeof value === 'boolean' ? undefined : '"undo" must be a boolean';
}

function undoFlag(value: unknown): { undo?: boolean } {
  return value === true ? { undo: true } : {};
}

function classActionsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return '"classActions" must be an array';
  for (const [i, action] of value.entries()) {
    const problem = classActionProblem(action);
    if (problem) return `classActions[${i}]: ${problem}`;
  }
  return undefined;
}

function optionalClassActionsProblem(value: unknown): string | undefined {
  return value === undefined ? undefined : classActionsProblem(value);
}

function classHealthProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return '"content.classHealth" must be an array';
  for (const [i, c] of value.entries()) {
    const counts =
      isRecord(c) &&
      ['count', 'flagged', 'heldBack'].every((key) => Number.isInteger(c[key]) && (c[key] as number) >= 0);
    const optional = (c: Record<string, unknown>) =>
      (c.warning === undefined || typeof c.warning === 'string') &&
      (c.enough === undefined || Number.isInteger(c.enough));
    if (!counts || typeof c.name !== 'string' || typeof c.flagRate !== 'number' || !optional(c)) {
      return `content.classHealth[${i}]: needs "name", counts "count", "flagged", "heldBack", a "flagRate", an optional "enough" count and "warning" string`;
    }
  }
  return undefined;
}

function mergeSuggestionsProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return '"content.mergeSuggestions" must be an array';
  for (const [i, m] of value.entries()) {
    const good =
      isRecord(m) &&
      typeof m.from === 'string' &&
      typeof m.into === 'string' &&
      ['fromToInto', 'intoToFrom', 'fromShare', 'intoShare'].every((key) => typeof m[key] === 'number');
    if (!good) return `content.mergeSuggestions[${i}]: needs "from", "into" and the four numbers`;
  }
  return undefined;
}

function suspectProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not an object';
  for (const key of ['path', 'givenLabel', 'suggestedLabel', 'imageUri'] as const) {
    if (typeof value[key] !== 'string') return `"${key}" must be a string`;
  }
  for (const key of ['ermGiven', 'mixupGiven', 'mixupSuggested', 'score'] as const) {
    if (typeof value[key] !== 'number' || !Number.isFinite(value[key])) return `"${key}" must be a number`;
  }
  if (typeof value.flagged !== 'boolean') return '"flagged" must be a boolean';
  return neighboursProblem(value.neighbours);
}

function neighboursProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) return '"neighbours" must be an object';
  for (const side of ['given', 'suggested'] as const) {
    const list = value[side];
    if (!Array.isArray(list)) return `"neighbours.${side}" must be an array`;
    for (const [i, n] of list.entries()) {
      const bad =
        !isRecord(n) ||
        !isPath(n.path) ||
        typeof n.imageUri !== 'string' ||
        typeof n.distance !== 'number' ||
        !Number.isFinite(n.distance);
      if (bad) return `neighbours.${side}[${i}]: needs "path" and "imageUri" strings and a "distance" number`;
    }
  }
  return undefined;
}

function decisionsProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return '"decisions" must be an object keyed by path';
  for (const [path, decision] of Object.entries(value)) {
    const problem = decisionProblem(decision);
    if (problem) return `decision for ${JSON.stringify(path)} ${problem}`;
  }
  return undefined;
}

function seqProblem(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : '"seq" must be a non-negative integer';
}

function isPath(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ok<T>(message: T): Parsed<T> {
  return { ok: true, message };
}

function fail(problem: string): { ok: false; problem: string } {
  return { ok: false, problem };
}
