/**
 * A dataset-health section for a large report (largeReport.ts), as an audit of that many images
 * would write it: every image-quality score and flag of every sample from the real checks
 * (qualityScores and assessHealth over the distinct real digits the samples link to, each sample
 * scored as its image), and the outlier scores and map points of the distinct digits' real
 * embedding check (unit-length pixels standing in for a model's embeddings), each sample at its
 * image's point plus a small seeded jitter, as largeMap.ts does. What is measured is storing and
 * reading ten numbers per sample, not the checks.
 */
import { assessHealth, reportHealth, type ReportHealth } from '../../src/core/health/healthReport';
import { qualityScores } from '../../src/core/health/imageQuality';
import { flagIssues } from '../../src/core/health/issueFlags';
import { concatBytes } from '../../src/core/shared/collections';
import type { Dataset, ImageSet } from '../../src/core/shared/types';
import { Random } from '../../src/core/training/random';
import { chooseBackend } from '../../src/engine/backend';
import { SOURCE_SIZE } from './realImages';

/** Jitter around an image's point, in map units. */
const SPREAD = 0.015;

/**
 * @param dataset - The report's dataset, its samples in the report's order.
 * @param images - The distinct 28×28 digits.
 * @param imageAt - Which of `images` the sample at each report position links to.
 */
export async function largeHealth(
  dataset: Dataset,
  images: readonly Uint8Array[],
  imageAt: Int32Array,
): Promise<ReportHealth> {
  await chooseBackend('wasm');
  const dim = SOURCE_SIZE * SOURCE_SIZE;
  const contents: ImageSet = { size: SOURCE_SIZE, channels: 1, count: images.length, pixels: concatBytes(images) };
  const dimensions = images.map(() => ({ width: SOURCE_SIZE, height: SOURCE_SIZE }));
  const n = imageAt.length;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const quality = await assessHealth({
    dataset,
    kept: Array.from(all),
    qualityScores: qualityScores(contents, dimensions, imageAt),
    imageSize: SOURCE_SIZE,
    duplicateGroups: [],
    map: false,
  });

  // The embedding checks on the distinct digits, then spread over their samples.
  const embeddings = new Float32Array(images.length * dim);
  images.forEach((image, i) => {
    const norm = Math.hypot(...image) || 1;
    for (let d = 0; d < dim; d++) embeddings[i * dim + d] = image[d] / norm;
  });
  const distinct = await assessHealth({
    dataset: { ...dataset, samples: images.map((_, i) => ({ path: `${i}.png`, label: '0', sourceIndex: -1 })) },
    kept: images.map((_, i) => i),
    qualityScores: qualityScores(
      contents,
      dimensions,
      Int32Array.from(images, (_, i) => i),
    ),
    imageSize: SOURCE_SIZE,
    duplicateGroups: [],
    embeddings: { space: 'mixup', values: embeddings, width: dim },
    seed: 1,
  });
  const { outliers, map } = distinct;
  if (!outliers || !map) throw new Error('largeHealth: the distinct digits gave no outliers or map');
  const scores = Float32Array.from(imageAt, (image) => outliers.scores[image]);
  const random = new Random(3);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const points = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    points[2 * i] = clamp(map.points[2 * imageAt[i]] + random.normal() * SPREAD);
    points[2 * i + 1] = clamp(map.points[2 * imageAt[i] + 1] + random.normal() * SPREAD);
  }
  return reportHealth(
    {
      ...quality,
      outliers: { ...outliers, scores, flags: flagIssues(scores, outliers.flags.threshold) },
      map: { ...map, points },
    },
    all,
  );
}
