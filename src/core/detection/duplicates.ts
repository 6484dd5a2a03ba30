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

/** One sample of a duplicate group. */
export interface DuplicateMember {
  readonly path: string;
  readonly label: string;
}

/**
 * Images that are copies of each other. 'exact': every member has the same file content; 'near':
 * every member is a near duplicate (or an exact copy) of the group's leader, the member with the most
 * near duplicates.
 */
export interface DuplicateGroup {
  readonly kind: 'exact' | 'near';
  /** Sorted by path. */
  readonly members: readonly DuplicateMember[];
}

/** What {@link findDuplicates} reports. */
export interface DuplicateFindings {
  /** Groups whose members carry different labels (at least one of them is wrong, or the image is ambiguous). */
  readonly conflicts: readonly DuplicateGroup[];
  /** Every group, conflicting or not, in no particular order (for the leaky-split check; not written to the report). */
  readonly groups: readonly DuplicateGroup[];
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
 * @param images - The decoded pixels (count N).
 * @param samples - Row-aligned with `images`: the path, given label and SHA-256 of the file's bytes
 *   (the decode cache's key, so nothing is hashed twice).
 * @param options - Thresholds; defaults in {@link DEFAULT_DUPLICATE_OPTIONS}.
 * @returns Conflicting groups (exact first, then larger first) and counts of all groups.
 */
export function findDuplicates(
  images: ImageSet,
  samples: readonly { readonly path: string; readonly label: string; readonly contentHash: string }[],
  options: DuplicateOptions = {},
): DuplicateFindings {
  if (samples.length !== images.count) throw new RangeError(`samples: ${samples.length} for ${images.count} images`);
  const settings = { ...DEFAULT_DUPLICATE_OPTIONS, ...options };
  // Exact copies have the same pixels, so they are one unit for the near search.
  const unitOf = new Int32Array(images.count);
  const firstWithContent = new Map<string, number>();
  samples.forEach((sample, row) => {
    const first = firstWithContent.get(sample.contentHash) ?? row;
    firstWithContent.set(sample.contentHash, first);
    unitOf[row] = first;
  });
  const rowsOf = new Map<number, number[]>();
  unitOf.forEach((unit, row) => rowsOf.get(unit)?.push(row) ?? rowsOf.set(unit, [row]));
  const hashes = perceptualHashes(images);
  // One representative (the first row) per unit, ascending: the search stays linear in the number
  // of copies of one image instead of making n²/2 pairs at distance 0 for n identical files.
  const representatives = [...rowsOf.keys()];
  const pairs = findNearPairs(images, hashes, {
    maxDistance: settings.maxHashDistance,
    minCorrelation: settings.minCorrelation,
    rows: representatives,
  });

  const found: DuplicateGroup[] = leaderClusters([...rowsOf.keys()], pairs).flatMap((units) => {
    const rows = units.flatMap((unit) => rowsOf.get(unit) ?? []);
    if (rows.length < 2) return [];
    return [
      {
        kind: units.length === 1 ? 'exact' : 'near',
        members: rows
          .map((row) => ({ path: samples[row].path, label: samples[row].label }))
          .sort((a, b) => compare(a.path, b.path)),
      },
    ];
  });
  const conflicts = found
    .filter((group) => new Set(group.members.map((m) => m.label)).size > 1)
    .sort(
      (a, b) =>
        (a.kind === b.kind ? 0 : a.kind === 'exact' ? -1 : 1) ||
        b.members.length - a.members.length ||
        compare(a.members[0].path, b.members[0].path),
    );
  const tally = (list: readonly DuplicateGroup[]) => ({
    groups: list.length,
    images: list.reduce((sum, g) => sum + g.members.length, 0),
  });
  return {
    conflicts,
    groups: found,
    summary: {
      exact: tally(found.filter((g) => g.kind === 'exact')),
      near: tally(found.filter((g) => g.kind === 'near')),
      conflicting: tally(conflicts),
      maxHashDistance: settings.maxHashDistance,
      minCorrelation: settings.minCorrelation,
    },
  };
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
