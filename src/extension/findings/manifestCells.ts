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
  // The audit's own parser decides the delimiter and which columns hold the path and the label, from
  // the header line alone: csv-parse on the whole of a 100 000-row file takes seconds, the scan below
  // a fraction of that.
  const headerEnd = text.search(/\r?\n/);
  const header = parseCsvManifest(headerEnd < 0 ? text : text.slice(0, headerEnd), 'labels.csv').source;
  if (header.format !== 'csv') return [];
  const { pathColumn, labelColumn, delimiter } = header;
  const width = header.header.length;
  const records = scanCsvCells(text, delimiter);
  const located: ManifestRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const cells = records[i];
    // A row of another width is an error the audit refuses the whole file for: so do we.
    if (cells.length !== width) return [];
    located.push({
      writtenPath: cellText(text, cells[pathColumn]).trim(),
      path: trimmedSpan(text, cells[pathColumn]),
      label: trimmedSpan(text, cells[labelColumn]),
    });
  }
  return located;
}

/**
 * The spans of every cell of every non-empty record (RFC 4180: quoted cells may hold delimiters,
 * line breaks and doubled quotes; a BOM is skipped). A quoted cell's span includes its quotes.
 * Agrees with csv-parse as the audit calls it (test/unit/extension/findings/manifestCells.unit.test.ts).
 */
export function scanCsvCells(text: string, delimiter: string): TextSpan[][] {
  const QUOTE = 34;
  const LF = 10;
  const CR = 13;
  const separator = delimiter.charCodeAt(0);
  const records: TextSpan[][] = [];
  let cells: TextSpan[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  const endRecord = (end: number) => {
    cells.push({ start, end });
    // A record that is one empty cell is an empty line: csv-parse skips those (skip_empty_lines).
    if (!(cells.length === 1 && start === end)) records.push(cells);
    cells = [];
  };
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (quoted) {
      if (code === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) i++;
        else quoted = false;
      }
    } else if (code === QUOTE) quoted = true;
    else if (code === separator) {
      cells.push({ start, end: i });
      start = i + 1;
    } else if (code === LF || code === CR) {
      endRecord(i);
      if (code === CR && text.charCodeAt(i + 1) === LF) i++;
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
