/**
 * A review-scale dataset and report: `samples` image files (100 000 by default) of which `suspects`
 * are flagged, over real MNIST digits. A few hundred distinct digits are written once, optionally as
 * large colour photos (upscaled and tinted per class, like a camera dataset), and every sample is a
 * hard link to one of them, so 100 000 files cost seconds and almost no disk. The report goes through
 * the real `buildReport` (see sampleReport.ts) and is written where the panel reads it.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Verdict } from '../../src/core/detection/flag';
import { type AuditReport } from '../../src/core/report';
import { readReport, reportPath, writeReport } from '../../src/core/reportFile';
import type { Dataset } from '../../src/core/shared/types';
import type { LearningDynamics } from '../../src/core/training/learningDynamics';
import { largeHealth } from './largeHealth';
import { forEachConcurrent, realImages, SOURCE_SIZE, writePhoto, writePng } from './realImages';
import { reportOf, verdict } from './sampleReport';

/** What to generate. */
export interface LargeReportOptions {
  /** Samples in the report (image files in the dataset). */
  readonly samples: number;
  /** How many of them are flagged (spread evenly over the classes and the list). */
  readonly suspects: number;
  /** Distinct real images the samples cycle through. */
  readonly distinct?: number;
  /** Side of the stored images: 28 keeps the digits as they are; larger writes colour JPEG photos of that side. */
  readonly side?: number;
  /** Give the report a dataset-health section with every per-sample score and an embedding map (largeHealth.ts). */
  readonly health?: boolean;
}

/** Hidden folder of the distinct images; samples link to them. */
const SOURCES = '.sources';

/**
 * Writes the dataset and its report under `root`, or reuses them when a previous call with the same
 * options finished there (a marker file records the options).
 * @returns The report, as the panel will read it.
 */
export async function writeLargeReportDataset(root: string, options: LargeReportOptions): Promise<AuditReport> {
  const { samples, suspects, distinct = 500, side = SOURCE_SIZE, health = false } = options;
  if (!(suspects <= samples && distinct <= samples && distinct > 0))
    throw new RangeError(`writeLargeReportDataset: ${JSON.stringify(options)} is not a valid size`);
  const marker = join(root, '.complete');
  const key = JSON.stringify({ samples, suspects, distinct, side, health, layout: 5 });
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === key) {
    return readReport(reportPath(root));
  }
  await rm(root, { recursive: true, force: true });
  const { images, labels, classNames } = realImages(distinct, { seed: 7 });
  const extension = side === SOURCE_SIZE ? 'png' : 'jpg';
  const sourceFile = (i: number) => join(root, SOURCES, `${i}.${extension}`);
  await mkdir(join(root, SOURCES), { recursive: true });
  await forEachConcurrent(distinct, 4, (i) => writeSource(sourceFile(i), images[i], labels[i], side));

  // A hash picks each sample's image, so that flagging every n-th sample does not flag a few classes
  // only (the distinct images go round-robin over the classes).
  const imageOf = (i: number) => distinctImageOf(i, distinct);
  const paths = Array.from(
    { length: samples },
    (_, i) => `${classNames[labels[imageOf(i)]]}/${String(i).padStart(6, '0')}.${extension}`,
  );
  await Promise.all(classNames.map((name) => mkdir(join(root, name), { recursive: true })));
  await forEachConcurrent(samples, 16, (i) => link(sourceFile(imageOf(i)), join(root, ...paths[i].split('/'))));

  let report = largeReport(
    root,
    paths,
    paths.map((p) => p.slice(0, p.indexOf('/'))),
    classNames,
    suspects,
  );
  if (health) {
    // The report lists samples most suspect first; the file name keeps the sample's number.
    const imageAt = Int32Array.from(report.samples, (s) =>
      imageOf(Number(s.path.slice(s.path.lastIndexOf('/') + 1, s.path.lastIndexOf('.')))),
    );
    const dataset: Dataset = {
      root,
      format: 'folder',
      classes: classNames,
      samples: report.samples.map((s) => ({ path: s.path, label: s.givenLabel, sourceIndex: -1 })),
      issues: [],
      source: { format: 'folder' },
    };
    report = { ...report, health: await largeHealth(dataset, images, imageAt) };
  }
  await writeReport(report, reportPath(root));
  await writeFile(marker, key);
  return report;
}

/** A 28×28 digit as is (grayscale PNG), or as a `side`-pixel photo tinted with its class's colour (JPEG). */
async function writeSource(file: string, pixels: Uint8Array, classId: number, side: number): Promise<void> {
  if (side === SOURCE_SIZE) return writePng(file, pixels);
  const hue = (classId * 36 * Math.PI) / 180;
  const tint = {
    r: 128 + Math.round(127 * Math.cos(hue)),
    g: 128 + Math.round(127 * Math.cos(hue - 2.1)),
    b: 128 + Math.round(127 * Math.cos(hue + 2.1)),
  };
  return writePhoto(file, pixels, { width: side, height: side, tint });
}

/**
 * The report: every `samples / suspects`-th sample is flagged with another digit as the suggestion,
 * the rest are confidently right; figures vary so that sorting and score filters have work to do.
 */
function largeReport(
  root: string,
  paths: readonly string[],
  pathLabels: readonly string[],
  classes: readonly string[],
  suspects: number,
): AuditReport {
  const classId = new Map(classes.map((c, i) => [c, i]));
  const dataset: Dataset = {
    root,
    format: 'folder',
    classes,
    samples: paths.map((path, i) => ({ path, label: pathLabels[i], sourceIndex: -1 })),
    issues: [],
    source: { format: 'folder' },
  };
  const k = classes.length;
  const swaps = new Float64Array(k * k);
  const every = suspects > 0 ? paths.length / suspects : Infinity;
  const verdicts: Verdict[] = dataset.samples.map((sample, index) => {
    const given = classId.get(sample.label) ?? 0;
    const jitter = ((index * 37) % 100) / 1000;
    const flagged = Math.floor(index % every) === 0 && Math.floor(index / every) < suspects;
    const other = (given + 1 + (index % (k - 1))) % k;
    swaps[given * k + (flagged ? other : given)]++;
    if (flagged)
      return verdict(
        index,
        given,
        other,
        0.9 + jitter / 2,
        0.1 - jitter / 2,
        0.7 + jitter * 2,
        0.6 + jitter * 2.5,
        true,
      );
    return verdict(index, given, other, 0.95 + jitter / 3, 0.85 + jitter, 0.05 + jitter / 2, -0.8 - jitter / 2, false);
  });
  verdicts.sort((a, b) => b.score - a.score);
  return reportOf(dataset, verdicts, swaps, undefined, trajectories(verdicts));
}

/** Epochs of the synthetic trajectories: a quick audit's 8. */
const EPOCHS = 8;

/**
 * ERM's margin over 8 epochs for every sample, as a quick audit records it: a flagged sample's
 * climbs from well below zero (memorized late), a clean one's is high from the second epoch on.
 */
function trajectories(verdicts: readonly Verdict[]): LearningDynamics {
  const n = verdicts.length;
  const dynamics = {
    epochs: EPOCHS,
    aum: new Float32Array(n),
    forgettingEvents: new Uint16Array(n),
    learnedAtEpoch: new Uint16Array(n),
    epochMargins: new Float32Array(n * EPOCHS),
  };
  for (const v of verdicts) {
    const wrong = v.flagged;
    let sum = 0;
    for (let e = 0; e < EPOCHS; e++) {
      const margin = wrong ? -6 + e * (1 + (v.index % 3) / 4) : 4 + e + (v.index % 5) / 2;
      dynamics.epochMargins[v.index * EPOCHS + e] = margin;
      sum += margin;
    }
    dynamics.aum[v.index] = sum / EPOCHS;
    dynamics.learnedAtEpoch[v.index] = wrong ? (v.index % 2 === 0 ? 0 : EPOCHS - 1) : 1;
    dynamics.forgettingEvents[v.index] = wrong ? v.index % 3 : 0;
  }
  return dynamics;
}

/** Which of the `distinct` real images sample `i` links to. */
export function distinctImageOf(i: number, distinct: number): number {
  return mix(i) % distinct;
}

/** A well-mixed 32-bit hash of an index (the finaliser of MurmurHash3). */
function mix(i: number): number {
  let h = i ^ (i >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
