/**
 * Dataset-health checks on real images (docs/dataset-health.md): per-type recall on planted defects
 * and false-positive rate on clean MNIST / Fashion-MNIST, and what the checks cost.
 *
 *   npm run bench:health -- [--count 2000] [--planted 20] [--no-audit] [--backbone-outliers] [--cost 3000 --repeats 2 --source mnist] [--scale 10000,60000]
 *
 * - quality: `count` real images per source as PNG files, decoded as the audit decodes them; then the
 *   same set with `planted` images of each defect put in place of clean ones (test/helpers/plantedDefects.ts),
 *   and a tinted (colour) set with `planted` gray images in it.
 * - outliers (unless --no-audit): full audits (training included, in process) of 1 000 digits with
 *   `planted` Fashion-MNIST clothes among them, and of clean digits and clean clothes; with
 *   --backbone-outliers also with nsfwjs's MobileNetV2 as the user's backbone.
 * - --cost N [--source mnist|fashion]: the CLI audit of N real images with and without the checks, interleaved,
 *   `repeats` each, warm cache.
 * - --scale: assessHealth alone at those sizes, the embedding map's layout among it (digits repeated; embeddings projected from the
 *   pixels: the search time does not depend on what they show).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { decodeImages } from '../src/core/data/decode';
import { loadDataset } from '../src/core/data/dataset';
import { findDuplicates } from '../src/core/detection/duplicates';
import { assessHealth, reportHealth, type DatasetHealth } from '../src/core/health/healthReport';
import { reportJson } from '../src/core/reportFile';
import { QUALITY_TYPES, qualityScores, type QualityType } from '../src/core/health/imageQuality';
import { runAudit } from '../src/core/audit';
import { chooseBackend } from '../src/engine/backend';
import { Random } from '../src/core/training/random';
import { realImages, writePng, type ImageSource } from '../test/helpers/realImages';
import { PLANTED_DEFECTS, writePlanted, writeTinted, type PlantedDefect } from '../test/helpers/plantedDefects';
import { makeTempDir, removeTempDir } from '../test/helpers/tempDir';
import { writeMobileNetV2 } from '../test/helpers/backbones';
import { REPO } from '../test/helpers/repo';
import { flag, numberOption, stringOption } from './args';
import { pngDataset } from './pngDatasets';
import { median, medianAndRange } from './stats';

const count = numberOption('count', 2000);
const planted = numberOption('planted', 20);

interface Written {
  root: string;
  /** Path → the defect planted in it (absent: clean). */
  plantedAs: Map<string, string>;
}

/** Writes `images` as a folder-per-class dataset; `defectOf(i)` plants a defect in image i. */
async function writeSet(
  root: string,
  data: { images: Uint8Array[]; labels: string[] },
  defectOf: (i: number) => PlantedDefect | 'gray' | 'tint' | undefined,
): Promise<Written> {
  const plantedAs = new Map<string, string>();
  const tints = [
    { r: 255, g: 90, b: 60 },
    { r: 80, g: 200, b: 255 },
    { r: 250, g: 220, b: 40 },
  ];
  for (let i = 0; i < data.images.length; i++) {
    const path = `${data.labels[i]}/${String(i).padStart(5, '0')}.png`;
    const defect = defectOf(i);
    const file = join(root, path);
    if (defect === 'tint') await writeTinted(file, data.images[i], tints[i % tints.length]);
    else if (defect === 'gray' || defect === undefined) await writePng(file, data.images[i]);
    else await writePlanted(file, data.images[i], defect);
    if (defect && defect !== 'tint') plantedAs.set(path, defect === 'gray' ? 'grayscale' : defect);
  }
  return { root, plantedAs };
}

/** Decodes a written set as the audit does and runs the quality checks (no embeddings). */
async function qualityOf(root: string): Promise<{ health: DatasetHealth; paths: string[] }> {
  const dataset = await loadDataset(root);
  const decoded = await decodeImages(dataset, { size: 32 });
  const paths = decoded.kept.map((i) => dataset.samples[i].path);
  const duplicates = findDuplicates(
    decoded.images,
    decoded.kept.map((i) => dataset.samples[i]),
    decoded.contentOf,
  );
  const health = await assessHealth({
    dataset,
    kept: decoded.kept,
    qualityScores: qualityScores(decoded.images, decoded.dimensions, decoded.contentOf),
    imageSize: decoded.images.size,
    duplicateGroups: duplicates.groups,
  });
  return { health, paths };
}

/** Recall on the planted images of each type and false-positive rate on the others. */
function rates(
  flaggedOf: (type: string) => Set<string>,
  types: readonly string[],
  paths: string[],
  plantedAs: Map<string, string>,
): Record<string, { recall?: string; falsePositives: string }> {
  return Object.fromEntries(
    types.map((type) => {
      const flagged = flaggedOf(type);
      const mine = paths.filter((p) => plantedAs.get(p) === type);
      const clean = paths.filter((p) => !plantedAs.has(p));
      const found = mine.filter((p) => flagged.has(p)).length;
      const wrong = clean.filter((p) => flagged.has(p)).length;
      return [
        type,
        {
          ...(mine.length ? { recall: `${found}/${mine.length}` } : {}),
          falsePositives: `${wrong}/${clean.length} (${((100 * wrong) / clean.length).toFixed(2)}%)`,
        },
      ];
    }),
  );
}

function qualityFlagged(health: DatasetHealth, paths: string[]): (type: string) => Set<string> {
  return (type) => {
    const q = health.quality[type as QualityType];
    // A dataset property lists no image, but for the figures every image it fired on counts.
    const rows = q.flags.datasetProperty
      ? [...q.scores.keys()].filter((row) => q.scores[row] < q.flags.threshold)
      : [...q.flags.flagged];
    return new Set(rows.map((row) => paths[row]));
  };
}

async function qualityBench(source: ImageSource): Promise<void> {
  const data = realImages(count, { source, seed: 11 });
  const labels = data.labels.map((l) => data.classNames[l]);
  const plan = (i: number): PlantedDefect | undefined =>
    i % Math.floor(count / (planted * PLANTED_DEFECTS.length)) === 0
      ? PLANTED_DEFECTS[Math.floor(i / Math.floor(count / (planted * PLANTED_DEFECTS.length))) % PLANTED_DEFECTS.length]
      : undefined;
  const clean = await makeTempDir(`health-clean-${source}`);
  const dirty = await makeTempDir(`health-planted-${source}`);
  try {
    const cleanSet = await writeSet(clean, { images: data.images, labels }, () => undefined);
    const a = await qualityOf(cleanSet.root);
    console.log(`${source}: clean ${count} images, quality checks in ${a.health.seconds.toFixed(3)} s`);
    console.table(rates(qualityFlagged(a.health, a.paths), QUALITY_TYPES, a.paths, cleanSet.plantedAs));
    const dirtySet = await writeSet(dirty, { images: data.images, labels }, plan);
    const b = await qualityOf(dirtySet.root);
    console.log(`${source}: ${dirtySet.plantedAs.size} planted defects among ${count}`);
    console.table(rates(qualityFlagged(b.health, b.paths), QUALITY_TYPES, b.paths, dirtySet.plantedAs));
  } finally {
    await removeTempDir(clean);
    await removeTempDir(dirty);
  }
}

async function colourBench(): Promise<void> {
  const n = Math.min(count, 1000);
  const data = realImages(n, { source: 'fashion', seed: 12 });
  const labels = data.labels.map((l) => data.classNames[l]);
  const root = await makeTempDir('health-colour');
  try {
    const set = await writeSet(root, { images: data.images, labels }, (i) =>
      i % Math.floor(n / planted) === 0 ? 'gray' : 'tint',
    );
    const { health, paths } = await qualityOf(root);
    console.log(`tinted Fashion-MNIST (colour): ${n} images, ${set.plantedAs.size} gray planted`);
    console.table(rates(qualityFlagged(health, paths), QUALITY_TYPES, paths, set.plantedAs));
  } finally {
    await removeTempDir(root);
  }
}

/**
 * The layer of nsfwjs's MobileNetV2 read as the embedding with --backbone-outliers: the one bench:heads
 * found to carry the most class information on these images (docs/own-model.md).
 */
const BACKBONE_LAYER = 'block_13_expand_relu';

/**
 * Outliers from full audits: 1 000 digits with `planted` clothes among them, clean digits, clean
 * clothes; with --backbone-outliers each also with a real pretrained network's embeddings (the
 * user's own model, as `--backbone` gives them) next to the mixup model's.
 */
async function outlierBench(): Promise<void> {
  const backend = await chooseBackend('auto');
  const backbone = flag('backbone-outliers') ? await makeTempDir('health-backbone') : undefined;
  try {
    if (backbone) await writeMobileNetV2(backbone);
    await outlierAudits(backend.name, backbone);
  } finally {
    if (backbone) await removeTempDir(backbone);
  }
}

/** The audits of {@link outlierBench}, each also with the MobileNetV2 in `backbone` when given. */
async function outlierAudits(backendName: string, backbone: string | undefined): Promise<void> {
  const digits = realImages(1000, { source: 'mnist', seed: 13 });
  const clothes = realImages(planted, { source: 'fashion', seed: 14 });
  const cases: [string, Uint8Array[], string[], number][] = [
    [
      'digits + planted clothes',
      [...digits.images, ...clothes.images],
      [...digits.labels.map((l) => String(l)), ...clothes.labels.map((_, i) => String(i % 10))],
      planted,
    ],
    ['clean digits', digits.images, digits.labels.map(String), 0],
  ];
  const fashion = realImages(1000, { source: 'fashion', seed: 15 });
  cases.push(['clean clothes', fashion.images, fashion.labels.map((l) => fashion.classNames[l]), 0]);
  for (const [name, images, labels, outliers] of cases) {
    const root = await makeTempDir('health-outliers');
    try {
      const plantedAs = new Map<string, string>();
      for (let i = 0; i < images.length; i++) {
        const path = `${labels[i]}/${String(i).padStart(5, '0')}.png`;
        await writePng(join(root, path), images[i]);
        if (i >= images.length - outliers) plantedAs.set(path, 'outliers');
      }
      for (const ownModel of backbone ? [undefined, { backbone, backboneLayer: BACKBONE_LAYER }] : [undefined]) {
        const { report } = await runAudit(root, { backend: backendName, cache: false, ...(ownModel && { ownModel }) });
        const o = report.health!.outliers!;
        const flagged = new Set(o.flagged.map((at) => report.samples[at].path));
        const paths = report.samples.map((s) => s.path);
        console.log(
          `${name}, ${o.space} embeddings${ownModel ? ` (MobileNetV2 ${BACKBONE_LAYER})` : ''}: ${images.length} images, ` +
            `outlier threshold ${o.threshold} (distance ${o.distanceThreshold})`,
        );
        console.table(rates(() => flagged, ['outliers'], paths, plantedAs));
      }
    } finally {
      await removeTempDir(root);
    }
  }
}

/**
 * --cost N: whole CLI audits of N real images of `--source` (a folder-per-class PNG dataset under
 * bench-output/, written once) with and without the checks, `repeats` rounds, the sides taking turns
 * and the order reversed every other round, decode cache warm on both sides.
 */
async function costBench(n: number, repeats: number, source: ImageSource): Promise<void> {
  const root = await pngDataset(source, n);
  const cli = join(REPO, 'bin', 'label-audit.js');
  const inside: number[] = [];
  const run = (health: boolean) => {
    const started = performance.now();
    execFileSync(process.execPath, [cli, 'audit', root, '--quiet', '--json', ...(health ? [] : ['--no-health'])], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const seconds = (performance.now() - started) / 1000;
    // The checks' own wall time inside that audit (the image-quality pass aside, which runs with the
    // decode): immune to the load swings between two audits.
    if (health)
      inside.push(
        (
          JSON.parse(readFileSync(join(root, '.label-audit', 'report.json'), 'utf8')) as {
            health: { seconds: number };
          }
        ).health.seconds,
      );
    return seconds;
  };
  console.log(`cost at ${n} ${source} images, ${repeats}× interleaved, decode cache warm`);
  run(false); // warms the decode cache, so both sides read pixels from it
  const on: number[] = [];
  const off: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? [false, true] : [true, false];
    for (const health of order) (health ? on : off).push(run(health));
    console.log(
      `round ${r + 1}: off ${off.at(-1)!.toFixed(1)} s, on ${on.at(-1)!.toFixed(1)} s (load ${loadAverage()})`,
    );
  }
  console.log(
    `cost at ${n} ${source} images: median off ${medianAndRange(off, 1)} s, on ${medianAndRange(on, 1)} s, ` +
      `extra ${((100 * (median(on) - median(off))) / median(off)).toFixed(1)}%; the checks themselves took ${inside.map((t) => t.toFixed(2)).join(', ')} s ` +
      `(${((100 * median(inside)) / median(off)).toFixed(2)}% of the median audit); ${new Date().toISOString()}`,
  );
}

async function scaleBench(sizes: number[]): Promise<void> {
  await chooseBackend('auto');
  const base = realImages(2000, { source: 'mnist', seed: 17 });
  const random = new Random(3);
  const projection = Float32Array.from({ length: 784 * 64 }, () => random.normal());
  for (const n of sizes) {
    const size = 32;
    const pixels = new Uint8Array(n * size * size);
    const embeddings = new Float32Array(n * 64);
    for (let i = 0; i < n; i++) {
      const image = base.images[i % base.images.length];
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++)
          pixels[i * size * size + y * size + x] =
            image[Math.min(27, Math.floor((y * 28) / size)) * 28 + Math.min(27, Math.floor((x * 28) / size))];
      let norm = 0;
      for (let d = 0; d < 64; d++) {
        let v = random.normal() * 0.1;
        for (let p = 0; p < 784; p += 7) v += image[p] * projection[p * 64 + d];
        embeddings[i * 64 + d] = Math.max(0, v);
        norm += embeddings[i * 64 + d] ** 2;
      }
      for (let d = 0; d < 64; d++) embeddings[i * 64 + d] /= Math.sqrt(norm) || 1;
    }
    const samples = Array.from({ length: n }, (_, i) => ({
      path: `${i % 10}/${i}.png`,
      label: String(i % 10),
      sourceIndex: -1,
    }));
    const dataset = {
      root: '/',
      format: 'folder' as const,
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      samples,
      issues: [],
      source: { format: 'folder' as const },
    };
    const started = performance.now();
    const health = await assessHealth({
      dataset,
      kept: samples.map((_, i) => i),
      qualityScores: qualityScores(
        { size, channels: 1, pixels, count: n },
        samples.map(() => ({ width: 28, height: 28 })),
        Int32Array.from(samples, (_, i) => i),
      ),
      imageSize: size,
      duplicateGroups: [],
      embeddings: { space: 'mixup', values: embeddings, width: 64 },
    });
    const seconds = (performance.now() - started) / 1000;
    const section = reportHealth(
      health,
      Int32Array.from(samples, (_, i) => i),
    );
    // The report's own JSON writer, so the size is what report.json grows by.
    const bytes = reportJson({ health: section } as never).length;
    console.log(
      `assessHealth at ${n} images: ${seconds.toFixed(2)} s (reference ${health.outliers?.reference}; ` +
        `of it the embedding map's layout ${health.map?.seconds.toFixed(2)} s, ${health.map?.method} of ${health.map?.laidOut} images, ${health.map?.epochs} epochs); ` +
        `the health section adds ${(bytes / 1e6).toFixed(1)} MB to report.json; load ${loadAverage()}`,
    );
  }
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  console.log(`${new Date().toISOString()}, load average ${loadAverage()}`);
  const scale = stringOption('scale', '');
  if (scale) return scaleBench(scale.split(',').map(Number));
  const cost = numberOption('cost', 0);
  if (cost) {
    const source = stringOption('source', 'mnist');
    if (source !== 'mnist' && source !== 'fashion') throw new Error(`--source ${source}: must be mnist or fashion`);
    return costBench(cost, numberOption('repeats', 2), source);
  }
  for (const source of ['mnist', 'fashion'] as const) await qualityBench(source);
  await colourBench();
  if (!flag('no-audit')) await outlierBench();
}

void main();
