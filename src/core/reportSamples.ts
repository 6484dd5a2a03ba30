/**
 * The samples of a report as one Apache Arrow IPC file, a column per field (docs/report-format.md).
 * At a million samples the same rows as JSON are ~400 MB and take seconds to parse, and the parsed
 * text sits in memory beside the objects; as Arrow they are ~130 MB and read as buffers, so only
 * the strings need decoding. Arrow is also what pandas, polars and DuckDB read without a converter
 * (`pyarrow.ipc.open_file`, `pl.read_ipc`), so a report is a table to them.
 *
 * Columns: `path` (utf8); `givenLabel`, `suggestedLabel` (dictionary of the class names);
 * `ermGiven`, `mixupGiven`, `mixupSuggested`, `score` (float64: the report's rounded values, kept
 * exactly); `flagged`, `heldBack`, `ermFits` (bool); `ermLearnedEpoch`, `copyGroup` (int32, null
 * when absent); `aum` (float64), `learnedEpoch`, `forgotten` (int32), `margins` (list of float64),
 * all four null for a sample without `dynamics`; `reasons`, `neighbours` (utf8 JSON text, null when
 * absent: nested and irregular, and held by few samples in a default audit).
 */
import {
  Bool,
  DataType,
  Dictionary,
  Field,
  type Float,
  Float32,
  Float64,
  Int32,
  List,
  makeData,
  makeVector,
  Precision,
  RecordBatchFileWriter,
  RecordBatchReader,
  Table,
  Utf8,
  vectorFromArray,
  type Data,
  type RecordBatch,
  type Vector,
} from 'apache-arrow';
import type { FileHandle } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { seriesDecimals, type SeriesColumn } from './reportSeries';
import type { ReportDynamics, ReportSample } from './shared/types';

/**
 * Rows per record batch: a reader holds one batch's bytes at a time (~13 MB at 65 536 rows), not
 * the whole file.
 */
const ROWS_PER_BATCH = 65_536;

/** Thrown by {@link decodeSamples} with what is wrong; the caller names the file. */
export class SamplesFileError extends Error {}

/**
 * The samples as an Arrow IPC file, in the report's order, as the chunks to write one after the
 * other: the file is never joined in memory (and Arrow's joining of chunks, `tableToIPC`, merges
 * chunks that share a buffer, which a column that reuses another's array would hit).
 */
export function encodeSamples(
  samples: readonly ReportSample[],
  classes: readonly string[],
  series: readonly SeriesColumn[] = [],
): AsyncIterable<Uint8Array> {
  const classId = new Map(classes.map((name, i) => [name, i]));
  const label = (pick: (s: ReportSample) => string) =>
    makeVector(
      makeData({
        type: new Dictionary(new Utf8(), new Int32()),
        length: samples.length,
        nullCount: 0,
        data: Int32Array.from(samples, (s) => {
          const id = classId.get(pick(s));
          if (id === undefined) throw new RangeError(`"${pick(s)}" of ${s.path} is not a class of the report`);
          return id;
        }),
        dictionary: vectorFromArray(classes, new Utf8()),
      }),
    );
  const float = (pick: (s: ReportSample) => number) => makeVector(Float64Array.from(samples, pick));
  const column = <T extends DataType>(type: T, pick: (s: ReportSample) => unknown) =>
    vectorFromArray(
      samples.map((s) => pick(s) ?? null),
      type,
    );
  const dynamics = (pick: (d: ReportDynamics) => unknown) => (s: ReportSample) =>
    s.dynamics ? pick(s.dynamics) : null;
  const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  const table = new Table({
    path: column(new Utf8(), (s) => s.path),
    givenLabel: label((s) => s.givenLabel),
    suggestedLabel: label((s) => s.suggestedLabel),
    ermGiven: float((s) => s.ermGiven),
    mixupGiven: float((s) => s.mixupGiven),
    mixupSuggested: float((s) => s.mixupSuggested),
    score: float((s) => s.score),
    flagged: column(new Bool(), (s) => s.flagged),
    heldBack: column(new Bool(), (s) => s.heldBack === true),
    ermFits: column(new Bool(), (s) => s.ermFits),
    ermLearnedEpoch: column(new Int32(), (s) => s.ermLearnedEpoch),
    copyGroup: column(new Int32(), (s) => s.copyGroup),
    aum: column(
      new Float64(),
      dynamics((d) => d.aum),
    ),
    learnedEpoch: column(
      new Int32(),
      dynamics((d) => d.learnedEpoch),
    ),
    forgotten: column(
      new Int32(),
      dynamics((d) => d.forgotten),
    ),
    margins: column(
      new List(new Field('item', new Float64(), false)),
      dynamics((d) => d.margins),
    ),
    reasons: column(new Utf8(), (s) => json(s.reasons)),
    neighbours: column(new Utf8(), (s) => json(s.neighbours)),
    ...Object.fromEntries(series.map((c) => [c.name, seriesVector(c, samples.length)])),
  });
  // Slices of the one batch: they share its dictionaries (which a file may hold only once) and buffers.
  const batches: RecordBatch[] = [];
  for (const batch of table.batches)
    for (let at = 0; at < batch.numRows; at += ROWS_PER_BATCH)
      batches.push(batch.slice(at, Math.min(batch.numRows, at + ROWS_PER_BATCH)));
  return RecordBatchFileWriter.writeAll(batches);
}

/** What {@link decodeSamples} reads: the samples, and the report's per-sample columns (reportSeries.ts). */
export interface DecodedSamples {
  readonly samples: ReportSample[];
  /** The values of series column `name`, undefined when the file has none. */
  readonly series: (name: string) => (number | null)[] | undefined;
}

/**
 * The samples of an Arrow IPC file written by {@link encodeSamples}, as the report's objects (a
 * field absent from a sample is absent from its object, as in the JSON of older reports), and its
 * series columns. Read a batch at a time through `file`: at a million samples the file is ~200 MB
 * that need not sit in memory beside the objects made from it.
 * @param rows - The rows the header names: each series column is made that long at once (the
 *   caller checks the count read against it; a hand-edited count is capped by the file's size).
 * @throws SamplesFileError when the file is not such a file.
 */
export async function decodeSamples(file: FileHandle, rows: number): Promise<DecodedSamples> {
  const samples: ReportSample[] = [];
  const series = new Map<string, SeriesBuffer>();
  const notArrow = (error: unknown) =>
    new SamplesFileError(`it is not an Arrow IPC file (${error instanceof Error ? error.message : String(error)})`);
  let batches: AsyncIterable<RecordBatch>;
  try {
    batches = await RecordBatchReader.from(file);
  } catch (error) {
    throw notArrow(error);
  }
  // Every row holds at least a 4-byte path offset: no more rows than that fit in the file.
  const capacity = Math.max(0, Math.min(rows, Math.floor((await file.stat()).size / 4)));
  const iterator = batches[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<RecordBatch>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw notArrow(error);
    }
    if (next.done) break;
    readSeries(next.value, samples.length, capacity, series);
    readBatch(next.value, samples);
  }
  for (const [name, column] of series) {
    if (column.filled !== samples.length) throw new SamplesFileError(`its "${name}" column is not in every batch`);
    // A file of fewer rows than the header names: the caller reports the count.
    column.values.length = Math.min(column.values.length, samples.length);
  }
  return { samples, series: (name) => series.get(name)?.values };
}

/** A series column being read: its values, made `rows` long at once, and how many of them the batches filled. */
interface SeriesBuffer {
  readonly values: (number | null)[];
  filled: number;
}

/**
 * A series column: float32 when every value survives the trip (rounded back to the column's
 * decimals on reading), else float64; nullable only when a value is missing.
 */
function seriesVector(column: SeriesColumn, rows: number): Vector {
  if (column.values.length > rows)
    throw new RangeError(`the report's ${column.name} has ${column.values.length} values for ${rows} samples`);
  const values = Array.from({ length: rows }, (_, i) => {
    const value = column.values[i];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  });
  const scale = 10 ** column.decimals;
  const fits = values.every((v) => v === null || Math.round(Math.fround(v) * scale) / scale === v);
  if (values.includes(null)) return vectorFromArray(values, fits ? new Float32() : new Float64());
  return makeVector(fits ? Float32Array.from(values as number[]) : Float64Array.from(values as number[]));
}

/**
 * Writes each series column of `batch` (see reportSeries.ts) into `into` from row `start`, by name.
 * A column is made `rows` long, filled with 0, when first seen: then it is a packed array of unboxed
 * doubles, which a loop of `push`es to a million also makes, but at three times the cost. Nulls
 * are set after the numbers, so a column without nulls stays packed.
 */
function readSeries(batch: RecordBatch, start: number, rows: number, into: Map<string, SeriesBuffer>): void {
  for (const field of batch.schema.fields) {
    const decimals = seriesDecimals(field.name);
    if (decimals === undefined) continue;
    const data = columnData<Float64>(batch, field.name, isNumberColumn, 'numbers');
    const values = numberValues(data);
    let column = into.get(field.name);
    if (!column) into.set(field.name, (column = { values: new Array<number | null>(rows).fill(0), filled: 0 }));
    // A column missing from earlier batches comes out short: decodeSamples finds it by its count.
    column.filled += data.length;
    const out = column.values;
    // Float32 holds the report's rounded decimals only approximately: round them back.
    const scale = values instanceof Float32Array ? 10 ** decimals : 0;
    if (scale) for (let i = 0; i < data.length; i++) out[start + i] = Math.round(values[i]! * scale) / scale;
    else for (let i = 0; i < data.length; i++) out[start + i] = values[i]!;
    const valid = validity(data);
    if (valid) for (let i = 0; i < data.length; i++) if (valid[i] === 0) out[start + i] = null;
  }
}

/** The data of column `name` of `batch`, checked to be of the type `is` accepts (`kind` names it in the error). */
function columnData<T extends DataType>(
  batch: RecordBatch,
  name: string,
  is: (type: DataType) => boolean,
  kind: string,
): Data<T> {
  const vector = batch.getChild(name) as Vector<T> | null;
  if (!vector) throw new SamplesFileError(`it has no "${name}" column`);
  if (!is(vector.type)) throw new SamplesFileError(`its "${name}" column holds ${String(vector.type)}, not ${kind}`);
  return vector.data[0]!;
}

/**
 * Appends the rows of one record batch to `into`. Each column is first turned into a plain array
 * (a loop per column, no per-row calls into Arrow), then each row is one object built from them:
 * at a million rows, per-row accessors and small typed-array views cost more than the rest.
 */
function readBatch(batch: RecordBatch, into: ReportSample[]): void {
  // Rows are numbered in the file, not in the batch.
  const first = into.length;
  const child = <T extends DataType>(name: string, is: (type: DataType) => boolean, kind: string) =>
    columnData<T>(batch, name, is, kind);
  const strings = (name: string) => utf8Values(child<Utf8>(name, DataType.isUtf8, 'strings'), first);
  const required = (name: string, values: (string | null)[]) => {
    const row = values.indexOf(null);
    if (row >= 0) throw new SamplesFileError(`row ${first + row} has no ${name}`);
    return values as string[];
  };
  const label = (name: string) =>
    required(name, dictionaryValues(child<Dictionary<Utf8, Int32>>(name, isLabelColumn, 'class names')));
  const numbers = (name: string, is: (type: DataType) => boolean, kind: string) => {
    const data = child<Float64 | Int32>(name, is, kind);
    return { values: numberValues(data), valid: validity(data) };
  };
  const float = (name: string) => numbers(name, isNumberColumn, 'numbers');
  const int = (name: string) => numbers(name, DataType.isInt, 'integers');
  const needed = (name: string, column: { values: ArrayLike<number>; valid?: Uint8Array }) => {
    const row = column.valid ? column.valid.indexOf(0) : -1;
    if (row >= 0) throw new SamplesFileError(`row ${first + row} has no ${name}`);
    return column.values;
  };
  const bool = (name: string) => boolValues(child<Bool>(name, DataType.isBool, 'booleans'));

  const path = required('path', strings('path'));
  const givenLabel = label('givenLabel');
  const suggestedLabel = label('suggestedLabel');
  const ermGiven = needed('ermGiven', float('ermGiven'));
  const mixupGiven = needed('mixupGiven', float('mixupGiven'));
  const mixupSuggested = needed('mixupSuggested', float('mixupSuggested'));
  const score = needed('score', float('score'));
  const [flagged, heldBack, ermFits] = [bool('flagged'), bool('heldBack'), bool('ermFits')];
  const ermLearnedEpoch = int('ermLearnedEpoch');
  const copyGroup = int('copyGroup');
  const aum = float('aum');
  const [learnedEpoch, forgotten] = [int('learnedEpoch'), int('forgotten')];
  const margins = listValues(child<List<Float64>>('margins', isNumberList, 'lists of numbers'));
  const [reasons, neighbours] = [strings('reasons'), strings('neighbours')];
  const present = (column: { valid?: Uint8Array }, row: number) => !column.valid || column.valid[row] === 1;

  for (let row = 0; row < batch.numRows; row++) {
    const sample: Record<string, unknown> = {
      path: path[row],
      givenLabel: givenLabel[row],
      suggestedLabel: suggestedLabel[row],
      ermGiven: ermGiven[row],
      mixupGiven: mixupGiven[row],
      mixupSuggested: mixupSuggested[row],
      score: score[row],
      flagged: flagged[row] === 1,
    };
    if (heldBack[row] === 1) sample.heldBack = true;
    sample.ermFits = ermFits[row] === 1;
    if (present(ermLearnedEpoch, row)) sample.ermLearnedEpoch = ermLearnedEpoch.values[row];
    if (present(aum, row)) {
      if (!present(learnedEpoch, row) || !present(forgotten, row))
        throw new SamplesFileError(`row ${first + row} has an aum but no learnedEpoch or forgotten`);
      sample.dynamics = {
        aum: aum.values[row]!,
        learnedEpoch: learnedEpoch.values[row]!,
        forgotten: forgotten.values[row]!,
        margins: margins(row),
      } satisfies ReportDynamics;
    }
    if (reasons[row] !== null) sample.reasons = parseJson(reasons[row]!, 'reasons', first + row);
    if (neighbours[row] !== null) sample.neighbours = parseJson(neighbours[row]!, 'neighbours', first + row);
    if (present(copyGroup, row)) sample.copyGroup = copyGroup.values[row];
    into.push(sample as unknown as ReportSample);
  }
}

function isLabelColumn(type: DataType): boolean {
  return DataType.isDictionary(type) && DataType.isUtf8((type as Dictionary).dictionary);
}

/** Float32 or float64; a float16 column's values would be read as their raw bits. */
function isNumberColumn(type: DataType): boolean {
  return DataType.isFloat(type) && (type as Float).precision !== Precision.HALF;
}

function isNumberList(type: DataType): boolean {
  return DataType.isList(type) && isNumberColumn((type as List).valueType);
}

/** One byte per row, 1 where the column has a value; undefined when it has no nulls. */
function validity(data: Data): Uint8Array | undefined {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return undefined;
  return bits(data.nullBitmap, data.offset, data.length);
}

/** The bits of a bitmap from bit `offset` on, one byte per bit. */
function bits(bitmap: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const bit = offset + i;
    out[i] = (bitmap[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}

/** A bool column's values, one byte per row (0 where it is null). */
function boolValues(data: Data<Bool>): Uint8Array {
  const values = bits(data.values, data.offset, data.length);
  const valid = validity(data);
  if (valid) for (let i = 0; i < values.length; i++) values[i]! &= valid[i]!;
  return values;
}

/** A numeric column's values: a view of its own buffer, or for 64-bit integers a converted copy. */
function numberValues(data: Data<Float64 | Int32>): ArrayLike<number> {
  const raw = data.values as Float64Array | Float32Array | Int32Array | Int16Array | BigInt64Array | BigUint64Array;
  if (!(raw instanceof BigInt64Array || raw instanceof BigUint64Array))
    return raw.subarray(data.offset, data.offset + data.length);
  return Float64Array.from(raw.subarray(data.offset, data.offset + data.length), Number);
}

/** A list column as a function from row to a fresh array of its numbers. */
function listValues(data: Data<List<Float64>>): (row: number) => number[] {
  const offsets = data.valueOffsets;
  const child = data.children[0]! as Data<Float64>;
  const values = numberValues(child);
  return (row) => {
    const [from, to] = [offsets[data.offset + row]!, offsets[data.offset + row + 1]!];
    const items = new Array<number>(to - from);
    for (let i = from; i < to; i++) items[i - from] = values[i]!;
    return items;
  };
}

function parseJson(text: string, column: string, row: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SamplesFileError(`row ${row}'s ${column} is not valid JSON`);
  }
}

/**
 * Every string of a utf8 column (null where the column is null). Paths are nearly always ASCII: then
 * the bytes are decoded in one call and cut at the offsets, which are character offsets too; other
 * text is decoded string by string, strictly (bytes that are not UTF-8 are an error, not U+FFFD).
 * @param first - The file's row number of the column's first row, for messages.
 */
function utf8Values(data: Data<Utf8>, first: number): (string | null)[] {
  const offsets = data.valueOffsets.subarray(data.offset, data.offset + data.length + 1);
  const bytes = data.values.subarray(offsets[0], offsets[data.length]);
  let ascii = true;
  for (let i = 0; i < bytes.length && ascii; i++) ascii = bytes[i]! < 0x80;
  const whole = ascii ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1') : '';
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const valid = validity(data);
  const strings = new Array<string | null>(data.length);
  for (let i = 0; i < data.length; i++) {
    const [from, to] = [offsets[i]! - offsets[0]!, offsets[i + 1]! - offsets[0]!];
    if (valid && valid[i] === 0) strings[i] = null;
    else if (ascii) strings[i] = whole.slice(from, to);
    else strings[i] = decodeText(decoder, bytes.subarray(from, to), first + i);
  }
  return strings;
}

function decodeText(decoder: TextDecoder, bytes: Uint8Array, row: number): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new SamplesFileError(`row ${row} holds text that is not UTF-8`);
  }
}

/** The class name of every row of a dictionary column (null where it is null or names no class). */
function dictionaryValues(data: Data<Dictionary<Utf8, Int32>>): (string | null)[] {
  // Every chunk of the dictionary: a writer may send it in deltas, which the reader keeps as chunks.
  const names = (data.dictionary?.data ?? []).flatMap((chunk) => utf8Values(chunk, 0));
  const indices = numberValues(data as unknown as Data<Int32>);
  const valid = validity(data);
  const labels = new Array<string | null>(data.length);
  for (let i = 0; i < data.length; i++) labels[i] = valid && valid[i] === 0 ? null : (names[indices[i]!] ?? null);
  return labels;
}
