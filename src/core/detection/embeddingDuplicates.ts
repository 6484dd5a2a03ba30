/**
 * Near duplicates in the user's embedding space (`--embeddings`), alongside the perceptual-hash
 * search of duplicates.ts: two images whose embeddings have a cosine similarity of at least
 * {@link DEFAULT_MIN_COSINE} are near copies. A model's features see through changes the hash is
 * blind or oversensitive to (a crop, a colour shift, a re-render), as far as the model does; how well
 * depends on the model, so the threshold was measured (bench/embeddingDuplicates.ts,
 * docs/own-model.md#near-duplicates-on-your-embeddings).
 */
import { copySets, leaderClusters, type DuplicateFindings, type DuplicateGroup } from './duplicates';
import { forEachSimilarityBlock } from './similarityBlocks';

/**
 * Smallest cosine similarity of two embeddings for a near duplicate: precision first, since the
 * perceptual-hash search still runs beside it. Measured (npm run bench:embedding-duplicates) on 2 000
 * real Fashion-MNIST images with 200 resized or recompressed copies, embedded as mean-centred unit
 * pixels (784-d, and 2×2-pooled 196-d): precision 1.000 and 0.987, recall 0.12 and 0.39 at 0.99;
 * below it distinct look-alike clothes start to pass (docs/own-model.md has the table).
 */
export const DEFAULT_MIN_COSINE = 0.99;

/** The user's embeddings, row-aligned with the audited images (as `AlignedRows` in userSignals.ts). */
export interface EmbeddingRows {
  /** `(N, width)` unit-length rows; zero rows where `covered` is 0. */
  readonly values: Float32Array;
  readonly width: number;
  readonly covered: Uint8Array;
}

/** What the embedding search adds to the report's duplicate summary. */
export interface EmbeddingDuplicateSummary {
  readonly groups: number;
  readonly images: number;
  /** Groups whose members carry different labels, and how many of those the hash search had not found. */
  readonly conflicting: number;
  readonly added: number;
  readonly minCosine: number;
  /** Set when the search stopped at its pair limit (see {@link embeddingNearPairs}): the counts are incomplete. */
  readonly truncated?: true;
}

/** {@link DuplicateFindings} with the embedding search's counts. */
export type DuplicateFindingsWithEmbeddings = DuplicateFindings & {
  readonly summary: DuplicateFindings['summary'] & { readonly embeddings?: EmbeddingDuplicateSummary };
};

/**
 * Pairs of covered rows whose embeddings have cosine similarity ≥ `minCosine`: exact search by
 * blocks of matMul on the current tfjs backend (the same cost as the kNN label agreement's search).
 *
 * @param rows - The rows to search among (covered ones), ascending.
 * @param maxPairs - Stop collecting after this many (default 20 per row): embeddings that put
 *   thousands of distinct images on one point (a model that ignores its input) would otherwise make
 *   N²/2 pairs; `truncated` then says the list is incomplete.
 * @returns Pairs [a, b] of rows with a < b.
 */
export function embeddingNearPairs(
  embeddings: EmbeddingRows,
  rows: Int32Array,
  minCosine: number,
  maxPairs = 20 * rows.length,
): { pairs: [number, number][]; truncated: boolean } {
  if (!(minCosine > 0 && minCosine <= 1)) throw new RangeError(`minCosine must be in (0, 1], not ${minCosine}`);
  const { values, width } = embeddings;
  const pairs: [number, number][] = [];
  if (rows.length < 2) return { pairs, truncated: false };
  let truncated = false;
  forEachSimilarityBlock(values, width, rows, rows, (block, part, start) => {
    for (let i = 0; i < part.length; i++) {
      // Each pair once: only partners after this row in `rows`.
      const line = block.subarray(i * rows.length, (i + 1) * rows.length);
      for (let m = start + i + 1; m < rows.length; m++) {
        if (!(line[m] >= minCosine)) continue;
        if (pairs.length >= maxPairs) {
          truncated = true;
          return false;
        }
        pairs.push([part[i], rows[m]]);
      }
    }
    return true;
  });
  return { pairs, truncated };
}

/**
 * Adds the near duplicates found on the user's embeddings to the hash search's findings: groups
 * (each member a near copy of its leader, as there) whose labels disagree join `conflicts` unless
 * the hash search already listed a group holding all their members, and the summary gains
 * `embeddings` with the counts and the threshold.
 *
 * @param findings - From `findDuplicates`: its `copyGroupOf` makes byte-identical files one unit, as
 *   there, so n copies make no n²/2 pairs.
 * @param samples - Row-aligned with the embeddings: path and given label.
 */
export function addEmbeddingDuplicates(
  findings: DuplicateFindings,
  embeddings: EmbeddingRows,
  samples: readonly { readonly path: string; readonly label: string }[],
  minCosine = DEFAULT_MIN_COSINE,
): DuplicateFindingsWithEmbeddings {
  const firstOfCopyGroup = new Map<number, number>();
  const rowsOf = new Map<number, number[]>();
  samples.forEach((_, row) => {
    if (!embeddings.covered[row]) return;
    const copyGroup = findings.copyGroupOf[row];
    const unit = copyGroup < 0 ? row : (firstOfCopyGroup.get(copyGroup) ?? row);
    if (copyGroup >= 0) firstOfCopyGroup.set(copyGroup, unit);
    if (unit === row) rowsOf.set(row, [row]);
    else rowsOf.get(unit)!.push(row);
  });
  const units = [...rowsOf.keys()];
  const { pairs, truncated } = embeddingNearPairs(embeddings, Int32Array.from(units), minCosine);
  const groups: DuplicateGroup[] = leaderClusters(units, pairs)
    .filter((cluster) => cluster.length > 1)
    .map((cluster) => ({
      kind: 'near' as const,
      // A unit's copies with one label are one member, as in the hash search's groups (issue #18).
      members: cluster
        .flatMap((unit) => copySets(rowsOf.get(unit)!, samples))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    }));
  const conflicting = groups.filter((group) => new Set(group.members.map((m) => m.label)).size > 1);
  const known = findings.conflicts.map((group) => new Set(group.members.map((m) => m.path)));
  const added = conflicting.filter(
    (group) => !known.some((paths) => group.members.every((member) => paths.has(member.path))),
  );
  return {
    ...findings,
    conflicts: [...findings.conflicts, ...added],
    // Every group, for the leaky-split check: a copy across splits found only by its embedding counts too.
    groups: [...findings.groups, ...groups],
    summary: {
      ...findings.summary,
      embeddings: {
        groups: groups.length,
        images: groups.reduce((sum, group) => sum + group.members.reduce((n, m) => n + (m.copies ?? 1), 0), 0),
        conflicting: conflicting.length,
        added: added.length,
        minCosine,
        ...(truncated ? { truncated: true as const } : {}),
      },
    },
  };
}
