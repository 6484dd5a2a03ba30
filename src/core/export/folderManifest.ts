import type { Outcomes } from './outcomes';
import { PLAIN_CSV, toCsv, toJson } from './csvText';
import type { Dataset } from '../shared/types';

/**
 * Folder-per-class → a manifest (CSV `path,label` or a JSON array of `{ path, label }`) listing
 * every sample left after the review with its final label, in dataset order (sorted by path), so
 * `loadDataset` on it gives back the dataset as decided. Files skipped at load (not images) are not
 * listed: a manifest entry for them would only be skipped again.
 *
 * @param pathPrefix - What goes before a sample path to make it relative to the manifest's folder.
 */
export function renderFolderManifest(
  dataset: Dataset,
  outcomes: Outcomes,
  format: 'csv' | 'json',
  pathPrefix: string,
): string {
  const samples = dataset.samples.flatMap((sample) => {
    const outcome = outcomes.get(sample.path) ?? { action: 'unchanged', label: sample.label };
    return outcome.action === 'remove' ? [] : [{ path: pathPrefix + sample.path, label: outcome.label }];
  });
  if (format === 'json') return toJson(samples);
  return toCsv([['path', 'label'], ...samples.map(({ path, label }) => [path, label])], PLAIN_CSV);
}
