import { parse } from 'csv-parse/sync';
import { AuditError } from '../errors';
import type { LabelSource } from '../shared/types';

/** One entry of a CSV/JSON label file as written, before its path is resolved or checked. */
export interface ManifestEntry {
  /** The path cell/field as written (CSV: surrounding whitespace of an unquoted cell trimmed). '' when absent. */
  readonly path: string;
  /** The label as text (CSV: an unquoted cell trimmed; JSON numbers and booleans via String()). '' when absent. */
  readonly label: string;
  /** See {@link Sample.sourceIndex}: CSV data-row index, JSON array index or JSON object key. */
  readonly sourceIndex: number | string;
  /** Where the entry is, for messages: 'line 7', 'entry 3', 'key "a.png"'. */
  readonly where: string;
}

/** A label file as read: its entries in file order, and the source kept for export. */
export interface ParsedManifest {
  readonly entries: readonly ManifestEntry[];
  readonly source: LabelSource;
}

/**
 * Header names (lower-cased, spaces/dashes as '_') that hold the image path and the label, most
 * specific first, so a file with both `image_path` and `image` columns uses `image_path`.
 */
const PATH_NAMES = [
  'path',
  'image_path',
  'filepath',
  'file_path',
  'relative_path',
  'filename',
  'file_name',
  'file',
  'image',
  'img',
  'image_name',
];
const LABEL_NAMES = ['label', 'class', 'class_name', 'classname', 'category', 'target', 'y', 'label_name'];

/**
 * Parses a CSV label file: a header row naming the path column (one of {@link PATH_NAMES}) and the
 * label column (one of {@link LABEL_NAMES}), any other columns kept untouched for export.
 * Handles a UTF-8 BOM, CRLF line ends, quoted fields, and ',' / ';' / tab delimiters (detected from
 * the header line). Surrounding whitespace is trimmed from unquoted path and label cells —
 * spreadsheet exports often pad them, and a label " cat" is never meant to differ from "cat" — but a
 * quoted cell is kept exactly: that is how a name with outer spaces (a class folder "cat ") is
 * written and read back. `rows` keep every cell exactly as read.
 *
 * @param text - The file's contents.
 * @param fileName - The file's name for messages (e.g. 'labels.csv').
 * @throws AuditError('manifestMalformed') naming the file and line for unbalanced quotes, a row
 *   with the wrong number of cells, or a header without a path or label column.
 */
export function parseCsvManifest(text: string, fileName: string): ParsedManifest {
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  const delimiter = detectDelimiter(body);
  const lineEnding = /^[^\n]*\r\n/.test(body) ? '\r\n' : '\n';
  // Line of each record's end (1-based, physical lines), for messages: "line 7".
  const lines: number[] = [];
  // Which cells of each record were quoted: csv-parse tells only its cast function.
  const quoted: boolean[][] = [];
  let quotedNow: boolean[] = [];
  let records: string[][];
  try {
    records = parse(body, {
      delimiter,
      skip_empty_lines: true,
      cast: (value: string, context: { index: number; quoting: boolean }) => {
        quotedNow[context.index] = context.quoting;
        return value;
      },
      on_record: (record: string[], context: { lines: number }) => {
        lines.push(context.lines);
        quoted.push(quotedNow);
        quotedNow = [];
        return record;
      },
    });
  } catch (error) {
    throw new AuditError(
      'manifestMalformed',
      `${fileName} is not valid CSV: ${describeCsvError(error, lines.at(-1) ?? 0)}.`,
      fileName,
    );
  }
  if (records.length === 0) {
    throw new AuditError(
      'manifestMalformed',
      `${fileName} is empty: expected a header row such as "path,label" and one row per image.`,
      fileName,
    );
  }
  const header = records[0];
  const pathColumn = findColumn(header, PATH_NAMES);
  const labelColumn = findColumn(header, LABEL_NAMES);
  if (pathColumn < 0 || labelColumn < 0 || pathColumn === labelColumn) {
    const missing =
      pathColumn < 0 ? `an image path column (${PATH_NAMES.join(', ')})` : `a label column (${LABEL_NAMES.join(', ')})`;
    throw new AuditError(
      'manifestMalformed',
      `${fileName} line 1 must be a header row with ${missing}; found ${header.map((cell) => JSON.stringify(cell)).join(', ')}.`,
      fileName,
    );
  }
  const data = records.slice(1);
  const cell = (row: number, column: number) => {
    const value = data[row][column];
    return quoted[row + 1]?.[column] ? value : value.trim();
  };
  const entries = data.map((_, row) => ({
    path: cell(row, pathColumn),
    label: cell(row, labelColumn),
    sourceIndex: row,
    where: `line ${lines[row + 1]}`,
  }));
  return {
    entries,
    source: { format: 'csv', header, rows: data, pathColumn, labelColumn, lineEnding, bom, delimiter },
  };
}

/** Picks ',', ';' or tab: whichever occurs most often outside quotes on the header line (',' on ties). */
function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

function findColumn(header: readonly string[], names: readonly string[]): number {
  const normalized = header.map((cell) =>
    cell
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  for (const name of names) {
    const index = normalized.indexOf(name);
    if (index >= 0) return index;
  }
  return -1;
}

/** csv-parse's error as plain words with a line number. */
function describeCsvError(error: unknown, lastGoodLine: number): string {
  const details = error as { code?: string; lines?: number; message?: string; record?: unknown[]; columns?: unknown };
  switch (details.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      // csv-parse reports the end of the file; the quote opened on the first line after the last good record.
      return `a quote opened on line ${lastGoodLine + 1} is never closed`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `line ${details.lines} has ${details.record?.length ?? 'a different number of'} cells, unlike the header`;
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `line ${details.lines} has a misplaced quote (a field with quotes inside must be quoted as a whole, with "" for each quote)`;
    default:
      return details.lines !== undefined
        ? `line ${details.lines}: ${details.message}`
        : String(details.message ?? error);
  }
}

/**
 * Parses a JSON label file: either an array of objects with a path field (`path`, `file`, `image`, …)
 * and a label field (`label`, `class`, …), or an object mapping path → label. Numbers (and booleans)
 * as labels are converted with String(); other values count as no label. The whole document is kept
 * in `source.document` so export can keep every other field.
 *
 * @throws AuditError('manifestMalformed') naming the file and line:column for invalid JSON, or when
 *   the document is neither shape.
 */
export function parseJsonManifest(text: string, fileName: string): ParsedManifest {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new AuditError(
      'manifestMalformed',
      `${fileName} is not valid JSON: ${describeJsonError(error, body)}.`,
      fileName,
    );
  }
  if (Array.isArray(document)) return parseJsonArray(document, fileName);
  if (isRecord(document)) {
    const entries = Object.entries(document).map(([key, value]) => ({
      path: key,
      label: labelText(value),
      sourceIndex: key,
      where: `key ${JSON.stringify(key)}`,
    }));
    return { entries, source: { format: 'json', shape: 'map', document, pathKey: '', labelKey: '' } };
  }
  throw new AuditError(
    'manifestMalformed',
    `${fileName} must hold an array of {"path": …, "label": …} objects or an object mapping each path to its label; found ${typeof document === 'object' ? 'null' : `a ${typeof document}`}.`,
    fileName,
  );
}

function parseJsonArray(document: unknown[], fileName: string): ParsedManifest {
  const objects = document.filter(isRecord);
  const pathKey = mostUsedKey(objects, PATH_NAMES);
  const labelKey = mostUsedKey(objects, LABEL_NAMES);
  if (document.length > 0 && (pathKey === undefined || labelKey === undefined)) {
    throw new AuditError(
      'manifestMalformed',
      `${fileName}: the array's entries need a path field (${PATH_NAMES.join(', ')}) and a label field (${LABEL_NAMES.join(', ')}), e.g. {"path": "cat/1.png", "label": "cat"}.`,
      fileName,
    );
  }
  const entries = document.map((item, index) => {
    const record = isRecord(item) ? item : {};
    const path = pathKey !== undefined ? record[pathKey] : undefined;
    return {
      path: typeof path === 'string' ? path : '',
      label: labelText(labelKey !== undefined ? record[labelKey] : undefined),
      sourceIndex: index,
      where: `entry ${index}`,
    };
  });
  return {
    entries,
    source: { format: 'json', shape: 'array', document, pathKey: pathKey ?? 'path', labelKey: labelKey ?? 'label' },
  };
}

/** The candidate key (exact spelling as used in the file) present in the most objects. */
function mostUsedKey(objects: readonly Record<string, unknown>[], names: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const object of objects) {
    for (const key of Object.keys(object)) {
      if (names.includes(key.toLowerCase())) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  let best: string | undefined;
  for (const [key, count] of counts) {
    const better = best === undefined || count > (counts.get(best) ?? 0);
    const tieButEarlier =
      best !== undefined &&
      count === counts.get(best) &&
      names.indexOf(key.toLowerCase()) < names.indexOf(best.toLowerCase());
    if (better || tieButEarlier) best = key;
  }
  return best;
}

function labelText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse's message, shortened, with the place of the error as line:column. */
function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // V8 (Node 20) gives a position for some errors only; find it ourselves for all of them.
  const short = message
    .replace(/\s*(?:in JSON )?at position \d+.*$/s, '')
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
  const offset = jsonErrorOffset(text);
  if (offset < 0) return short;
  if (offset >= text.length) return 'the file ends too early (an unclosed bracket, brace or string?)';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${short} at line ${line}, column ${column}`;
}

const JSON_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * Offset of the first syntax error in `text` (text.length when it ends too early), or -1 if it is
 * valid JSON. Only called after JSON.parse failed, to say where.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text[i] !== char) fail();
    i++;
  };
  const string = (): void => {
    expect('"');
    while (i < text.length) {
      const char = text[i];
      if (char === '"') {
        i++;
        return;
      }
      if (char === '\\') {
        i++;
        if (
          text[i] === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5)) : !'"\\/bfnrt'.includes(text[i] ?? 'x')
        )
          fail();
        i += text[i] === 'u' ? 5 : 1;
      } else if (char.charCodeAt(0) < 0x20) fail();
      else i++;
    }
    fail();
  };
  const sequence = (close: string, item: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      expect(',');
    }
  };
  const value = (): void => {
    skipSpace();
    if (text[i] === '{') {
      sequence('}', () => {
        skipSpace();
        string();
        expect(':');
        value();
      });
    } else if (text[i] === '[') sequence(']', value);
    else if (text[i] === '"') string();
    else {
      JSON_LITERAL.lastIndex = i;
      if (!JSON_LITERAL.test(text)) fail();
      i = JSON_LITERAL.lastIndex;
    }
  };
  try {
    value();
    skipSpace();
    return i < text.length ? i : -1;
  } catch (offset) {
    if (typeof offset !== 'number') throw offset;
    return Math.min(offset, text.length);
  }
}
