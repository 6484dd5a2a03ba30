import { pickRows } from '../../src/core/training/auditUnits';
import type { ImageSet } from '../../src/core/shared/types';

/**
 * Images given one row per file, as `decodeImages` returns them: one row per distinct content (`key`,
 * e.g. a content hash) in the order of its first file, and each file's row of it.
 */
export function byContent(images: ImageSet, keys: readonly string[]): { contents: ImageSet; contentOf: Int32Array } {
  const rowOfKey = new Map<string, number>();
  const firstRows: number[] = [];
  const contentOf = Int32Array.from(keys, (key, row) => {
    const known = rowOfKey.get(key);
    if (known !== undefined) return known;
    rowOfKey.set(key, firstRows.length);
    return firstRows.push(row) - 1;
  });
  const length = images.size * images.size * images.channels;
  const pixels = pickRows(images.pixels, length, Int32Array.from(firstRows));
  return { contents: { ...images, count: firstRows.length, pixels }, contentOf };
}
