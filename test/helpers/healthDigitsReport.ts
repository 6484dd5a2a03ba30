/**
 * The sample digits with a few planted dataset-health issues, and their report with a real `health`
 * section: real images darkened and blurred (plantedDefects.ts), the quality scores and outliers
 * computed by the engine's own `assessHealth` and placed in the report by `reportHealth`, as an
 * audit does. The outliers are searched in the images' own pixels scaled to unit length (the space
 * sampleReport.ts's neighbours use), standing in for a trained model's embeddings: whichever digits
 * that space finds unusual, a real section to show (raw pixels do not single out planted clothes,
 * so none are planted; outliers.unit.test.ts measures that in a trained model's space).
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { loadDataset } from '../../src/core/data/dataset';
import { decodeImages } from '../../src/core/data/decode';
import { assessHealth, reportHealth, type ReportIssueType } from '../../src/core/health/healthReport';
import type { LeakedGroup } from '../../src/core/health/leakySplits';
import { qualityScores } from '../../src/core/health/imageQuality';
import type { AuditReport } from '../../src/core/report';
import { chooseBackend } from '../../src/engine/backend';
import { writePlanted, type PlantedDefect } from './plantedDefects';
import { copySampleDigits } from './repo';
import { sampleAnswerKey, sampleDigitsReport } from './sampleReport';

/** What was planted where: dataset path → the defect. */
export type PlantedIssues = ReadonlyMap<string, PlantedDefect>;

/** Images per planted defect. */
const PLANTED: readonly (readonly [PlantedDefect, number])[] = [
  ['dark', 3],
  ['blurry', 3],
];

/**
 * Copies the sample digits to `root`, plants the issues into images the answer key says are
 * correctly labeled (folder 3 and up, in file order), and builds the report.
 */
export async function healthDigitsReport(root: string): Promise<{ report: AuditReport; planted: PlantedIssues }> {
  await copySampleDigits(root);
  const wrong = sampleAnswerKey();
  const candidates = (await loadDataset(root)).samples
    .map((s) => s.path)
    .filter((path) => !wrong.has(path) && Number(path.split('/')[0]) >= 3);
  const planted = new Map<string, PlantedDefect>();
  let next = 0;
  for (const [defect, count] of PLANTED) {
    for (let n = 0; n < count; n++) {
      // Every 37th candidate: the planted images spread over the classes.
      const path = candidates[(next++ * 37) % candidates.length];
      const file = join(root, path);
      const pixels = new Uint8Array(await sharp(file).greyscale().raw().toBuffer());
      await writePlanted(file, pixels, defect);
      planted.set(path, defect);
    }
  }
  const report = await sampleDigitsReport(root);
  const dataset = await loadDataset(root);
  const decoded = await decodeImages(dataset, { size: 32 });
  const dim = decoded.images.size * decoded.images.size * decoded.images.channels;
  const embeddings = new Float32Array(decoded.kept.length * dim);
  for (let row = 0; row < decoded.kept.length; row++) {
    const content = decoded.contentOf[row];
    const pixels = decoded.images.pixels.subarray(content * dim, (content + 1) * dim);
    const norm = Math.hypot(...pixels) || 1;
    for (let d = 0; d < dim; d++) embeddings[row * dim + d] = pixels[d] / norm;
  }
  await chooseBackend('wasm');
  const health = await assessHealth({
    dataset,
    kept: decoded.kept,
    qualityScores: qualityScores(decoded.images, decoded.dimensions, decoded.contentOf),
    imageSize: decoded.images.size,
    duplicateGroups: [],
    embeddings: { space: 'mixup', values: embeddings, width: dim },
  });
  const at = new Map(report.samples.map((s, i) => [s.path, i]));
  const position = Int32Array.from(decoded.kept, (i) => at.get(dataset.samples[i].path) ?? -1);
  return { report: { ...report, health: reportHealth(health, position) }, planted };
}

/** A leaked group's member, as the report lists it: sample `at` of `report`, in `split`. */
export function leakMember(report: AuditReport, at: number, split: string) {
  return { path: report.samples[at].path, label: report.samples[at].givenLabel, split };
}

/**
 * `report` as a person may have edited it: its dark-image type changed by `dark`, and leaked copies
 * across a train split of 300 and a test split of 100 that lacks the last class (`source` says where the splits came from).
 */
export function withHealthEdits(
  report: AuditReport,
  edits: {
    readonly dark: Partial<ReportIssueType>;
    readonly leaks: { readonly source: 'folders' | 'column'; readonly groups: LeakedGroup[] };
  },
): AuditReport {
  const health = report.health!;
  const classes = report.dataset.classes;
  return {
    ...report,
    health: {
      ...health,
      imageQuality: {
        ...health.imageQuality,
        types: { ...health.imageQuality.types, dark: { ...health.imageQuality.types.dark, ...edits.dark } },
      },
      leakySplits: {
        source: edits.leaks.source,
        // 30 training images per class; 10 test images per class but none of the last class.
        splits: [
          { split: 'train', samples: 300, classes: Object.fromEntries(classes.map((c) => [c, 30])) },
          {
            split: 'test',
            samples: 100,
            classes: Object.fromEntries(classes.map((c, i) => [c, i === classes.length - 1 ? 0 : 10])),
          },
        ],
        groups: edits.leaks.groups,
        images: edits.leaks.groups.reduce((sum, g) => sum + g.members.length, 0),
      },
    },
  };
}
