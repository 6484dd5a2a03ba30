import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { parseCsvManifest, parseJsonManifest } from '../../core/data/manifest';

/** A span of the manifest's text: `start` inclusive, `end` exclusive, as string offsets. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

/** Where one entry of a label file sits in its text. */
export interface ManifestRow {
  /** The path as written in the file (CSV: trimmed, as the audit reads it). */
  readonly writtenPath: string;
  /** The path cell, or the JSON string holding it. */
  readonly path: TextSpan;
  /** The label cell, or the JSON value holding it. */
  readonly label: TextSpan;
}

/**
 * The entries of a CSV or JSON label file with the places of their path and label in the text, in
 * file order, so findings keyed by sample path can be put on the right line however the file was
 * edited (rows moved, inserted or deleted). The columns and keys are found by the same parser the
 * audit uses (src/core/data/manifest.ts), so the editor and the audit agree on what a row means.
 *
 * @param text - The file's current text (the open document's, unsaved edits included).
 * @param format - 'csv' or 'json'.
 * @returns The rows; none when the text is not a valid label file (while the user types, say).
 */
export function locateManifestRows(text: string, format: 'csv' | 'json'): ManifestRow[] {
  try {
    return format === 'csv' ? csvRows(text) : jsonRows(text);
  } catch {
    // Half-edited files are normal in an editor: no findings until the file parses again.
    return [];
  }
}

function csvRows(text: string): ManifestRow[] {
  const parsed = parseCsvManifest(text, 'labels.csv');
  if (parsed.source.format !== 'csv') return [];
  const { pathColumn, labelColumn, delimiter, rows } = parsed.source;
  // csv-parse gives the cells but not where they are, so scan the text for the cells' spans and
  // check that the scan agrees with the parser record by record before trusting it.
  const records = scanCsvCells(text, delimiter);
  const data = records.slice(1);
  if (data.length !== rows.length) return [];
  const located: ManifestRow[] = [];
  for (let i = 0; i < data.length; i++) {
    const cells = data[i];
    if (cells.length !== rows[i].length || cellText(text, cells[pathColumn]) !== rows[i][pathColumn]) return [];
    located.push({
      writtenPath: rows[i][pathColumn].trim(),
      path: trimmedSpan(text, cells[pathColumn]),
      label: trimmedSpan(text, cells[labelColumn]),
    });
  }
  return located;
}

/**
 * The spans of every cell of every non-empty record (RFC 4180: quoted cells may hold delimiters,
 * line breaks and doubled quotes; a BOM is skipped). A quoted cell's span includes its quotes.
 */
export function scanCsvCells(text: string, delimiter: string): TextSpan[][] {
  const records: TextSpan[][] = [];
  let cells: TextSpan[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  let i = start;
  const endCell = (end: number) => cells.push({ start, end });
  const endRecord = (end: number) => {
    endCell(end);
    // A record that is one empty cell is an empty line: csv-parse skips those (skip_empty_lines).
    if (!(cells.length === 1 && cells[0].start === cells[0].end)) records.push(cells);
    cells = [];
  };
  for (; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
    } else if (char === '"') quoted = true;
    else if (char === delimiter) {
      endCell(i);
      start = i + 1;
    } else if (char === '\n' || char === '\r') {
      endRecord(i);
      if (char === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  if (start < text.length || cells.length > 0) endRecord(text.length);
  return records;
}

/** A cell's value as csv-parse reads it: quotes removed, doubled quotes undone. */
function cellText(text: string, span: TextSpan): string {
  const raw = text.slice(span.start, span.end);
  return raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1).replace(/""/g, '"') : raw;
}

/** The span without the padding spaces the audit trims (the diagnostic underlines the value). */
function trimmedSpan(text: string, span: TextSpan): TextSpan {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

function jsonRows(text: string): ManifestRow[] {
  const parsed = parseJsonManifest(text, 'labels.json');
  if (parsed.source.format !== 'json') return [];
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const root = parseTree(text.slice(bom));
  if (!root) return [];
  const span = (node: Node): TextSpan => ({ start: node.offset + bom, end: node.offset + node.length + bom });
  const { shape, pathKey, labelKey } = parsed.source;
  const located: ManifestRow[] = [];
  if (shape === 'map') {
    for (const property of root.children ?? []) {
      const [key, value] = property.children ?? [];
      if (key?.type === 'string' && value)
        located.push({ writtenPath: String(key.value), path: span(key), label: span(value) });
    }
    return located;
  }
  for (const item of root.children ?? []) {
    const path = findNodeAtLocation(item, [pathKey]);
    const label = findNodeAtLocation(item, [labelKey]);
    if (path?.type === 'string' && label)
      located.push({ writtenPath: String(path.value), path: span(path), label: span(label) });
  }
  return located;
}

/** Offsets at which each line of `text` starts, to turn offsets into positions without a document. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The 0-based line and character of `offset` (binary search over {@link lineStarts}). */
export function lineAndCharacter(starts: readonly number[], offset: number): { line: number; character: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low, character: offset - starts[low] };
}
