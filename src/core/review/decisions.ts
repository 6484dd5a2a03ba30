import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../atomicWrite';
import { classActionProblem, labelProblem } from '../shared/classActions';
import { AuditError } from '../errors';
import { AUDIT_DIR } from '../report';
import type { ClassAction, Decision, Decisions } from '../shared/types';

/**
 * Version of the decisions document this code writes. 2 added `classActions`; version-1 documents
 * (no class actions) still load.
 */
export const DECISIONS_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

/**
 * The decisions document as stored on disk:
 * `{ "version": 2, "decisions": { "<sample path>": { "action": "keep" | "remove" } | { "action": "relabel", "label": "cat" } },
 *    "classActions"?: [{ "action": "merge", "from": "5", "into": "3" }, { "action": "rename", "from": "cat", "to": "animal/cat" }],
 *    "updatedAt"?: "<ISO time>" }`.
 */
export interface DecisionsDocument {
  readonly version: typeof DECISIONS_VERSION;
  readonly decisions: Decisions;
  /** Merges and renames of whole classes, in the order they were made; applied before `decisions`. */
  readonly classActions?: readonly ClassAction[];
  readonly updatedAt?: string;
}

/** Everything a decisions document decides: per sample, and per class. */
export interface ReviewDecisions {
  readonly decisions: Decisions;
  readonly classActions: readonly ClassAction[];
}

/** Where the editor keeps the review decisions of the dataset rooted at `datasetRoot`. */
export function defaultDecisionsPath(datasetRoot: string): string {
  return join(datasetRoot, AUDIT_DIR, 'decisions.json');
}

const TOP_LEVEL_KEYS = new Set(['version', 'decisions', 'classActions', 'updatedAt']);
// An ISO 8601 date-time as `Date#toISOString` writes it (offsets and missing milliseconds allowed).
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Validates a parsed decisions document and returns its decisions.
 *
 * Strict on purpose: an unknown field or action is far more likely a typo or a document from a
 * newer version than something safe to ignore, and ignoring it would silently drop a decision.
 *
 * @param json - The parsed JSON value.
 * @param file - The file it came from, named in every error message.
 * @returns The decisions keyed by sample path.
 * @throws AuditError('decisionsMalformed') naming the file and the exact entry or field at fault.
 */
export function parseDecisions(json: unknown, file: string): Decisions {
  return parseDecisionsDocument(json, file).decisions;
}

/**
 * Validates a parsed decisions document (version 1 or 2) and returns its per-sample and class
 * decisions, as strictly as {@link parseDecisions}.
 *
 * @throws AuditError('decisionsMalformed') naming the file and the exact entry or field at fault.
 */
export function parseDecisionsDocument(json: unknown, file: string): ReviewDecisions {
  const fail = (problem: string): never => {
    throw new AuditError('decisionsMalformed', `Decisions file ${file}: ${problem}`, file);
  };
  if (!isPlainObject(json)) return fail(`expected a JSON object, got ${describe(json)}.`);
  for (const key of Object.keys(json)) {
    if (!TOP_LEVEL_KEYS.has(key))
      fail(`unknown field "${key}" (expected version, decisions, classActions, updatedAt).`);
  }
  if (typeof json.version !== 'number' || !READABLE_VERSIONS.includes(json.version)) {
    fail(`"version" must be ${READABLE_VERSIONS.join(' or ')}, got ${describe(json.version)}.`);
  }
  if (json.version === 1 && json.classActions !== undefined)
    fail('"classActions" needs version 2, but the document says version 1.');
  if (json.updatedAt !== undefined && !isIsoDateTime(json.updatedAt)) {
    fail(`"updatedAt" must be an ISO 8601 date-time string, got ${describe(json.updatedAt)}.`);
  }
  if (!isPlainObject(json.decisions)) {
    return fail(`"decisions" must be an object keyed by sample path, got ${describe(json.decisions)}.`);
  }
  // Object.fromEntries defines own properties, so a path such as "__proto__" stays a plain key.
  const decisions = Object.fromEntries(
    Object.entries(json.decisions).map(([path, entry]) => [path, parseEntry(path, entry, fail)]),
  );
  return { decisions, classActions: parseClassActions(json.classActions, fail) };
}

function parseClassActions(value: unknown, fail: (problem: string) => never): ClassAction[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail(`"classActions" must be an array, got ${describe(value)}.`);
  return value.map((entry: unknown, i) => {
    const problem = classActionProblem(entry);
    if (problem !== undefined) fail(`classActions[${i}]: ${problem}.`);
    const action = entry as ClassAction;
    return action.action === 'merge'
      ? { action: 'merge', from: action.from, into: action.into }
      : { action: 'rename', from: action.from, to: action.to };
  });
}

function parseEntry(path: string, entry: unknown, fail: (problem: string) => never): Decision {
  const where = `decision for "${path}"`;
  if (path.trim() === '') fail(`a decision has an empty sample path as its key.`);
  if (!isPlainObject(entry)) return fail(`${where} must be an object, got ${describe(entry)}.`);
  const { action } = entry;
  const allowed = action === 'relabel' ? ['action', 'label'] : ['action'];
  for (const key of Object.keys(entry)) {
    if (!allowed.includes(key)) fail(`${where} has an unexpected field "${key}" for action ${describe(action)}.`);
  }
  switch (action) {
    case 'keep':
      return { action: 'keep' };
    case 'remove':
      return { action: 'remove' };
    case 'relabel': {
      const problem = labelProblem(entry.label);
      if (problem !== undefined) fail(`${where}: "label" ${problem}.`);
      return { action: 'relabel', label: entry.label as string };
    }
    default:
      return fail(`${where}: "action" must be "keep", "relabel" or "remove", got ${describe(action)}.`);
  }
}

/**
 * Reads and validates a decisions file.
 *
 * @param file - Path of the decisions JSON.
 * @param options.missing - What a missing file means: `'error'` (default; the CLI's `--decisions`
 *   names a file that must exist) or `'empty'` (the editor's store, before the first decision).
 * @throws AuditError('decisionsMalformed') when the file is missing (unless `missing: 'empty'`),
 *   unreadable, not JSON, or not a valid decisions document.
 */
export async function readDecisions(file: string, options: { missing?: 'error' | 'empty' } = {}): Promise<Decisions> {
  return (await readDecisionsDocument(file, options)).decisions;
}

/**
 * Reads and validates a decisions file with its class actions; see {@link readDecisions}.
 * @throws AuditError('decisionsMalformed'), as {@link readDecisions}.
 */
export async function readDecisionsDocument(
  file: string,
  options: { missing?: 'error' | 'empty' } = {},
): Promise<ReviewDecisions> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.missing === 'empty') return { decisions: {}, classActions: [] };
    const problem = code === 'ENOENT' ? 'not found' : `cannot be read (${(error as Error).message})`;
    throw new AuditError('decisionsMalformed', `Decisions file ${file}: ${problem}.`, file);
  }
  let json: unknown;
  try {
    // A UTF-8 BOM (some editors add one) is not JSON whitespace; drop it rather than fail.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new AuditError(
      'decisionsMalformed',
      `Decisions file ${file}: not valid JSON (${(error as Error).message}).`,
      file,
    );
  }
  return parseDecisionsDocument(json, file);
}

/**
 * Validates `decisions` and writes them atomically as a version-2 decisions document, paths sorted
 * so that successive saves diff cleanly; `classActions` only when there are any.
 *
 * @param file - Destination path; parent folders are created.
 * @param decisions - The decisions keyed by sample path.
 * @param now - Stored as `updatedAt`; defaults to the current time.
 * @param classActions - Merges and renames of classes, in the order they were made.
 * @throws AuditError('decisionsMalformed') if a decision is invalid (nothing is written then).
 */
export async function writeDecisions(
  file: string,
  decisions: Decisions,
  now: Date = new Date(),
  classActions: readonly ClassAction[] = [],
): Promise<void> {
  const sorted = Object.fromEntries(
    Object.keys(decisions)
      .sort()
      .map((path) => [path, decisions[path]]),
  );
  const document: DecisionsDocument = {
    version: DECISIONS_VERSION,
    decisions: sorted,
    ...(classActions.length > 0 ? { classActions } : {}),
    updatedAt: now.toISOString(),
  };
  // Validate what we are about to write, so a bad in-memory decision never reaches disk.
  parseDecisionsDocument(JSON.parse(JSON.stringify(document)), file);
  await writeJsonAtomic(file, document);
}

/**
 * The decisions of the CLI's headless `--accept-suggestions`: every flagged suspect relabeled to
 * its suggested label.
 *
 * @param suspects - The flagged samples, each with its path and the label the audit suggests.
 * @returns One `relabel` decision per suspect.
 * @throws AuditError('decisionsMalformed') if a suggestion is not a usable label or one path is
 *   given two different suggestions.
 */
export function acceptSuggestions(suspects: readonly { path: string; suggestedLabel: string }[]): Decisions {
  const decisions = new Map<string, Decision>();
  for (const { path, suggestedLabel } of suspects) {
    const problem = labelProblem(suggestedLabel);
    if (problem !== undefined) {
      throw new AuditError('decisionsMalformed', `Suggested label for "${path}" ${problem}.`);
    }
    const previous = decisions.get(path);
    if (previous?.action === 'relabel' && previous.label !== suggestedLabel) {
      throw new AuditError(
        'decisionsMalformed',
        `"${path}" has two different suggestions: "${previous.label}" and "${suggestedLabel}".`,
      );
    }
    decisions.set(path, { action: 'relabel', label: suggestedLabel });
  }
  return Object.fromEntries(decisions);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIsoDateTime(value: unknown): boolean {
  return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** A short description of a JSON value for error messages: its type, and the value when small. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length <= 40 ? `${typeof value} ${text}` : `a ${typeof value}`;
}
