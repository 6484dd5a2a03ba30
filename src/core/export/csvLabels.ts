import { changeFinder, type Outcomes } from './outcomes';
import { toCsv, withCell } from './csvText';
import type { Dataset, LabelSource } from '../shared/types';

/**
 * CSV → CSV: same header, column order, delimiter, line ending and BOM; only the label cell of a
 * relabeled row changes, removed rows are dropped. Unchanged rows are re-encoded from their cells
 * with quotes only where CSV needs them, so they come out byte-for-byte as read unless the input
 * quoted cells that did not need it.
 *
 * @param classOf - A label after the class merges and renames, for rows skipped at load.
 */
export function renderCsvLabels(
  dataset: Dataset,
  source: Extract<LabelSource, { format: 'csv' }>,
  outcomes: Outcomes,
  classOf: (label: string) => string,
): string {
  const changeOf = changeFinder(dataset, outcomes);
  const rows = source.rows.flatMap((row, index) => {
    const change = changeOf(index, row[source.pathColumn]);
    if (change === undefined) return [mapSkippedCell(row, source.labelColumn, classOf)];
    return change.action === 'remove' ? [] : [withCell(row, source.labelColumn, change.label)];
  });
  return toCsv([source.header, ...rows], source);
}

/**
 * An entry that is not a sample (skipped at load) keeps its cells, but a label of a merged or
 * renamed class follows the class, or the cleaned file would still name a class that is gone.
 */
function mapSkippedCell(row: readonly string[], column: number, classOf: (label: string) => string): readonly string[] {
  const cell = row[column];
  if (cell === undefined) return row;
  const mapped = classOf(cell.trim());
  return mapped === cell.trim() ? row : withCell(row, column, mapped);
}
