/**
 * The Issues view's logic, with no DOM: which sections get a strip, how many images a strip shows,
 * where the arrow keys move the focus, and how far the review of the shown images got. Unit-tested in Node.
 */
import type { Decisions, HealthView, IssueSectionView } from '../../src/protocol/webview';
import { ownValue } from '../../src/core/shared/ownValue';

/** Images a strip shows before "Show more" (the host sends up to MAX_ISSUE_EXAMPLES). */
export const STRIP_LENGTH = 12;

/** The sections with images to review, and the one-line notes for the rest (dataset properties, types that found nothing). */
export function issueSections(health: HealthView): {
  listed: readonly IssueSectionView[];
  properties: readonly IssueSectionView[];
  clean: readonly IssueSectionView[];
} {
  return {
    listed: health.issues.filter((i) => !i.datasetProperty && i.examples.length > 0),
    properties: health.issues.filter((i) => i.datasetProperty),
    // A type that fired whose examples the report no longer names is neither listed nor clean.
    clean: health.issues.filter((i) => !i.datasetProperty && i.count === 0),
  };
}

/** Images of a strip shown: the first STRIP_LENGTH, or all the host sent once expanded. */
export function stripShown(total: number, expanded: boolean): number {
  return expanded ? total : Math.min(total, STRIP_LENGTH);
}

/** Where the focus is: the image `index` of strip `strip` (sections first, then leaked groups). */
export interface StripPosition {
  readonly strip: number;
  readonly index: number;
}

export type StripMove = 'left' | 'right' | 'up' | 'down' | 'home' | 'end';

/**
 * The focus after an arrow key, over strips of `lengths` images (empty strips skipped): left and
 * right along a strip (stopping at its ends), up and down to the previous or next strip at the same
 * place (or its last image), Home and End to the strip's ends.
 */
export function moveInStrips(lengths: readonly number[], at: StripPosition, move: StripMove): StripPosition {
  const length = lengths[at.strip] ?? 0;
  switch (move) {
    case 'left':
      return { strip: at.strip, index: Math.max(0, at.index - 1) };
    case 'right':
      return { strip: at.strip, index: Math.min(length - 1, at.index + 1) };
    case 'home':
      return { strip: at.strip, index: 0 };
    case 'end':
      return { strip: at.strip, index: Math.max(0, length - 1) };
    case 'up':
    case 'down': {
      const step = move === 'up' ? -1 : 1;
      for (let strip = at.strip + step; strip >= 0 && strip < lengths.length; strip += step) {
        if (lengths[strip] > 0) return { strip, index: Math.min(at.index, lengths[strip] - 1) };
      }
      return at;
    }
  }
}

/** Distinct images the view lists (examples and leaked copies) and how many of them have a decision. */
export function issueProgress(health: HealthView, decisions: Decisions): { decided: number; total: number } {
  const paths = new Set<string>();
  for (const issue of issueSections(health).listed) for (const e of issue.examples) paths.add(e.path);
  for (const group of health.leakySplits?.groups ?? []) for (const m of group.members) paths.add(m.path);
  let decided = 0;
  for (const path of paths) if (ownValue(decisions, path) !== undefined) decided++;
  return { decided, total: paths.size };
}

/** "12.5%" of a share in [0, 1]; small shares keep a second decimal so 0.04% is not "0.0%". */
export function percent(share: number): string {
  const value = 100 * share;
  return `${value < 0.1 && value > 0 ? value.toFixed(2) : value.toFixed(1)}%`;
}
