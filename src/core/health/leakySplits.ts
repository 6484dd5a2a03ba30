/**
 * Leaky splits: when a dataset holds its train/validation/test splits, copies of one image in two
 * splits make the test score a memory test. The splits come from a `split` column of a CSV label
 * file (a `split` field of a JSON array) or, failing that, from a folder named like a split at any
 * level of a sample's path; exact and near copies (from detection/duplicates.ts) whose members sit
 * in different splits are listed, with each split's class counts.
 */

import type { DuplicateGroup } from '../detection/duplicates';
import type { Dataset } from '../shared/types';

/** Folder names (lower-cased) taken as a split, and the split each means. */
const SPLIT_FOLDERS: ReadonlyMap<string, string> = new Map([
  ['train', 'train'],
  ['training', 'train'],
  ['val', 'val'],
  ['valid', 'val'],
  ['validation', 'val'],
  ['dev', 'val'],
  ['test', 'test'],
  ['testing', 'test'],
]);

/** Header names of a split column (lower-cased). */
const SPLIT_COLUMNS = ['split', 'subset', 'fold_name', 'partition'];

/** Where each sample's split came from, and the splits (absent when the dataset has fewer than two). */
export interface SampleSplits {
  readonly source: 'column' | 'folders';
  /** `(samples,)` split name of each dataset sample ('' when it has none). */
  readonly ofSample: readonly string[];
}

/** Per split: samples and class counts. */
export interface SplitCounts {
  readonly split: string;
  readonly samples: number;
  /** Samples per class, in the dataset's class order. */
  readonly classes: Readonly<Record<string, number>>;
}

/** A duplicate group spread over more than one split. */
export interface LeakedGroup {
  readonly kind: 'exact' | 'near';
  readonly members: readonly { readonly path: string; readonly label: string; readonly split: string }[];
}

/** What {@link findLeaks} returns. */
export interface LeakySplits {
  readonly source: SampleSplits['source'];
  readonly splits: readonly SplitCounts[];
  /** Exact groups first, then larger first. */
  readonly groups: readonly LeakedGroup[];
  /** Images in leaked groups, and the groups. */
  readonly images: number;
}

/**
 * The split of every sample of `dataset`, or undefined when it has no splits (fewer than two distinct
 * split names): a column wins over folders, since it was written on purpose.
 */
export function sampleSplits(dataset: Dataset): SampleSplits | undefined {
  const fromColumn = columnSplits(dataset);
  if (fromColumn && distinct(fromColumn) > 1) return { source: 'column', ofSample: fromColumn };
  const fromFolders = dataset.samples.map((s) => folderSplit(s.path));
  return distinct(fromFolders) > 1 ? { source: 'folders', ofSample: fromFolders } : undefined;
}

/**
 * Lists the duplicate groups that cross splits and counts each split's classes.
 *
 * @param dataset The dataset (classes in order).
 * @param kept Indices into `dataset.samples` of the audited images.
 * @param splits From {@link sampleSplits}.
 * @param groups Every duplicate group of the audited images (`findDuplicates(...).groups`).
 */
export function findLeaks(
  dataset: Dataset,
  kept: readonly number[],
  splits: SampleSplits,
  groups: readonly DuplicateGroup[],
): LeakySplits {
  const splitOfPath = new Map(kept.map((i) => [dataset.samples[i].path, splits.ofSample[i]]));
  const names = [...new Set(kept.map((i) => splits.ofSample[i]))].sort(splitOrder);
  const counts = names.map((split) => ({
    split: split,
    samples: 0,
    classes: Object.fromEntries(dataset.classes.map((c) => [c, 0])) as Record<string, number>,
  }));
  const at = new Map(names.map((name, i) => [name, i]));
  for (const i of kept) {
    const entry = counts[at.get(splits.ofSample[i])!];
    entry.samples++;
    entry.classes[dataset.samples[i].label]++;
  }
  const leaked: LeakedGroup[] = groups
    .map((g) => ({ kind: g.kind, members: g.members.map((m) => ({ ...m, split: splitOfPath.get(m.path) ?? '' })) }))
    .filter((g) => new Set(g.members.map((m) => m.split)).size > 1)
    .sort(
      (a, b) =>
        (a.kind === b.kind ? 0 : a.kind === 'exact' ? -1 : 1) ||
        b.members.length - a.members.length ||
        (a.members[0].path < b.members[0].path ? -1 : 1),
    );
  return {
    source: splits.source,
    splits: counts,
    groups: leaked,
    images: leaked.reduce((sum, g) => sum + g.members.length, 0),
  };
}

/** The splits `group`'s members sit in, train, val, test first. */
export function splitsOf(group: LeakedGroup): string[] {
  return [...new Set(group.members.map((m) => m.split))].sort(splitOrder);
}

/**
 * Up to `max` members of `group` to show, one split after another in turn (in the group's order within
 * a split): a set of 20 000 training copies and one test copy shows the test copy, not 8 training ones.
 */
export function leakPreview(group: LeakedGroup, max: number): LeakedGroup['members'] {
  const bySplit = splitsOf(group).map((split) => group.members.filter((m) => m.split === split));
  const shown: LeakedGroup['members'][number][] = [];
  for (let k = 0; shown.length < Math.min(max, group.members.length); k++)
    for (const members of bySplit) if (k < members.length && shown.length < max) shown.push(members[k]);
  return shown;
}

/** The outermost folder of `path` named like a split, as its canonical name, or ''. */
export function folderSplit(path: string): string {
  const folders = path.split('/').slice(0, -1);
  for (const folder of folders) {
    const split = SPLIT_FOLDERS.get(folder.toLowerCase());
    if (split) return split;
  }
  return '';
}

/** The split cell of each sample from a CSV `split` column or a JSON array's `split` field. */
function columnSplits(dataset: Dataset): string[] | undefined {
  const { source } = dataset;
  if (source.format === 'csv') {
    const column = source.header.findIndex((h) => SPLIT_COLUMNS.includes(h.trim().toLowerCase()));
    if (column < 0) return undefined;
    return dataset.samples.map((s) =>
      typeof s.sourceIndex === 'number' ? cleanSplit(source.rows[s.sourceIndex]?.[column]) : '',
    );
  }
  if (source.format === 'json' && source.shape === 'array' && Array.isArray(source.document)) {
    const document = source.document as unknown[];
    const key = (entry: unknown) =>
      entry && typeof entry === 'object'
        ? Object.keys(entry).find((k) => SPLIT_COLUMNS.includes(k.toLowerCase()))
        : undefined;
    if (!document.some((entry) => key(entry) !== undefined)) return undefined;
    return dataset.samples.map((s) => {
      const entry = typeof s.sourceIndex === 'number' ? document[s.sourceIndex] : undefined;
      const name = key(entry);
      return name ? cleanSplit((entry as Record<string, unknown>)[name]) : '';
    });
  }
  return undefined;
}

function cleanSplit(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

function distinct(values: readonly string[]): number {
  return new Set(values.filter((v) => v !== '')).size;
}

/** train, val, test first in that order, then others by name, unassigned ('') last. */
function splitOrder(a: string, b: string): number {
  const rank = (s: string) => {
    const known = ['train', 'val', 'test'].indexOf(s);
    return s === '' ? 5 : known >= 0 ? known : 3;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
