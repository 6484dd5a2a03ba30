/**
 * The evidence behind a suspect: the training images nearest to it in the mixup model's embedding
 * space, among those labelled with its given label and among those labelled with the suggested one.
 * A reviewer who sees a "3" whose closest 3s look nothing like it, and whose closest 5s look just
 * like it, can decide at a glance.
 */

import { forEachSimilarityBlock } from './similarityBlocks';

/** One suspect to find neighbours for. */
export interface NeighbourQuery {
  /** Row of the suspect in the embeddings. */
  readonly row: number;
  /** Class ids whose members to search: the given label and the suggested label. */
  readonly given: number;
  readonly suggested: number;
}

/** The nearest candidates of one class, nearest first. */
export interface NeighbourList {
  /** Rows of the neighbours in the embeddings. */
  readonly rows: Int32Array;
  /** Cosine distances `1 − cos`, in [0, 2], ascending. */
  readonly distances: Float32Array;
}

/** A suspect's nearest candidates under each of its two labels. */
export interface SuspectNeighbours {
  readonly given: NeighbourList;
  readonly suggested: NeighbourList;
}

/** Neighbours shown per label: one row of thumbnails in the review panel. */
export const DEFAULT_NEIGHBOURS = 6;

/**
 * For each query, the `k` nearest candidates whose label is the query's given label and the `k`
 * nearest whose label is its suggested label, by cosine distance.
 *
 * Exact search, class by class: a query is compared only with the members of its two classes, with
 * one matrix product (queries × class members) per chunk of the queries that search a class, on the
 * current tfjs backend, and a k-best scan of each row in plain loops. At 60 000 images in 10 classes
 * and 3 000 queries that is 36 million 64-wide dot products: plain JavaScript loops took 5 s, the
 * matMul takes well under one (bench/neighbours.ts, README "Nearest neighbours"), and no approximate
 * index is worth its code at that size.
 *
 * @param embeddings Row-major `(N, dim)` vectors of unit L2 length (`predict` with `embeddings`),
 *   so a dot product is the cosine similarity.
 * @param dim Width of a vector.
 * @param labels Given class ids, `(N,)`, each in `[0, numClasses)`.
 * @param numClasses `K`.
 * @param queries The suspects.
 * @param excluded `(N,)`, 1 for rows that may not be anyone's neighbour (flagged samples: their
 *   own labels are doubtful, so they are no evidence for a label).
 * @param k Neighbours per label (default {@link DEFAULT_NEIGHBOURS}); fewer when a class has fewer candidates.
 * @param copyOf `(N,)` exact-copy set of each row, -1 for none (`findDuplicates`' `copyGroupOf`): a
 *   list holds one file of a set at most, and never a copy of the query, so 20 000 copies of one image
 *   make one entry, not the whole strip (issue #18).
 * @returns One entry per query, in query order. A query's own row is never its neighbour.
 */
export function findNeighbours(
  embeddings: Float32Array,
  dim: number,
  labels: Int32Array,
  numClasses: number,
  queries: readonly NeighbourQuery[],
  excluded: Uint8Array,
  k = DEFAULT_NEIGHBOURS,
  copyOf?: Int32Array,
): SuspectNeighbours[] {
  const count = labels.length;
  if (!Number.isInteger(dim) || dim < 1 || embeddings.length !== count * dim) {
    throw new RangeError(`Expected embeddings of shape (${count}, ${dim}), but got ${embeddings.length} values.`);
  }
  if (excluded.length !== count) throw new RangeError(`Expected ${count} exclusion flags, but got ${excluded.length}.`);
  if (copyOf && copyOf.length !== count)
    throw new RangeError(`Expected ${count} copy-set ids, but got ${copyOf.length}.`);
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`Expected a positive whole number of neighbours, but got ${k}.`);
  for (const q of queries) {
    if (!(q.row >= 0 && q.row < count) || !isClass(q.given, numClasses) || !isClass(q.suggested, numClasses)) {
      throw new RangeError(`Bad neighbour query ${JSON.stringify(q)} for ${count} rows in ${numClasses} classes.`);
    }
  }

  const members = classMembers(labels, numClasses, excluded);
  const given: NeighbourList[] = new Array(queries.length);
  const suggested: NeighbourList[] = new Array(queries.length);
  // Which queries search each class, and into which of their two lists the answer goes.
  const searches: { query: number; into: NeighbourList[] }[][] = Array.from({ length: numClasses }, () => []);
  queries.forEach((q, i) => {
    searches[q.given].push({ query: i, into: given });
    searches[q.suggested].push({ query: i, into: suggested });
  });
  for (let c = 0; c < numClasses; c++) {
    const wanted = searches[c];
    if (wanted.length === 0) continue;
    const rows = members[c];
    if (rows.length === 0) {
      for (const { query: i, into } of wanted) into[i] = { rows: new Int32Array(0), distances: new Float32Array(0) };
      continue;
    }
    const selves = Int32Array.from(wanted, ({ query: i }) => queries[i].row);
    forEachSimilarityBlock(embeddings, dim, selves, rows, (block, part, start) => {
      part.forEach((self, j) => {
        const { query: i, into } = wanted[start + j];
        into[i] = nearest(
          block.subarray(j * rows.length, (j + 1) * rows.length),
          rows,
          Math.min(k, rows.length),
          self,
          copyOf,
        );
      });
    });
  }
  return queries.map((_, i) => ({ given: given[i], suggested: suggested[i] }));
}

function isClass(value: number, numClasses: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < numClasses;
}

/** Candidate rows of each class, in row order. */
function classMembers(labels: Int32Array, numClasses: number, excluded: Uint8Array): Int32Array[] {
  const sizes = new Int32Array(numClasses);
  for (let i = 0; i < labels.length; i++) if (!excluded[i] && isClass(labels[i], numClasses)) sizes[labels[i]]++;
  const members = Array.from(sizes, (size) => new Int32Array(size));
  const filled = new Int32Array(numClasses);
  for (let i = 0; i < labels.length; i++)
    if (!excluded[i] && isClass(labels[i], numClasses)) members[labels[i]][filled[labels[i]]++] = i;
  return members;
}

/**
 * The `k` members most similar to one query (largest similarity), skipping its own row, most similar
 * first; ties keep row order. An insertion-sorted list of k entries: k is a handful, so that beats a heap.
 *
 * @param similarity The query's cosine similarity to each member, `(M,)`.
 * @param copyOf `(N,)` exact-copy set of each row (-1: none): the list keeps the first file of a set
 *   and skips the rest and the query's own copies (identical bytes, identical embedding: the same image).
 */
export function nearest(
  similarity: Float32Array,
  rows: Int32Array,
  k: number,
  self: number,
  copyOf?: Int32Array,
): NeighbourList {
  const bestSimilarity = new Float64Array(k).fill(-Infinity);
  const bestMember = new Int32Array(k).fill(-1);
  let worst = -Infinity;
  for (let m = 0; m < similarity.length; m++) {
    const value = similarity[m];
    if (!(value > worst) || rows[m] === self) continue;
    if (copyOf && copyOf[rows[m]] >= 0 && isCopyListed(copyOf, copyOf[rows[m]], self, rows, bestMember)) continue;
    let at = k - 1;
    while (at > 0 && bestSimilarity[at - 1] < value) {
      bestSimilarity[at] = bestSimilarity[at - 1];
      bestMember[at] = bestMember[at - 1];
      at--;
    }
    bestSimilarity[at] = value;
    bestMember[at] = m;
    worst = bestSimilarity[k - 1];
  }
  const found = bestMember.filter((m) => m >= 0);
  return {
    rows: Int32Array.from(found, (m) => rows[m]),
    // Rounding can push a unit vector's self-similarity a hair past 1; a distance is never negative.
    distances: Float32Array.from(found, (_, j) => Math.min(2, Math.max(0, 1 - bestSimilarity[j]))),
  };
}

/** Whether the query or a listed member belongs to copy set `set`. At most k + 1 reads: k is a handful. */
function isCopyListed(copyOf: Int32Array, set: number, self: number, rows: Int32Array, listed: Int32Array): boolean {
  if (copyOf[self] === set) return true;
  for (const m of listed) if (m >= 0 && copyOf[rows[m]] === set) return true;
  return false;
}

/**
 * Most suspects that get neighbours. The review panel lists up to 10 000 suspects by default
 * (`labelAudit.maxSuspectsShown`), but nobody reviews more than a few thousand one by one; past
 * that the search time and the report's size (about 200 bytes a suspect) would grow with every
 * flagged sample for nothing. Suspects beyond this cap are still listed, their preview shows no
 * neighbour strips.
 */
export const MAX_SUSPECTS_WITH_NEIGHBOURS = 5000;

/**
 * The neighbours of the flagged samples, most suspect first, at most
 * {@link MAX_SUSPECTS_WITH_NEIGHBOURS} of them, among the samples that are not flagged.
 *
 * @param verdicts The audit's verdicts, most suspect first.
 * @param labels Given class ids, `(N,)`.
 * @param embeddings `(N, dim)` unit-length embeddings.
 * @returns Neighbours by row of the suspect.
 */
export function neighboursOfSuspects(
  verdicts: readonly {
    readonly index: number;
    readonly givenLabel: number;
    readonly suggestedLabel: number;
    readonly flagged: boolean;
  }[],
  labels: Int32Array,
  numClasses: number,
  embeddings: Float32Array,
  dim: number,
  options: { k?: number; limit?: number; covered?: Uint8Array; copyOf?: Int32Array } = {},
): Map<number, SuspectNeighbours> {
  // Images without an embedding (the user's file lacked them) are no one's neighbour, and get none.
  const flagged = verdicts.filter((v) => v.flagged && (!options.covered || options.covered[v.index]));
  const excluded = options.covered ? options.covered.map((c) => 1 - c) : new Uint8Array(labels.length);
  for (const v of flagged) excluded[v.index] = 1;
  const queries = flagged
    .slice(0, options.limit ?? MAX_SUSPECTS_WITH_NEIGHBOURS)
    .map((v) => ({ row: v.index, given: v.givenLabel, suggested: v.suggestedLabel }));
  const found = findNeighbours(embeddings, dim, labels, numClasses, queries, excluded, options.k, options.copyOf);
  return new Map(queries.map((q, i) => [q.row, found[i]]));
}
