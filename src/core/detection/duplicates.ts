import { findNearPairs } from './nearPairs';
import { perceptualHashes } from '../data/perceptualHash';
import type { ImageSet } from '../shared/types';

/** Thresholds of {@link findDuplicates}; see README "Duplicates" for how they were measured. */
export interface DuplicateOptions {
  /** Largest Hamming distance of two 64-bit perceptual hashes for a near duplicate. Default 6 (of 64 bits). */
  readonly maxHashDistance?: number;
  /** Smallest pixel correlation that confirms a near duplicate. Default 0.97. */
  readonly minCorrelation?: number;
}

export const DEFAULT_DUPLICATE_OPTIONS: Required<DuplicateOptions> = { maxHashDistance: 6, minCorrelation: 0.97 };

/** Paths of a copy set listed besides its first one: enough to find the files, few enough to keep the report small. */
export const LISTED_COPY_PATHS = 4;

/**
 * One image of a duplicate group under one label: a file, or a set of byte-identical files with that
 * label (`copies` > 1). A set is one member however large, so a placeholder copied 20 000 times is one
 * card with its count, and the report stays small (issue #18). A decision on `path` applies to every
 * copy of the set (expanded at export: `src/core/review/copySets.ts`).
 */
export interface DuplicateMember {
  /** The set's first path (sorted). */
  readonly path: string;
  readonly label: string;
  /** Files of the set, `path` included; absent for a single file. */
  readonly copies?: number;
  /** Up to {@link LISTED_COPY_PATHS} more paths of the set, sorted; absent for a single file. */
  readonly morePaths?: readonly string[];
}

/** A set of byte-identical files, as the report lists it: its size, its labels and a few paths. */
export interface CopyGroup {
  /** Files with this content. */
  readonly files: number;
  /** Files per given label, largest first. */
  readonly labels: readonly { readonly label: string; readonly files: number }[];
  /** The first {@link LISTED_COPY_PATHS} + 1 paths, sorted. */
  readonly paths: readonly string[];
}

/**
 * Images that are copies of each other. 'exact': every member has the same file content; 'near':
 * every member is a near duplicate (or an exact copy) of the group's leader, the member with the most
 * near duplicates.
 */
export interface DuplicateGroup {
  readonly kind: 'exact' | 'near';
  /** Sorted by path; one per image and label (see {@link DuplicateMember}). */
  readonly members: readonly DuplicateMember[];
}

/** What {@link findDuplicates} reports. */
export interface DuplicateFindings {
  /** Groups whose members carry different labels (at least one of them is wrong, or the image is ambiguous). */
  readonly conflicts: readonly DuplicateGroup[];
  /**
   * Every group, conflicting or not, with every file as a member (not one per copy set), in no
   * particular order: for the leaky-split check, where copies with one label in two splits are the
   * leak. Not written to the report.
   */
  readonly groups: readonly DuplicateGroup[];
  /** Every set of byte-identical files (two or more), largest first. */
  readonly copyGroups: readonly CopyGroup[];
  /**
   * `(N,)` index into `copyGroups` of each row's set, -1 for a file without a copy: the rest of the
   * audit uses it to treat copies as one image (neighbour strips, kNN votes, class examples, spot check).
   */
  readonly copyGroupOf: Int32Array;
  /** Counts of every group, conflicting or not. `images` counts members, `groups` the groups. */
  readonly summary: {
    readonly exact: { readonly groups: number; readonly images: number };
    readonly near: { readonly groups: number; readonly images: number };
    readonly conflicting: { readonly groups: number; readonly images: number };
    readonly maxHashDistance: number;
    readonly minCorrelation: number;
  };
}

/**
 * Finds exact duplicates (same file content) and near duplicates (similar perceptual hash, confirmed
 * by pixel correlation) among decoded images, and lists the groups whose labels disagree.
 *
 * @param contents - The decoded pixels, one row per distinct file content (`decodeImages`' `images`).
 * @param samples - The path and given label of each file (N).
 * @param contentOf - `(N,)` row of `contents` of each file: files on one row are byte-identical
 *   (decode.ts compares the SHA-256 of their bytes, so nothing is hashed twice).
 * @param options - Thresholds; defaults in {@link DEFAULT_DUPLICATE_OPTIONS}.
 * @returns Conflicting groups (exact first, then larger first) and counts of all groups.
 */
export function findDuplicates(
  contents: ImageSet,
  samples: readonly { readonly path: string; readonly label: string }[],
  contentOf: Int32Array,
  options: DuplicateOptions = {},
): DuplicateFindings {
  if (contentOf.length !== samples.length)
    throw new RangeError(`contentOf: ${contentOf.length} rows for ${samples.length} samples`);
  const settings = { ...DEFAULT_DUPLICATE_OPTIONS, ...options };
  // Exact copies have the same pixels, so they are one unit for the near search: the unit of a
  // content is its first file's row.
  const firstRow = new Int32Array(contents.count).fill(-1);
  const rowsOf = new Map<number, number[]>();
  contentOf.forEach((content, row) => {
    if (content < 0 || content >= contents.count) throw new RangeError(`contentOf[${row}]: no content ${content}`);
    if (firstRow[content] < 0) {
      firstRow[content] = row;
      rowsOf.set(row, [row]);
    } else rowsOf.get(firstRow[content])!.push(row);
  });
  if (firstRow.includes(-1)) throw new RangeError(`contents: row ${firstRow.indexOf(-1)} belongs to no sample`);
  // The search runs over the contents, one per unit: it stays linear in the number of copies of one
  // image instead of making n²/2 pairs at distance 0 for n identical files.
  const pairs = findNearPairs(contents, perceptualHashes(contents), {
    maxDistance: settings.maxHashDistance,
    minCorrelation: settings.minCorrelation,
  }).map(([a, b]) => [firstRow[a], firstRow[b]] as const);

  const found = leaderClusters([...rowsOf.keys()], pairs).flatMap((units) => {
    const files = units.reduce((sum, unit) => sum + (rowsOf.get(unit)?.length ?? 0), 0);
    if (files < 2) return [];
    const members = units
      .flatMap((unit) => copySets(rowsOf.get(unit) ?? [], samples))
      .sort((a, b) => compare(a.path, b.path));
    return [{ kind: units.length === 1 ? ('exact' as const) : ('near' as const), members, files, units }];
  });
  const conflicting = found
    .filter((group) => new Set(group.members.map((m) => m.label)).size > 1)
    .sort(
      (a, b) =>
        (a.kind === b.kind ? 0 : a.kind === 'exact' ? -1 : 1) ||
        b.files - a.files ||
        compare(a.members[0].path, b.members[0].path),
    );
  const tally = (list: readonly { files: number }[]) => ({
    groups: list.length,
    images: list.reduce((sum, g) => sum + g.files, 0),
  });
  const { copyGroups, copyGroupOf } = listCopyGroups(rowsOf, samples, samples.length);
  return {
    conflicts: conflicting.map(({ kind, members }) => ({ kind, members })),
    groups: found.map(({ kind, units }) => ({
      kind,
      members: units.flatMap((unit) =>
        (rowsOf.get(unit) ?? []).map((row) => ({ path: samples[row].path, label: samples[row].label })),
      ),
    })),
    copyGroups,
    copyGroupOf,
    summary: {
      exact: tally(found.filter((g) => g.kind === 'exact')),
      near: tally(found.filter((g) => g.kind === 'near')),
      conflicting: tally(conflicting),
      maxHashDistance: settings.maxHashDistance,
      minCorrelation: settings.minCorrelation,
    },
  };
}

/**
 * The members of one exact-copy unit: one per label, each with its count and a few more paths. Linear
 * in the unit's size: one pass to split by label, one sort of each label's paths.
 */
export function copySets(
  rows: readonly number[],
  samples: readonly { path: string; label: string }[],
): DuplicateMember[] {
  const byLabel = new Map<string, string[]>();
  for (const row of rows) {
    const { path, label } = samples[row];
    const paths = byLabel.get(label);
    if (paths) paths.push(path);
    else byLabel.set(label, [path]);
  }
  return [...byLabel].map(([label, paths]) => {
    paths.sort(compare);
    return paths.length === 1
      ? { path: paths[0], label }
      : { path: paths[0], label, copies: paths.length, morePaths: paths.slice(1, 1 + LISTED_COPY_PATHS) };
  });
}

/** Every unit of two or more files as a {@link CopyGroup}, largest first, and each row's group. */
function listCopyGroups(
  rowsOf: ReadonlyMap<number, readonly number[]>,
  samples: readonly { path: string; label: string }[],
  count: number,
): { copyGroups: CopyGroup[]; copyGroupOf: Int32Array } {
  const units = [...rowsOf.values()]
    .filter((rows) => rows.length > 1)
    .map((rows) => ({ rows, paths: rows.map((row) => samples[row].path).sort(compare) }))
    .sort((a, b) => b.rows.length - a.rows.length || compare(a.paths[0], b.paths[0]));
  const copyGroupOf = new Int32Array(count).fill(-1);
  const copyGroups = units.map(({ rows, paths }, index): CopyGroup => {
    const labels = new Map<string, number>();
    for (const row of rows) {
      copyGroupOf[row] = index;
      labels.set(samples[row].label, (labels.get(samples[row].label) ?? 0) + 1);
    }
    return {
      files: rows.length,
      labels: [...labels]
        .map(([label, files]) => ({ label, files }))
        .sort((a, b) => b.files - a.files || compare(a.label, b.label)),
      paths: paths.slice(0, 1 + LISTED_COPY_PATHS),
    };
  });
  return { copyGroups, copyGroupOf };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Groups near duplicates without chaining: the unit with the most near duplicates leads a group of
 * itself and all its still-ungrouped near duplicates, then the next, and so on. Every member of a near
 * group is therefore a near duplicate of its leader. Transitive closure would not do: on MNIST a chain
 * of similar "1"s links hundreds of distinct digits into one group that nobody could review.
 *
 * @returns Groups of units (the leader first), including single units (exact-copy sets).
 */
export function leaderClusters(units: readonly number[], pairs: readonly (readonly [number, number])[]): number[][] {
  const neighbours = new Map<number, Set<number>>(units.map((unit) => [unit, new Set<number>()]));
  for (const [a, b] of pairs) {
    neighbours.get(a)?.add(b);
    neighbours.get(b)?.add(a);
  }
  const order = [...units].sort((a, b) => (neighbours.get(b)?.size ?? 0) - (neighbours.get(a)?.size ?? 0) || a - b);
  const grouped = new Set<number>();
  const clusters: number[][] = [];
  for (const leader of order) {
    if (grouped.has(leader)) continue;
    const members = [
      leader,
      ...[...(neighbours.get(leader) ?? [])].filter((unit) => !grouped.has(unit)).sort((a, b) => a - b),
    ];
    for (const unit of members) grouped.add(unit);
    clusters.push(members);
  }
  return clusters;
}
