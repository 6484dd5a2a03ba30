import { changeFinder, type Outcomes } from './outcomes';
import { toJson } from './csvText';
import type { Dataset, LabelSource } from '../shared/types';

/**
 * JSON → JSON: same shape (array of objects or path→label map), other fields and key order kept;
 * 2-space indent. A label given as a number stays a number when the new label is one.
 *
 * @param classOf - A label after the class merges and renames, for entries skipped at load.
 */
export function renderJsonLabels(
  dataset: Dataset,
  source: Extract<LabelSource, { format: 'json' }>,
  outcomes: Outcomes,
  classOf: (label: string) => string,
): string {
  const changeOf = changeFinder(dataset, outcomes);
  const document = source.document;
  if (source.shape === 'array') {
    if (!Array.isArray(document)) throw new TypeError(`JSON label source of ${dataset.manifestPath} is not an array`);
    const entries = document.flatMap((entry: unknown, index) => {
      const fields = isRecord(entry) ? entry : {};
      const change = changeOf(index, fields[source.pathKey]);
      if (change === undefined) {
        const label = skippedLabel(fields[source.labelKey], classOf);
        return [label === undefined ? entry : { ...fields, [source.labelKey]: label }];
      }
      if (change.action === 'remove') return [];
      // Spreading keeps every other field and the key order; the label key keeps its position.
      return [{ ...fields, [source.labelKey]: jsonLabel(fields[source.labelKey], change.label) }];
    });
    return toJson(entries);
  }
  if (!isRecord(document)) throw new TypeError(`JSON label source of ${dataset.manifestPath} is not an object`);
  // Object.entries gives JSON.parse's key order, which is the file's order except for
  // integer-like keys (JavaScript lists those first); image paths are not integers in practice.
  const kept = Object.entries(document).flatMap(([key, value]): [string, unknown][] => {
    const change = changeOf(key, key);
    if (change === undefined) return [[key, skippedLabel(value, classOf) ?? value]];
    return change.action === 'remove' ? [] : [[key, jsonLabel(value, change.label)]];
  });
  return toJson(Object.fromEntries(kept));
}

/**
 * A JSON label value of an entry that is not a sample (skipped at load): it keeps its value, but a
 * label of a merged or renamed class follows the class. Undefined when it stays as it is.
 */
function skippedLabel(value: unknown, classOf: (label: string) => string): string | number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  const mapped = classOf(text);
  return mapped === text ? undefined : jsonLabel(value, mapped);
}

/**
 * The new label as a JSON value: a number when the file gave this entry a number and the new label
 * is one, so a file of integer class ids stays one (loaders such as PyTorch's expect ints).
 */
function jsonLabel(previous: unknown, label: string): string | number {
  return typeof previous === 'number' && label !== '' && String(Number(label)) === label ? Number(label) : label;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
