/**
 * The class-swap heatmap's logic, with no DOM: how hot each cell is, what it says to a screen reader,
 * and how a click on a cell turns into the grid's given/suggested filters. Unit-tested in Node.
 */
import type { SwapMatrixView } from '../../src/protocol/webview';
import type { Filters } from './reviewState';

/** One cell of the heatmap. */
export interface SwapCell {
  readonly given: string;
  readonly other: string;
  readonly count: number;
  /** count / the largest off-diagonal count, in [0, 1]; 0 on the diagonal. */
  readonly heat: number;
  /** Off the diagonal with a count: a button that filters the grid. */
  readonly clickable: boolean;
  /** What a screen reader announces for the cell. */
  readonly label: string;
}

/**
 * The heatmap's rows of cells (rows = given label, columns = suggested / estimated true label).
 * Heat is relative to the largest off-diagonal count, so the diagonal (mostly correct labels, far
 * larger) does not wash out the swaps that matter.
 */
export function swapCells(matrix: SwapMatrixView): SwapCell[][] {
  const { classes, counts } = matrix;
  let max = 0;
  counts.forEach((row, g) => row.forEach((n, o) => (max = g === o ? max : Math.max(max, n))));
  const noun = matrix.source === 'flagged' ? 'flagged' : 'estimated';
  return counts.map((row, g) =>
    row.map((count, o) => {
      const diagonal = g === o;
      return {
        given: classes[g],
        other: classes[o],
        count,
        heat: diagonal || max === 0 ? 0 : count / max,
        clickable: !diagonal && count > 0,
        label: diagonal
          ? `${classes[g]} kept as ${classes[o]}: ${count} ${count === 1 ? 'sample' : 'samples'}`
          : `Given ${classes[g]}, ${matrix.source === 'flagged' ? 'suggested' : 'estimated true'} ${classes[o]}: ${count} ${noun}`,
      };
    }),
  );
}

/** Total of the off-diagonal counts: the swaps the heatmap is about. */
export function swapTotal(matrix: SwapMatrixView): number {
  let total = 0;
  matrix.counts.forEach((row, g) => row.forEach((n, o) => (total += g === o ? 0 : n)));
  return total;
}

/** The swap the grid is filtered to: both class filters set. */
export function activeSwap(filters: Filters): { given: string; suggested: string } | null {
  return filters.given !== null && filters.suggested !== null
    ? { given: filters.given, suggested: filters.suggested }
    : null;
}

/** A click on a cell: filter the grid to that swap, or, when it is the active one, remove the filter. */
export function toggleSwap(filters: Filters, given: string, suggested: string): Filters {
  const active = activeSwap(filters);
  if (active?.given === given && active.suggested === suggested) return { ...filters, given: null, suggested: null };
  return { ...filters, given, suggested };
}
