import type { ReportNoiseMatrix } from '../core/report';

/** Classes up to which the whole matrix is printed; above it, only the largest swaps. */
const FULL_TABLE_MAX_CLASSES = 12;
const TOP_SWAPS = 10;

/**
 * The estimated class swaps for a terminal: a given × true table of counts (zeros as '.', so the
 * swaps stand out) for up to 12 classes, else the largest off-diagonal cells as a list.
 */
export function formatNoiseMatrix(matrix: ReportNoiseMatrix): string {
  const { classes, counts } = matrix;
  const source =
    matrix.source === 'out-of-sample' ? 'confident learning, out-of-sample' : 'confident learning, in sample';
  const title = `Estimated label noise ${(100 * matrix.noiseRate).toFixed(1)}% (${source}); rows: given label, columns: true label`;
  if (classes.length > FULL_TABLE_MAX_CLASSES) {
    const cells = counts
      .flatMap((row, given) => row.map((n, truth) => ({ given, truth, n })))
      .filter((c) => c.given !== c.truth && c.n > 0);
    cells.sort((a, b) => b.n - a.n);
    const lines = cells.slice(0, TOP_SWAPS).map((c) => `  ${classes[c.given]} → ${classes[c.truth]}: ${c.n}`);
    return [`${title}; largest swaps:`, ...(lines.length ? lines : ['  none'])].join('\n');
  }
  const header = ['given\\true', ...classes];
  const rows = counts.map((row, given) => [classes[given], ...row.map((n) => (n === 0 ? '.' : String(n)))]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const format = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' ');
  return [`${title}:`, format(header), ...rows.map(format)].join('\n');
}
