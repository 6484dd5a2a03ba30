/**
 * A valid audit report for `sample-data/digits` without training anything: the dataset is loaded for
 * real, and the verdicts are what a good audit says, taken from the answer key (the 24 images put in
 * a wrong folder are flagged with their true digit as the suggestion, every other image is not).
 * The report goes through the real `buildReport`, so its shape is exactly the engine's. The flagged
 * samples' neighbours come from the real search (`src/core/detection/neighbours.ts`) over the images' own
 * pixels, scaled to unit length, standing in for a trained model's embeddings.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { estimateNoise } from '../../src/core/detection/confidentLearning';
import { loadDataset } from '../../src/core/data/dataset';
import { decodeImages } from '../../src/core/data/decode';
import type { Verdict } from '../../src/core/detection/flag';
import { neighboursOfSuspects } from '../../src/core/detection/neighbours';
import { DEFAULT_AUDIT_OPTIONS } from '../../src/core/options';
import { buildReport, type AuditReport } from '../../src/core/report';
import type { Dataset } from '../../src/core/shared/types';
import type { LearningDynamics } from '../../src/core/training/learningDynamics';
import { chooseBackend } from '../../src/engine/backend';
import { REPO, SAMPLE_DIGITS } from './repo';

export { SAMPLE_DIGITS };
const ANSWER_KEY = resolve(REPO, 'sample-data', 'digits-answer-key.csv');

/** The answer key: path → true label, for the images in a wrong folder. */
export function sampleAnswerKey(): Map<string, string> {
  const lines = readFileSync(ANSWER_KEY, 'utf8').trim().split(/\r?\n/).slice(1);
  return new Map(
    lines.map((line) => {
      const [path, , trueLabel] = line.split(',');
      return [path, trueLabel];
    }),
  );
}

/**
 * Builds the report of a perfect audit of the sample digits.
 * @param root - Where the dataset is (a copy in a temp folder, or the checked-in one).
 */
export async function sampleDigitsReport(root: string = SAMPLE_DIGITS): Promise<AuditReport> {
  const dataset = await loadDataset(root);
  const answers = sampleAnswerKey();
  const classId = (label: string) => dataset.classes.indexOf(label);
  const verdicts: Verdict[] = dataset.samples.map((sample, index) => {
    const given = classId(sample.label);
    const truth = answers.get(sample.path);
    // Spread the figures deterministically so the order and the filters have something to work on.
    const jitter = ((index * 37) % 100) / 1000;
    if (truth !== undefined) {
      const mixupSuggested = 0.7 + jitter * 2;
      const mixupGiven = 0.1 - jitter / 2;
      const margin = mixupSuggested - mixupGiven;
      return verdict(index, given, classId(truth), 0.9 + jitter / 2, mixupGiven, mixupSuggested, margin, true);
    }
    const runnerUp = (given + 1) % dataset.classes.length;
    const mixupGiven = 0.85 + jitter;
    const mixupSuggested = 0.05 + jitter / 2;
    return verdict(
      index,
      given,
      runnerUp,
      0.95 + jitter / 3,
      mixupGiven,
      mixupSuggested,
      mixupSuggested - mixupGiven,
      false,
    );
  });
  verdicts.sort((a, b) => b.score - a.score);
  // The class swaps the answer key describes, as confident learning would estimate them exactly; marked
  // 'in-sample' like every report of the default mixup method, which runs no cross-fitting.
  const k = dataset.classes.length;
  const swaps = new Float64Array(k * k);
  dataset.samples.forEach((sample) => {
    const truth = answers.get(sample.path) ?? sample.label;
    swaps[classId(sample.label) * k + classId(truth)]++;
  });
  return reportOf(dataset, verdicts, swaps, await pixelNeighbours(root, verdicts));
}

/**
 * The report of an audit that reached `verdicts` (sorted most suspect first) on every sample of
 * `dataset`, through the real `buildReport`.
 * @param swaps - k×k counts, row = given class, column = true class, for the noise matrix.
 * @param neighbours - The flagged samples' neighbours, when the report should carry them.
 * @param dynamics - ERM's trajectory of every sample (rows in dataset order), when the report should carry it.
 */
export function reportOf(
  dataset: Dataset,
  verdicts: Verdict[],
  swaps: Float64Array,
  neighbours?: ReturnType<typeof neighboursOfSuspects>,
  dynamics?: LearningDynamics,
): AuditReport {
  const k = dataset.classes.length;
  const noise = {
    ...estimateNoise(
      Int32Array.from(dataset.samples, (s) => dataset.classes.indexOf(s.label)),
      swaps,
      k,
    ),
    source: 'in-sample' as const,
  };
  const summary = {
    epochs: 8,
    sampleSteps: 3200,
    seconds: 3,
    samplesPerSecond: 1000,
    fitsGivenLabels: 0.97,
    epochSummaries: [],
  };
  return buildReport(
    dataset,
    dataset.samples.map((_, i) => i),
    {
      verdicts,
      noise,
      erm: summary,
      mixup: summary,
      ermProbabilities: new Float32Array(0),
      mixupProbabilities: new Float32Array(0),
      scoringSeconds: 0.1,
      ...(neighbours ? { neighbours } : {}),
      ...(dynamics ? { dynamics } : {}),
    },
    { ...DEFAULT_AUDIT_OPTIONS, backend: 'wasm' },
    {
      timings: { load: 0.1, decode: 0.2, erm: 3, mixup: 3, score: 0.1, total: 6.4 },
      decode: { cacheHits: 0, decoded: dataset.samples.length },
      resources: { peakRssMb: 300 },
      skipped: dataset.issues,
      createdAt: new Date('2026-11-25T12:00:00Z'),
    },
  );
}

/** The flagged samples' neighbours by cosine distance between the decoded pixels. */
async function pixelNeighbours(
  root: string,
  verdicts: readonly Verdict[],
): Promise<ReturnType<typeof neighboursOfSuspects>> {
  const dataset = await loadDataset(root);
  const { images, kept } = await decodeImages(dataset, { size: 28 });
  if (kept.length !== dataset.samples.length || images.count !== kept.length || images.channels !== 1)
    throw new Error(`${root}: expected every sample to decode as a distinct grayscale image`);
  const dim = 28 * 28;
  const embeddings = new Float32Array(images.count * dim);
  for (let i = 0; i < images.count; i++) {
    const pixels = images.pixels.subarray(i * dim, (i + 1) * dim);
    const norm = Math.hypot(...pixels) || 1;
    for (let d = 0; d < dim; d++) embeddings[i * dim + d] = pixels[d] / norm;
  }
  const labels = Int32Array.from(dataset.samples, (s) => dataset.classes.indexOf(s.label));
  // The search multiplies matrices with tfjs, on the backend the engine would use.
  await chooseBackend('wasm');
  return neighboursOfSuspects(verdicts, labels, dataset.classes.length, embeddings, dim);
}

/** One sample's verdict with the given figures; its score follows from the margin as the judge's does. */
export function verdict(
  index: number,
  givenLabel: number,
  suggestedLabel: number,
  ermGiven: number,
  mixupGiven: number,
  mixupSuggested: number,
  margin: number,
  flagged: boolean,
): Verdict {
  return {
    index,
    givenLabel,
    suggestedLabel,
    ermGiven,
    mixupGiven,
    mixupSuggested,
    margin,
    score: (1 + margin) / 2,
    ermFits: ermGiven >= 0.5,
    mixupRejects: flagged,
    flagged,
  };
}
