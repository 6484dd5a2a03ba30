/**
 * Cells of the two logs (decisions log, review-log table) made safe to open in a spreadsheet.
 *
 * Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` as a
 * formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`), and a leading tab or carriage return hides
 * such a start from naive checks. The logs carry text from the dataset (file names, labels, the
 * `user` field of a review-log.jsonl that anyone with write access to the dataset can edit), so
 * such a cell gets a leading `'` (OWASP's advice): spreadsheets then show it as text. A plain
 * number such as `-1` (a common class id) is left as it is: a spreadsheet reads it as a number,
 * not a formula.
 *
 * Only the logs: the cleaned labels file is data that tools read back, and must hold the exact
 * labels and paths (see docs/hardening.md).
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** `cell`, with a leading `'` when a spreadsheet would read it as a formula. */
export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/** Every cell of `records` through {@link spreadsheetSafe}. */
export function spreadsheetSafeRecords(records: readonly (readonly string[])[]): string[][] {
  return records.map((row) => row.map(spreadsheetSafe));
}
