/**
 * What the models train on and rate: one row per image and label, not per file. Byte-identical
 * files with the same given label are the same training example (same pixels, same label, same
 * verdict), so the audit trains, predicts and judges one row for all of them and gives each file
 * that row's verdict afterwards (issue #18). Without this, 20 000 copies of one placeholder fill 95%
 * of every batch, the other images are barely trained on, and each copy is predicted, judged and
 * searched for neighbours on its own; with it, the audit of a dataset with copies costs what the
 * audit of its distinct images costs, plus reading and hashing the files.
 *
 * Copies with different labels stay separate rows: the models see the clash, as they would see two
 * distinct images labelled differently, and the conflicts view lists it.
 */
import type { ImageSet } from '../shared/types';
import type { ModelAudit } from './auditImages';

/** The rows of an audit grouped into units (one per content and label). */
export interface AuditUnits {
  /** The first row of each unit, ascending: the unit's row in the training set. */
  readonly rows: Int32Array;
  /** `(N,)` unit of each row. */
  readonly unitOf: Int32Array;
  /** Every row is its own unit (no copies with one label): nothing to collapse or expand. */
  readonly identity: boolean;
}

/**
 * Groups rows into units: rows in one exact-copy set (`copyGroupOf`, from `findDuplicates`) with
 * the same label are one unit, every other row is its own. Linear in the rows.
 *
 * @param copyGroupOf `(N,)` copy set of each row, -1 for a file without a copy.
 * @param labels `(N,)` given class ids.
 */
export function auditUnits(copyGroupOf: Int32Array, labels: Int32Array): AuditUnits {
  if (copyGroupOf.length !== labels.length)
    throw new RangeError(`copyGroupOf: ${copyGroupOf.length} rows for ${labels.length} labels`);
  const unitOf = new Int32Array(labels.length);
  const unitOfSet = new Map<string, number>();
  const rows: number[] = [];
  for (let row = 0; row < labels.length; row++) {
    const set = copyGroupOf[row];
    const key = set < 0 ? undefined : `${set}:${labels[row]}`;
    const known = key === undefined ? undefined : unitOfSet.get(key);
    if (known !== undefined) unitOf[row] = known;
    else {
      unitOf[row] = rows.length;
      if (key !== undefined) unitOfSet.set(key, rows.length);
      rows.push(row);
    }
  }
  return { rows: Int32Array.from(rows), unitOf, identity: rows.length === labels.length };
}

/** The rows of `values` (`(N, width)`) at `rows`, in that order. */
export function pickRows<T extends Float32Array | Int32Array | Uint8Array>(
  values: T,
  width: number,
  rows: Int32Array,
): T {
  const picked = new (values.constructor as new (length: number) => T)(rows.length * width);
  rows.forEach((row, at) => picked.set(values.subarray(row * width, (row + 1) * width), at * width));
  return picked;
}

/**
 * The units' images: one per unit, in unit order (the set itself when every file is its own unit).
 *
 * @param contents One row per distinct content (`decodeImages`' `images`).
 * @param contentOf `(N,)` row of `contents` of each row of the audit.
 */
export function unitImages(contents: ImageSet, contentOf: Int32Array, units: AuditUnits): ImageSet {
  if (units.identity && contents.count === contentOf.length) return contents;
  const length = contents.size * contents.size * contents.channels;
  const rows = Int32Array.from(units.rows, (row) => contentOf[row]);
  return { ...contents, count: rows.length, pixels: pickRows(contents.pixels, length, rows) };
}

/**
 * The audit of the units as an audit of every row: each row gets its unit's verdict (the order stays
 * most suspect first, a unit's rows next to each other in row order), probabilities and learned
 * epoch. Neighbour strips go to the unit's first row only, and their members are first rows too:
 * the copies of a flagged image are one suspect with one strip, not thousands. Class-level figures
 * (model summaries, the noise estimate) stay those of the units: distinct images.
 */
export function expandAudit(audit: ModelAudit, units: AuditUnits, numClasses: number): ModelAudit {
  if (units.identity) return audit;
  const { rows, unitOf } = units;
  // Rows of each unit, by counting sort: starts[u] .. starts[u + 1] in `members`, ascending.
  const starts = new Int32Array(rows.length + 1);
  for (const unit of unitOf) starts[unit + 1]++;
  for (let u = 0; u < rows.length; u++) starts[u + 1] += starts[u];
  const members = new Int32Array(unitOf.length);
  const next = starts.slice(0, rows.length);
  unitOf.forEach((unit, row) => (members[next[unit]++] = row));
  const verdicts = audit.verdicts.flatMap((v) =>
    Array.from(members.subarray(starts[v.index], starts[v.index + 1]), (row) => ({ ...v, index: row })),
  );
  const expand = <T extends Float32Array | Int32Array | Uint8Array | Uint16Array>(values: T, width: number): T => {
    const out = new (values.constructor as new (length: number) => T)(unitOf.length * width);
    unitOf.forEach((unit, row) => out.set(values.subarray(unit * width, (unit + 1) * width), row * width));
    return out;
  };
  const toRows = (list: { rows: Int32Array; distances: Float32Array }) => ({
    rows: Int32Array.from(list.rows, (unit) => rows[unit]),
    distances: list.distances,
  });
  return {
    ...audit,
    verdicts,
    ermProbabilities: expand(audit.ermProbabilities, numClasses),
    mixupProbabilities: expand(audit.mixupProbabilities, numClasses),
    ...(audit.outOfSampleProbabilities
      ? { outOfSampleProbabilities: expand(audit.outOfSampleProbabilities, numClasses) }
      : {}),
    ...(audit.dynamics
      ? {
          dynamics: {
            epochs: audit.dynamics.epochs,
            aum: expand(audit.dynamics.aum, 1),
            forgettingEvents: expand(audit.dynamics.forgettingEvents, 1),
            learnedAtEpoch: expand(audit.dynamics.learnedAtEpoch, 1),
            epochMargins: expand(audit.dynamics.epochMargins, audit.dynamics.epochs),
          },
        }
      : {}),
    // Per file like every other output (the health checks read them by row).
    ...(audit.embeddings
      ? {
          embeddings: {
            ...audit.embeddings,
            values: expand(audit.embeddings.values, audit.embeddings.width),
            ...(audit.embeddings.covered ? { covered: expand(audit.embeddings.covered, 1) } : {}),
          },
        }
      : {}),
    ...(audit.neighbours
      ? {
          neighbours: new Map(
            [...audit.neighbours].map(([unit, found]) => [
              rows[unit],
              { given: toRows(found.given), suggested: toRows(found.suggested) },
            ]),
          ),
        }
      : {}),
  };
}
