/**
 * Reads a per-image matrix written by the user's own model: class probabilities or embeddings, as
 * a CSV (`path` column + one column per class or feature) or a NumPy `.npy` array with a paths file
 * (one path per line, in row order).
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { AuditError } from '../errors';
import { parseNpy } from './npy';

/** One matrix as read, before it is matched to the dataset. */
export interface MatrixFile {
  /** The file, as given (for messages). */
  readonly file: string;
  /** Row `r`'s image path, exactly as written. */
  readonly paths: readonly string[];
  /** CSV only: the names of the value columns (every header cell but `path`), in order. */
  readonly columnNames?: readonly string[];
  readonly rows: number;
  readonly columns: number;
  /** Row-major values. */
  readonly values: Float64Array;
  /** How to name row `r` in a message: "line 7" for a CSV, "row 5 (0-based)" for a .npy. */
  readonly where: (row: number) => string;
}

/**
 * Reads `file` (CSV, or `.npy` with `pathsFile`). Values must be numbers (NaN is kept: the caller
 * decides whether it is allowed and names the row).
 *
 * @throws AuditError('modelOutputsMalformed') naming the file (and line) for a missing paths file, a
 *   CSV without a `path` column or with a cell that is not a number, or a paths file whose line count
 *   differs from the array's rows.
 */
export async function readMatrixFile(file: string, pathsFile?: string): Promise<MatrixFile> {
  const bytes = await readInput(file);
  if (extname(file).toLowerCase() === '.npy') {
    const matrix = parseNpy(bytes, file);
    if (!pathsFile)
      fail(file, `a .npy array has no image paths: pass a paths file (one path per line, in the array's row order)`);
    const paths = splitLines(new TextDecoder().decode(await readInput(pathsFile!)));
    if (paths.length !== matrix.rows)
      fail(pathsFile!, `it lists ${paths.length} paths, but ${basename(file)} has ${matrix.rows} rows`);
    return { file, paths, ...matrix, where: (row) => `row ${row} (0-based)` };
  }
  return parseCsvMatrix(new TextDecoder().decode(bytes), file);
}

/** Lines of a text file without blank lines and surrounding whitespace (BOM and CRLF tolerated). */
export function splitLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Parses a CSV matrix: header `path,<name>,<name>,…`, then one row per image. */
export function parseCsvMatrix(text: string, file: string): MatrixFile {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, trim: true });
  } catch (error) {
    return fail(file, `it is not valid CSV (${(error as Error).message})`);
  }
  if (records.length < 2) fail(file, 'expected a header row "path,<class or feature>,…" and one row per image');
  const header = records[0];
  const pathColumn = header.findIndex((cell) => cell.toLowerCase() === 'path');
  if (pathColumn < 0)
    fail(
      file,
      `line 1 must be a header with a "path" column; found ${header.map((c) => JSON.stringify(c)).join(', ')}`,
    );
  const columnNames = header.filter((_, c) => c !== pathColumn);
  if (columnNames.length === 0) fail(file, 'it has a path column but no value columns');
  const rows = records.length - 1;
  const columns = columnNames.length;
  const values = new Float64Array(rows * columns);
  const paths: string[] = [];
  // skip_empty_lines keeps record i on line i + 1 only when no blank lines intervene; files written by
  // pandas or numpy have none, and a message off by a blank line still names the right row's content.
  const where = (row: number) => `line ${row + 2}`;
  for (let r = 0; r < rows; r++) {
    const record = records[r + 1];
    paths.push(record[pathColumn]);
    let c = 0;
    for (let cell = 0; cell < record.length; cell++) {
      if (cell === pathColumn) continue;
      const text = record[cell];
      const value = /^nan$/i.test(text) ? NaN : text === '' ? undefined : Number(text);
      if (value === undefined || (Number.isNaN(value) && !/^nan$/i.test(text)))
        fail(file, `${where(r)}, column "${columnNames[c]}": ${JSON.stringify(text)} is not a number`);
      values[r * columns + c++] = value!;
    }
  }
  return { file, paths, columnNames, rows, columns, values, where };
}

async function readInput(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    return fail(file, `it cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Throws the error every problem with a model-output file gets. */
export function fail(file: string, problem: string): never {
  throw new AuditError('modelOutputsMalformed', `${file}: ${problem}.`, file);
}
