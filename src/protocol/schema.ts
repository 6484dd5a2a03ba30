/**
 * The few valibot building blocks the message schemas share, and how a refused value is described.
 * Browser-safe (the webview bundles it): no Node, DOM or `vscode`.
 *
 * A problem reads `where: "field" what is wrong`, e.g. `content.suspects[5]: "score" must be a number`:
 * `where` is the path down to the last list item or record entry, `field` the keys below it.
 */
import * as v from 'valibot';

/** A validated value, or why the value is not one. */
export type Parsed<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly problem: string };

/** `T` with every property and list read-only, as both sides treat a message (the inferred types are mutable). */
export type Immutable<T> = T extends readonly (infer U)[]
  ? readonly Immutable<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Immutable<T[K]> }
    : T;

/** A non-empty string: a sample path relative to the dataset root, or a class name. */
export const nonEmpty = (message = 'must be a non-empty string') => v.pipe(v.string(message), v.minLength(1, message));

/** A finite number (JSON has no NaN or Infinity, but a hand-made message might). */
export const finite = (message = 'must be a number') => v.pipe(v.number(message), v.finite(message));

/** A whole number ≥ 0: counts, and the `seq` of a change. */
export const count = (message = 'must be a count') =>
  v.pipe(v.number(message), v.safeInteger(message), v.minValue(0, message));

/**
 * What an object schema says of itself: not an object, a field not expected, or a required field
 * missing, which reads as the field's own message when it has one ("must be an array").
 */
function objectMessage(entries: v.ObjectEntries): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => {
    if (!issue.path) return 'must be an object';
    if (issue.expected === 'never') return 'is not expected here';
    const entry = entries[String(issue.path[issue.path.length - 1].key)] as { message?: unknown } | undefined;
    return typeof entry?.message === 'string' ? entry.message : 'is missing';
  };
}

/** A plain object: valibot's `object` alone also takes an array for one. */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An object with these fields; other fields are dropped from the output.
 * @param message - What to say when the value is not an object (a missing field says "is missing").
 */
export function fields<const TEntries extends v.ObjectEntries>(entries: TEntries, message = 'must be an object') {
  return v.pipe(v.custom<Record<string, unknown>>(isRecord, message), v.object(entries, objectMessage(entries)));
}

/**
 * One option of a {@link oneOf}: an object with these fields, one of which tells the options apart.
 * (valibot's `variant` reads the options' fields, so they are bare object schemas.)
 */
export function option<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.object(entries, objectMessage(entries));
}

/**
 * An option with exactly these fields (a decision, whose file format allows nothing else).
 * @param message - Said of a missing or unexpected field.
 */
export function exactOption<const TEntries extends v.ObjectEntries>(
  entries: TEntries,
  message: v.ErrorMessage<v.StrictObjectIssue>,
) {
  return v.strictObject(entries, message);
}

/**
 * A value that must be an object first, then one of the variant's options.
 * @param message - What to say when the value is not an object.
 */
export function oneOf<const TVariant extends v.GenericSchema>(variant: TVariant, message = 'must be an object') {
  return v.pipe(v.custom<unknown>(isRecord, message), variant);
}

/** The path items of {@link keyedBy} entries: shown as `["key"]`, not as a field. */
const keyedItems = new WeakSet<v.IssuePathItem>();

/**
 * An object keyed by sample path or class name. Unlike valibot's `record`, which silently drops the
 * keys "__proto__", "constructor" and "prototype", every own key is checked and kept: a sample may
 * be called that. The value is passed on as it came (each entry validated, not copied).
 */
export function keyedBy<TValue extends v.GenericSchema>(value: TValue, message: string) {
  return v.pipe(
    v.custom<Record<string, v.InferOutput<TValue>>>(isRecord, message),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const record = dataset.value;
      for (const key of Object.keys(record)) {
        const entry = v.safeParse(value, record[key], PARSE_CONFIG);
        if (entry.success) continue;
        const [issue] = entry.issues;
        const item: v.IssuePathItem = { type: 'object', origin: 'value', input: record, key, value: record[key] };
        keyedItems.add(item);
        addIssue({ message: issue.message, path: [item, ...(issue.path ?? [])] });
        return;
      }
    }),
  );
}

/** `schema`, but any problem inside the value is reported as `message` on the value itself (for small leaves). */
export function whole<TSchema extends v.GenericSchema>(schema: TSchema, message: string) {
  return v.custom<v.InferOutput<TSchema>>((value) => v.is(schema, value), message);
}

/**
 * How every message is parsed: stop at the first problem (the one a person fixes first), and a schema
 * that names no problem of its own says what it expected.
 */
export const PARSE_CONFIG: v.Config<v.BaseIssue<unknown>> = {
  abortEarly: true,
  message: (issue) => `must be ${issue.expected ?? 'something else'}, got ${issue.received}`,
};

/** One issue as `where: "field" message` (see the file comment). */
export function issueText(issue: v.BaseIssue<unknown>): string {
  let path: readonly v.IssuePathItem[] = issue.path ?? [];
  // A field that is not expected is reported on its object, which the message then describes.
  if (issue.expected === 'never' && issue.kind === 'schema') path = path.slice(0, -1);
  const isContainer = (item: v.IssuePathItem) => typeof item.key === 'number' || keyedItems.has(item);
  let split = 0;
  path.forEach((item, i) => {
    if (isContainer(item)) split = i + 1;
  });
  const where = path
    .slice(0, split)
    .map((item, i) =>
      typeof item.key === 'number'
        ? `[${item.key}]`
        : keyedItems.has(item)
          ? `[${JSON.stringify(item.key)}]`
          : `${i === 0 ? '' : '.'}${String(item.key)}`,
    )
    .join('');
  let field = path.slice(split).map((item) => String(item.key));
  // A message that names its own field ('relabel needs a non-empty "label"') is said of the field's object.
  if (field.length > 0 && issue.message.includes(`"${field[field.length - 1]}"`)) field = field.slice(0, -1);
  const subject = field.length > 0 ? `"${field.join('.')}" ${issue.message}` : issue.message;
  return where ? `${where}: ${subject}` : subject;
}
