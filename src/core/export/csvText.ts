import { stringify } from 'csv-stringify/sync';
import type { LabelSource } from '../shared/types';

/** How a CSV file is laid out: delimiter, line ending and byte-order mark. */
export type CsvStyle = Pick<Extract<LabelSource, { format: 'csv' }>, 'delimiter' | 'lineEnding' | 'bom'>;

/** Plain comma-separated, LF line ends, no BOM. */
export const PLAIN_CSV: CsvStyle = { delimiter: ',', lineEnding: '\n', bom: false };

/** CSV text of `records`, cells quoted only where CSV needs it. */
export function toCsv(records: readonly (readonly string[])[], style: CsvStyle): string {
  return stringify(records as string[][], {
    delimiter: style.delimiter,
    record_delimiter: style.lineEnding,
    bom: style.bom,
    // With an explicit record delimiter csv-stringify would otherwise stop quoting a lone '\n' or
    // '\r' inside a CRLF file's cell, which csv-parse then reads as a row break.
    quote_record_delimiter: true,
    // The reader trims unquoted path and label cells (spreadsheets pad them), so a name with outer
    // whitespace (a class folder "cat ") is quoted to read back as written.
    quoted_match: /^\s|\s$/,
  });
}

/** JSON text of `value`: 2-space indent and a trailing newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A copy of `row` with `column` set to `value`. */
export function withCell(row: readonly string[], column: number, value: string): string[] {
  const copy = [...row];
  copy[column] = value;
  return copy;
}
