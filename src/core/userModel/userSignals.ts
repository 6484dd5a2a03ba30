/**
 * The user's own model's outputs, checked at the door and aligned with the audited images: the
 * out-of-sample class probabilities (`--pred-probs`) and the embeddings (`--embeddings`).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { InputIssue } from '../shared/types';
import { closestName } from './closestName';
import { fail, readMatrixFile, splitLines, type MatrixFile } from './matrixFile';

/** Where the user's model outputs are; every field optional. */
export interface UserModelFiles {
  /** Out-of-sample class probabilities: CSV (`path` + one column per class) or `.npy` (N×K). */
  readonly predProbs?: string;
  /** The rows are logits: softmax is applied. */
  readonly predProbsAreLogits?: boolean;
  /** `.npy` only: one image path per line, in row order. */
  readonly predProbsPaths?: string;
  /** `.npy` only: the class of each column, one per line... */
  readonly predProbsClasses?: string;
  /** ...or the same as a list (`--classes a,b,c`). */
  readonly classes?: readonly string[];
  /** Embeddings: CSV (`path` + D numeric columns) or `.npy` (N×D). */
  readonly embeddings?: string;
  /** `.npy` only: one image path per line, in row order. */
  readonly embeddingsPaths?: string;
  /** Instead of `embeddings`: a TensorFlow.js model folder whose features are computed here (backboneModel.ts). */
  readonly backbone?: string;
  /** The backbone's layer (or graph node) to read; wins over its sidecar's. */
  readonly backboneLayer?: string;
  /** The backbone's pixel scaling, one of PIXEL_SCALINGS; wins over its sidecar's. */
  readonly backbonePixels?: string;
}

/** One signal of the user's model, row-aligned with the audited images. */
export interface AlignedRows {
  /** `(N, width)` row-major; rows without a file row are zero. */
  readonly values: Float32Array;
  readonly width: number;
  /** `(N,)` 1 where the file had a row for the image. */
  readonly covered: Uint8Array;
  /** Audited images the file has no row for (audited without this signal). */
  readonly missing: number;
}

/** What the user's model contributes to an audit. */
export interface UserSignals {
  /** Probabilities in the dataset's class order, each covered row summing to 1. */
  readonly predProbs?: AlignedRows;
  /** Embeddings scaled to unit L2 length, so a dot product is the cosine similarity. */
  readonly embeddings?: AlignedRows;
  /** File rows whose path is outside the dataset, or not an audited image of it. */
  readonly skipped: readonly InputIssue[];
}

/** Tolerance of a probability row's sum (float32 softmax outputs written as text lose a little). */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;

/**
 * Reads and checks the user's model outputs and aligns them with the audited images.
 *
 * @param files Where they are.
 * @param root The dataset root: every path in a file must resolve inside it.
 * @param classes The dataset's classes, in class-id order.
 * @param auditedPaths The audited images' paths (relative, '/' separators), in row order.
 * @throws AuditError('modelOutputsMalformed') naming the file, row and problem: classes that do
 *   not match the dataset's (with the closest spelling), a negative or NaN value, a probability
 *   row that does not sum to 1 ± {@link PROBABILITY_SUM_TOLERANCE}, a path given twice, or an
 *   embedding that is all zeros or not finite.
 */
export async function loadUserSignals(
  files: UserModelFiles,
  root: string,
  classes: readonly string[],
  auditedPaths: readonly string[],
): Promise<UserSignals> {
  const rowOf = new Map(auditedPaths.map((path, row) => [path, row]));
  const skipped: InputIssue[] = [];
  let predProbs: AlignedRows | undefined;
  let embeddings: AlignedRows | undefined;
  if (files.predProbs) {
    const matrix = await readMatrixFile(files.predProbs, files.predProbsPaths);
    const order = await classColumns(matrix, files, classes);
    predProbs = align(matrix, root, rowOf, skipped, classes.length, (source, target, r) =>
      probabilityRow(matrix, source, order, Boolean(files.predProbsAreLogits), target, r),
    );
  }
  if (files.embeddings) {
    const matrix = await readMatrixFile(files.embeddings, files.embeddingsPaths);
    embeddings = align(matrix, root, rowOf, skipped, matrix.columns, (source, target, r) =>
      unitRow(matrix, source, target, r),
    );
  }
  return { ...(predProbs ? { predProbs } : {}), ...(embeddings ? { embeddings } : {}), skipped };
}

/**
 * For each dataset class, the file column holding it. The classes come from the CSV header, or for a
 * `.npy` from the classes file or list; they must be exactly the dataset's, in any order.
 */
async function classColumns(
  matrix: MatrixFile,
  files: UserModelFiles,
  classes: readonly string[],
): Promise<Int32Array> {
  let names: readonly string[];
  let source: string;
  if (matrix.columnNames) {
    names = matrix.columnNames;
    source = `${matrix.file} (header)`;
  } else if (files.predProbsClasses) {
    names = splitLines(
      await readFile(files.predProbsClasses, 'utf8').catch(() => fail(files.predProbsClasses!, 'it cannot be read')),
    );
    source = files.predProbsClasses;
  } else if (files.classes) {
    names = files.classes;
    source = '--classes';
  } else
    return fail(
      matrix.file,
      'a .npy array does not name its classes: pass a classes file (one per line, in column order) or --classes',
    );
  if (names.length !== matrix.columns)
    fail(source, `it names ${names.length} classes, but ${matrix.file} has ${matrix.columns} columns`);
  const problems: string[] = [];
  for (const name of classes)
    if (!names.includes(name)) problems.push(`dataset class "${name}" is missing${closest(name, names)}`);
  for (const name of names)
    if (!classes.includes(name)) problems.push(`class "${name}" is not one of the dataset's${closest(name, classes)}`);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) problems.push(`class "${name}" appears twice`);
    seen.add(name);
  }
  if (problems.length)
    fail(source, `its classes do not match the dataset's (${classes.join(', ')}): ${problems.join('; ')}`);
  return Int32Array.from(classes, (name) => names.indexOf(name));
}

/** ' (closest: "x")' for the most similar of `candidates`, when one is reasonably close. */
function closest(name: string, candidates: readonly string[]): string {
  const best = closestName(name, candidates, true);
  return best === undefined ? '' : ` (closest: "${best}")`;
}

/**
 * Matches file rows to audited rows by path and copies each through `fill`. A path outside the root
 * or not among the audited images is skipped (listed, the audit goes on); one given twice is an error.
 */
function align(
  matrix: MatrixFile,
  root: string,
  rowOf: ReadonlyMap<string, number>,
  skipped: InputIssue[],
  width: number,
  fill: (sourceRow: number, target: Float32Array, targetRow: number) => void,
): AlignedRows {
  const count = rowOf.size;
  const values = new Float32Array(count * width);
  const covered = new Uint8Array(count);
  const fileRowOf = new Int32Array(count).fill(-1);
  for (let r = 0; r < matrix.rows; r++) {
    const path = datasetPath(root, matrix.paths[r]);
    if (path === undefined) {
      skipped.push({
        file: matrix.paths[r],
        kind: 'outsideRoot',
        problem: `${matrix.file} ${matrix.where(r)}: the path leads outside the dataset folder; row ignored`,
      });
      continue;
    }
    const row = rowOf.get(path);
    if (row === undefined) {
      skipped.push({
        file: path,
        kind: 'notInDataset',
        problem: `${matrix.file} ${matrix.where(r)}: no audited image has this path; row ignored`,
      });
      continue;
    }
    if (fileRowOf[row] >= 0)
      fail(matrix.file, `${matrix.where(r)} repeats the path "${path}" of ${matrix.where(fileRowOf[row])}`);
    fileRowOf[row] = r;
    fill(r, values, row);
    covered[row] = 1;
  }
  let missing = 0;
  for (const c of covered) missing += 1 - c;
  return { values, width, covered, missing };
}

/**
 * A file path as the dataset spells it (relative, '/' separators), or undefined when it resolves
 * outside the root. Absolute paths inside the root are accepted; '\' counts as a separator, since
 * a model run on Windows writes them.
 */
export function datasetPath(root: string, path: string): string | undefined {
  const parts = path.replace(/\\/g, '/');
  const file = isAbsolute(parts) ? resolve(parts) : resolve(root, ...parts.split('/'));
  const inside = relative(resolve(root), file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined;
  return inside.split(sep).join('/');
}

function probabilityRow(
  matrix: MatrixFile,
  r: number,
  order: Int32Array,
  logits: boolean,
  target: Float32Array,
  row: number,
): void {
  const k = order.length;
  const at = (j: number) => matrix.values[r * matrix.columns + order[j]];
  for (let j = 0; j < k; j++) {
    const v = at(j);
    if (Number.isNaN(v) || !Number.isFinite(v))
      fail(matrix.file, `${matrix.where(r)}, ${columnName(matrix, order[j])}: ${v} is not a finite number`);
    if (!logits && v < 0)
      fail(matrix.file, `${matrix.where(r)}, ${columnName(matrix, order[j])}: probability ${v} is negative`);
  }
  if (logits) {
    // Softmax, shifted by the row's maximum so large logits do not overflow.
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, at(j));
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(at(j) - max);
    for (let j = 0; j < k; j++) target[row * k + j] = Math.exp(at(j) - max) / sum;
    return;
  }
  let sum = 0;
  for (let j = 0; j < k; j++) sum += at(j);
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE)
    fail(
      matrix.file,
      `${matrix.where(r)}: the probabilities sum to ${sum.toPrecision(6)}, not 1 ± ${PROBABILITY_SUM_TOLERANCE} (logits? pass --pred-probs-are-logits)`,
    );
  // Renormalized, so the small slack the tolerance allows does not reach the scores.
  for (let j = 0; j < k; j++) target[row * k + j] = at(j) / sum;
}

function unitRow(matrix: MatrixFile, r: number, target: Float32Array, row: number): void {
  const d = matrix.columns;
  let norm = 0;
  for (let c = 0; c < d; c++) {
    const v = matrix.values[r * d + c];
    if (!Number.isFinite(v))
      fail(matrix.file, `${matrix.where(r)}, ${columnName(matrix, c)}: ${v} is not a finite number`);
    norm += v * v;
  }
  if (norm === 0) fail(matrix.file, `${matrix.where(r)}: the embedding is all zeros (no direction to compare)`);
  const scale = 1 / Math.sqrt(norm);
  for (let c = 0; c < d; c++) target[row * d + c] = matrix.values[r * d + c] * scale;
}

function columnName(matrix: MatrixFile, column: number): string {
  return matrix.columnNames ? `column "${matrix.columnNames[column]}"` : `column ${column}`;
}

/** The signals of the images at `rows` (the audited subset of the rows they were loaded for), in that order. */
export function selectRows(signals: UserSignals, rows: readonly number[]): UserSignals {
  const pick = (aligned: AlignedRows): AlignedRows => {
    const { width } = aligned;
    const values = new Float32Array(rows.length * width);
    const covered = new Uint8Array(rows.length);
    rows.forEach((row, at) => {
      values.set(aligned.values.subarray(row * width, (row + 1) * width), at * width);
      covered[at] = aligned.covered[row];
    });
    return { values, width, covered, missing: covered.length - covered.reduce((sum, c) => sum + c, 0) };
  };
  return {
    ...(signals.predProbs ? { predProbs: pick(signals.predProbs) } : {}),
    ...(signals.embeddings ? { embeddings: pick(signals.embeddings) } : {}),
    skipped: signals.skipped,
  };
}
