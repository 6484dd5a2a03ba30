import { ownValue } from '../shared/ownValue';
import type { Decisions, ReportSample } from '../shared/types';

/**
 * The decisions with each decision on a copy set spread to the whole set (issue #18). The report
 * lists a set of byte-identical files with one label as one conflict member, named by its first
 * path (sorted), so the reviewer decides once for 20 000 copies of a placeholder; the decisions
 * file keeps that one decision, and the export applies it here to every file of the set.
 *
 * Only the set's first path speaks for the set, and only to copies without a decision of their
 * own: a reviewer who decided on another copy (in the suspects grid, say) keeps that decision.
 *
 * @param decisions - Review decisions keyed by path.
 * @param samples - The report's samples (`copyGroup` from the audit; reports without it change nothing).
 * @returns `decisions` itself when nothing spreads, else a new object with the spread entries added.
 */
export function withCopyDecisions(
  decisions: Decisions,
  samples: readonly Pick<ReportSample, 'path' | 'givenLabel' | 'copyGroup'>[],
): Decisions {
  const first = copySetHeads(samples).head;
  const spread: [string, Decisions[string]][] = [];
  for (const s of samples) {
    if (s.copyGroup === undefined || ownValue(decisions, s.path) !== undefined) continue;
    const decision = ownValue(decisions, first.get(setKey(s.copyGroup, s.givenLabel)) ?? '');
    if (decision !== undefined) spread.push([s.path, decision]);
  }
  // Object.fromEntries defines own properties: a path named "__proto__" stays an entry.
  return spread.length === 0 ? decisions : Object.fromEntries([...Object.entries(decisions), ...spread]);
}

/**
 * The first path (sorted) of each copy set under one label, `(copyGroup, givenLabel)`: the file that
 * speaks for the set (the conflict member's `path`), and how many files each set has.
 */
export function copySetHeads(samples: readonly Pick<ReportSample, 'path' | 'givenLabel' | 'copyGroup'>[]): {
  head: Map<string, string>;
  files: Map<string, number>;
  /** The set's file count when `sample` speaks for a set, 0 for another copy, 1 for a file without copies. */
  shownAs(sample: Pick<ReportSample, 'path' | 'givenLabel' | 'copyGroup'>): number;
} {
  const head = new Map<string, string>();
  const files = new Map<string, number>();
  for (const s of samples) {
    if (s.copyGroup === undefined) continue;
    const key = setKey(s.copyGroup, s.givenLabel);
    const path = head.get(key);
    if (path === undefined || s.path < path) head.set(key, s.path);
    files.set(key, (files.get(key) ?? 0) + 1);
  }
  return {
    head,
    files,
    shownAs: (s) => {
      if (s.copyGroup === undefined) return 1;
      const key = setKey(s.copyGroup, s.givenLabel);
      return head.get(key) === s.path ? (files.get(key) ?? 1) : 0;
    },
  };
}

function setKey(group: number, label: string): string {
  return `${group}\u0000${label}`;
}

/**
 * The spot check's population: the unflagged samples with each set of byte-identical files
 * (`copyGroup`) once, its first sample in the given order standing for it. A reviewer who has seen
 * one copy has seen them all, and 20 000 copies of a placeholder would otherwise fill a random
 * check of 100 with 95 looks at one image (issue #18). The estimate is then about distinct images.
 */
export function distinctImages<S extends { readonly copyGroup?: number }>(samples: readonly S[]): S[] {
  const seen = new Set<number>();
  return samples.filter((s) => {
    if (s.copyGroup === undefined) return true;
    if (seen.has(s.copyGroup)) return false;
    seen.add(s.copyGroup);
    return true;
  });
}
