import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { DECISIONS_VERSION, parseDecisions } from './decisions';
import { AuditError } from '../errors';
import { AUDIT_DIR } from '../report';
import { sameDecision } from '../shared/decisionValues';
import { ownValue } from '../shared/ownValue';
import type { Decision, Decisions } from '../shared/types';

/**
 * The review log: who changed which sample's decision, from what to what, and when, undos included.
 * The decisions file says where the review stands; this log says how it got there, for the person
 * who later asks "who relabeled this, and when?". Kept as a file of its own
 * (`<root>/.label-audit/review-log.jsonl`), so the decisions document keeps its simple shape.
 */

/** What the reviewer did: a decision, or the undo of an earlier one (which restores what was before). */
export type ReviewLogAction = 'keep' | 'relabel' | 'remove' | 'undo';

/** One change of one sample's decision. `null` = no decision (pending). */
export interface ReviewLogEntry {
  /** ISO 8601 time of the change. */
  readonly time: string;
  /** OS user name of the reviewer (see {@link currentReviewer}). */
  readonly user: string;
  /** Sample path, as in the report and the decisions file. */
  readonly path: string;
  readonly action: ReviewLogAction;
  readonly from: Decision | null;
  readonly to: Decision | null;
}

/** One decision change as the review panel receives it. */
export interface LoggedChange {
  readonly path: string;
  readonly decision: Decision | null;
}

/** Where the editor keeps the review log of the dataset rooted at `datasetRoot`. */
export function defaultReviewLogPath(datasetRoot: string): string {
  return join(datasetRoot, AUDIT_DIR, 'review-log.jsonl');
}

/**
 * Who is reviewing: the OS user name. Chosen over VS Code's `env.machineId`, which is an anonymous
 * hash of the machine: it says nothing to a person reading the log and is the same for everyone
 * sharing a machine, while a user name answers "who changed this" and needs no lookup table.
 * `userInfo()` throws where the user has no passwd entry (some containers); the environment then
 * usually still names the user.
 */
export function currentReviewer(): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // fall through to the environment
  }
  return process.env.USER ?? process.env.USERNAME ?? 'unknown';
}

/**
 * The log entries for a batch of changes: one per sample whose decision actually changes.
 *
 * @param before - Decisions before the batch.
 * @param changes - The batch, as sent by the review panel.
 * @param context.undo - The batch undoes an earlier step; each entry's action is then 'undo'.
 */
export function reviewLogEntries(
  before: Decisions,
  changes: readonly LoggedChange[],
  context: { readonly user: string; readonly time: Date; readonly undo: boolean },
): ReviewLogEntry[] {
  const time = context.time.toISOString();
  const entries: ReviewLogEntry[] = [];
  const current = new Map<string, Decision | null>();
  for (const { path, decision } of changes) {
    const from = current.has(path) ? (current.get(path) ?? null) : (ownValue(before, path) ?? null);
    if (sameDecision(from, decision)) continue;
    current.set(path, decision);
    // Only an undo takes a decision back; a pending result outside one is still an undo in effect.
    const action: ReviewLogAction = context.undo || decision === null ? 'undo' : decision.action;
    entries.push({ time, user: context.user, path, action, from, to: decision });
  }
  return entries;
}

/**
 * Appends entries to the log, one JSON object per line, creating the file and its folder.
 *
 * Appending rather than rewriting through a temp file: the log only grows, and a whole rewrite per
 * decision would cost time in the length of the review. A crash mid-append can still leave the last
 * line cut short, with no newline; the next append then starts on a fresh line, so the torn line
 * stays one bad line of its own (skipped by {@link readReviewLog} at the end of the file, and
 * reported and skipped by export elsewhere) instead of gluing onto the new entry and spoiling both.
 */
export async function appendReviewLog(file: string, entries: readonly ReviewLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  const lines = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
  await appendFile(file, (await endsWithNewline(file)) ? lines : `\n${lines}`);
}

/** True when `file` is empty, missing or ends with "\n": only its last byte is read. */
async function endsWithNewline(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * Reads a review log, oldest entry first; a missing file is an empty log.
 * @param onBadLine - When given, an entry that is not valid is skipped and this hears why (naming
 *   the file and line) instead of the read failing: the log is a record, and a damaged line in it
 *   must not block what depends on the decisions (export).
 * @throws AuditError('decisionsMalformed') naming the file and line of an entry that is not valid,
 *   unless `onBadLine` is given (a cut-short last line, left by a crash while appending, is always
 *   skipped silently).
 */
export async function readReviewLog(file: string, onBadLine?: (problem: string) => void): Promise<ReviewLogEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AuditError(
      'decisionsMalformed',
      `Review log ${file} cannot be read (${(error as Error).message}).`,
      file,
    );
  }
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  const entries: ReviewLogEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const last = index === lines.length - 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      if (last && !complete) return;
      const error = new AuditError(
        'decisionsMalformed',
        `Review log ${file}, line ${index + 1}: not valid JSON.`,
        file,
      );
      if (!onBadLine) throw error;
      onBadLine(error.message);
      return;
    }
    try {
      entries.push(parseEntry(json, `Review log ${file}, line ${index + 1}`, file));
    } catch (error) {
      if (!onBadLine || !AuditError.is(error, 'decisionsMalformed')) throw error;
      onBadLine(error.message);
    }
  });
  return entries;
}

const ACTIONS: readonly ReviewLogAction[] = ['keep', 'relabel', 'remove', 'undo'];

function parseEntry(json: unknown, where: string, file: string): ReviewLogEntry {
  const fail = (problem: string): never => {
    throw new AuditError('decisionsMalformed', `${where}: ${problem}.`, file);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('expected a JSON object');
  const entry = json as Record<string, unknown>;
  for (const key of ['time', 'user', 'path'] as const) {
    if (typeof entry[key] !== 'string' || entry[key] === '') fail(`"${key}" must be a non-empty string`);
  }
  if (Number.isNaN(Date.parse(entry.time as string))) fail(`"time" must be an ISO 8601 date-time`);
  if (!ACTIONS.includes(entry.action as ReviewLogAction)) fail(`"action" must be one of ${ACTIONS.join(', ')}`);
  const decision = (key: 'from' | 'to'): Decision | null => {
    if (entry[key] === null) return null;
    // The decisions file's own validation, so a log entry accepts exactly what a decision may be.
    return parseDecisions({ version: DECISIONS_VERSION, decisions: { [entry.path as string]: entry[key] } }, file)[
      entry.path as string
    ];
  };
  return {
    time: entry.time as string,
    user: entry.user as string,
    path: entry.path as string,
    action: entry.action as ReviewLogAction,
    from: decision('from'),
    to: decision('to'),
  };
}

/** The review log's table header, as written next to the cleaned labels. */
export const REVIEW_LOG_HEADER = [
  'timestamp',
  'user',
  'sample',
  'given_label',
  'action',
  'from',
  'from_label',
  'to',
  'to_label',
] as const;

/**
 * The review log as table rows (header first), oldest change first: `from`/`to` are
 * `pending | keep | relabel | remove`, with the new label in `from_label`/`to_label` for a relabel.
 * @param givenLabels - Each sample's label in the original file, for the `given_label` column.
 */
export function reviewLogRecords(
  entries: readonly ReviewLogEntry[],
  givenLabels: ReadonlyMap<string, string>,
): string[][] {
  const cells = (decision: Decision | null): [string, string] =>
    decision === null ? ['pending', ''] : [decision.action, decision.action === 'relabel' ? decision.label : ''];
  return [
    [...REVIEW_LOG_HEADER],
    ...entries.map((e) => [
      e.time,
      e.user,
      e.path,
      givenLabels.get(e.path) ?? '',
      e.action,
      ...cells(e.from),
      ...cells(e.to),
    ]),
  ];
}
