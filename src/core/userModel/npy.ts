/**
 * A reader for NumPy's `.npy` format (versions 1.0, 2.0 and 3.0, as numpy's `format.py` documents
 * them): a magic string, a version, a header length and a Python-literal dict header
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (N, K), }`, then the raw array.
 *
 * Only what a model's outputs need: 2-D float32/float64 arrays (either byte order, C or Fortran
 * order). The common npm reader (npyjs 1.2) pulls in cross-fetch to load arrays by URL, which an
 * engine that never downloads has no use for; a strict parser of one header line is less code.
 */
import { AuditError } from '../errors';

/** A 2-D matrix read from a `.npy` file, always in C (row-major) order. */
export interface NpyMatrix {
  readonly rows: number;
  readonly columns: number;
  /** Row-major values, as float64 (a float32 file converts exactly). */
  readonly values: Float64Array;
  /** The file's dtype, e.g. '<f4'. */
  readonly dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/**
 * Parses a `.npy` file holding a 2-D float32 or float64 array.
 *
 * @param bytes The whole file.
 * @param fileName For messages.
 * @throws AuditError('modelOutputsMalformed') naming the file and what is wrong: not a .npy file, an
 *   unsupported version or dtype, a shape that is not 2-D, a header that does not parse, or fewer
 *   data bytes than the shape needs.
 */
export function parseNpy(bytes: Uint8Array, fileName: string): NpyMatrix {
  const fail = (problem: string): never => {
    throw new AuditError('modelOutputsMalformed', `${fileName} is not a usable .npy file: ${problem}.`, fileName);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    fail('it does not start with the NumPy magic "\\x93NUMPY"');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('the file ends inside its header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else return fail(`format version ${major}.${bytes[7]} is not one this reader knows (1.0, 2.0, 3.0)`);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) fail('the file ends inside its header');
  // Version 3 allows UTF-8 in the header (field names); 1 and 2 are latin-1. Neither matters for
  // the three keys read here, all ASCII.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(header, fail);
  if (shape.length !== 2) fail(`expected a 2-D array (rows × columns), but its shape is (${shape.join(', ')})`);
  const [rows, columns] = shape;
  const match = /^([<>|=])f([48])$/.exec(descr);
  if (!match) fail(`its dtype is '${descr}'; expected float32 ('<f4') or float64 ('<f8')`);
  const [, order, width] = match!;
  const size = Number(width);
  const littleEndian = order !== '>';
  const count = rows * columns;
  if (bytes.length - dataStart < count * size)
    fail(
      `its shape (${rows}, ${columns}) needs ${count * size} data bytes, but only ${bytes.length - dataStart} follow the header`,
    );
  const values = new Float64Array(count);
  for (let at = 0; at < count; at++) {
    const offset = dataStart + at * size;
    const value = size === 4 ? view.getFloat32(offset, littleEndian) : view.getFloat64(offset, littleEndian);
    // Fortran order stores column after column: element `at` is (at % rows, ⌊at / rows⌋).
    const target = fortranOrder ? (at % rows) * columns + Math.floor(at / rows) : at;
    values[target] = value;
  }
  return { rows, columns, values, dtype: descr };
}

/** Reads the three keys of the header dict; rejects anything else that looks like a dict entry. */
function parseHeader(
  header: string,
  fail: (problem: string) => never,
): { descr: string; fortranOrder: boolean; shape: number[] } {
  const text = header.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) fail('its header is not a Python dict');
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    fail(`its header lacks 'descr', 'fortran_order' or 'shape': ${text}`);
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`its shape (${shapeText}) is not a tuple of whole numbers`)));
  return { descr: descr!, fortranOrder: fortran === 'True', shape };
}
