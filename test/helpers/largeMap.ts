/**
 * An embedding map for a large report (largeReport.ts), for the panel's scale test and bench: the
 * engine's own UMAP of the report's distinct real digits (unit-length pixels standing in for a
 * model's embeddings), every sample at its image's point plus a small seeded jitter, so that the
 * copies of one image make a visible cloud instead of one dot. The positions are thus synthetic
 * around real ones; what is measured is drawing, hit-testing and selecting that many points.
 */
import { embeddingMap } from '../../src/core/health/map/embeddingMap';
import { referenceNeighbours } from '../../src/core/health/referenceNeighbours';
import type { AuditReport } from '../../src/core/report';
import { Random } from '../../src/core/training/random';
import { MAP_MARK_SUSPECT, type MapView } from '../../src/protocol/webview';
import { chooseBackend } from '../../src/engine/backend';
import { distinctImageOf } from './largeReport';
import { realImages } from './realImages';

/** Jitter around an image's point, in map units. */
const SPREAD = 0.015;

export async function largeMapView(report: AuditReport, distinct: number): Promise<MapView> {
  await chooseBackend('wasm');
  // The same images, in the same order, as writeLargeReportDataset wrote.
  const { images } = realImages(distinct, { seed: 7 });
  const dim = images[0].length;
  const embeddings = new Float32Array(distinct * dim);
  images.forEach((image, i) => {
    const norm = Math.hypot(...image) || 1;
    for (let d = 0; d < dim; d++) embeddings[i * dim + d] = image[d] / norm;
  });
  const layout = await embeddingMap(embeddings, dim, referenceNeighbours(embeddings, dim, 15), { seed: 1 });
  const random = new Random(3);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const labelNames = [...report.dataset.classes];
  return {
    method: layout.method,
    space: 'mixup',
    paths: report.samples.map((s) => s.path),
    points: report.samples.flatMap((s) => {
      // The report lists samples most suspect first; the file name keeps the sample's number.
      const number = Number(s.path.slice(s.path.lastIndexOf('/') + 1, s.path.lastIndexOf('.')));
      const at = distinctImageOf(number, distinct) * 2;
      return [
        clamp(layout.points[at] + random.normal() * SPREAD),
        clamp(layout.points[at + 1] + random.normal() * SPREAD),
      ];
    }),
    labels: report.samples.map((s) => labelNames.indexOf(s.givenLabel)),
    labelNames,
    marks: report.samples.map((s) => (s.flagged ? MAP_MARK_SUSPECT : 0)),
    issueTypes: [],
  };
}
