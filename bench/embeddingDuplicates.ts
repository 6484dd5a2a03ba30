// Near duplicates on the user's embeddings (--embeddings): precision and recall of the cosine
// threshold (src/core/detection/embeddingDuplicates.ts) on real images.
//
// 2 000 real Fashion-MNIST images; 200 of them get a near copy made the way copies arise in real
// data: downscaled and scaled back (28 → 20 → 28 px, Lanczos), JPEG-recompressed (quality 50), or
// both (56 px and back, then quality 75), with sharp. Embeddings: the pixels mean-centred and scaled
// to unit length (the stand-in of bench/ownModel.ts; a trained network's features behave
// differently, which this does not measure). A found pair (original, its copy) is a true positive;
// every other pair found is a false positive (Fashion-MNIST holds a few real near-identical images:
// they count against the threshold here).
//
// Usage: npm run bench:embedding-duplicates -- [--count 2000] [--copies 200] [--pool 1|2|4]
import { loadavg } from 'node:os';
import sharp from 'sharp';
import { embeddingNearPairs, DEFAULT_MIN_COSINE } from '../src/core/detection/embeddingDuplicates';
import { chooseBackend } from '../src/engine/backend';
import { realImages, releaseSource, SOURCE_SIZE } from '../test/helpers/realImages';
import { numberOption } from './args';
import { unitPixels } from './data';

const THRESHOLDS = [0.9, 0.95, 0.97, 0.98, 0.985, 0.99, 0.995];
type CopyKind = 'resize' | 'jpeg' | 'resize+jpeg';
const KINDS: readonly CopyKind[] = ['resize', 'jpeg', 'resize+jpeg'];

async function nearCopy(pixels: Uint8Array, kind: CopyKind): Promise<Uint8Array> {
  const raw = { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 1 as const } };
  const back = async (image: sharp.Sharp) =>
    new Uint8Array(await image.resize(SOURCE_SIZE, SOURCE_SIZE).greyscale().raw().toBuffer());
  switch (kind) {
    case 'resize':
      return back(sharp(await sharp(pixels, raw).resize(20, 20, { kernel: 'lanczos3' }).png().toBuffer()));
    case 'jpeg':
      return back(sharp(await sharp(pixels, raw).jpeg({ quality: 50 }).toBuffer()));
    case 'resize+jpeg':
      return back(sharp(await sharp(pixels, raw).resize(56, 56).jpeg({ quality: 75 }).toBuffer()));
  }
}

async function main(): Promise<void> {
  const count = numberOption('count', 2000);
  const copies = numberOption('copies', 200);
  const pool = numberOption('pool', 1);
  if (![1, 2, 4].includes(pool)) throw new Error('--pool must be 1, 2 or 4');
  const backend = await chooseBackend('auto');
  console.log(
    `backend: ${backend.reason}; ${new Date().toISOString()}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const { images } = realImages(count, { source: 'fashion', seed: 17 });
  releaseSource('fashion');
  // Copies of every (count / copies)-th image, the copy kinds in turn.
  const copyOf: number[] = [];
  const kindOf: CopyKind[] = [];
  const all = [...images];
  for (let c = 0; c < copies; c++) {
    const original = Math.floor((c * count) / copies);
    copyOf.push(original);
    kindOf.push(KINDS[c % KINDS.length]);
    all.push(await nearCopy(images[original], KINDS[c % KINDS.length]));
  }
  // --pool 2: average 2×2 blocks first (14×14), a stand-in a little less sensitive to fine detail.
  const size = SOURCE_SIZE / pool;
  const pixels = new Uint8Array(all.length * size * size);
  all.forEach((image, i) => pixels.set(averagePool(image, pool), i * size * size));
  const width = size * size;
  const values = unitPixels({ pixels, count: all.length, size, channels: 1 });
  const rows = Int32Array.from(all.keys());
  const started = performance.now();
  const { pairs } = embeddingNearPairs(
    { values, width, covered: new Uint8Array(all.length).fill(1) },
    rows,
    THRESHOLDS[0],
  );
  const seconds = (performance.now() - started) / 1000;
  const cosine = (a: number, b: number) => {
    let dot = 0;
    for (let j = 0; j < width; j++) dot += values[a * width + j] * values[b * width + j];
    return dot;
  };
  const truePair = new Map(copyOf.map((original, c) => [`${original},${count + c}`, kindOf[c]]));
  const found = pairs.map(([a, b]) => ({ cosine: cosine(a, b), kind: truePair.get(`${a},${b}`) }));
  console.log(
    `${all.length} embeddings (${count} distinct + ${copies} copies), ${width} dims; search ${seconds.toFixed(2)} s; ` +
      `${pairs.length} pairs ≥ ${THRESHOLDS[0]}\n`,
  );
  console.log(
    ['min cosine', 'found', 'TP', 'FP', 'precision', 'recall', ...KINDS.map((k) => `recall ${k}`)].join(' | '),
  );
  for (const threshold of THRESHOLDS) {
    const hits = found.filter((p) => p.cosine >= threshold);
    const tp = hits.filter((p) => p.kind !== undefined).length;
    const perKind = KINDS.map((kind) => {
      const total = kindOf.filter((k) => k === kind).length;
      return (hits.filter((p) => p.kind === kind).length / total).toFixed(3);
    });
    const mark = threshold === DEFAULT_MIN_COSINE ? ' (default)' : '';
    console.log(
      [
        `${threshold}${mark}`,
        hits.length,
        tp,
        hits.length - tp,
        hits.length ? (tp / hits.length).toFixed(3) : '-',
        (tp / copies).toFixed(3),
        ...perKind,
      ].join(' | '),
    );
  }
  const falsePositives = found.filter((p) => p.kind === undefined).sort((a, b) => b.cosine - a.cosine);
  console.log(`\nhighest cosine of a pair that is no planted copy: ${falsePositives[0]?.cosine.toFixed(4) ?? '-'}`);
  const planted = found.filter((p) => p.kind !== undefined).map((p) => p.cosine);
  console.log(`lowest cosine of a planted copy found ≥ ${THRESHOLDS[0]}: ${Math.min(...planted).toFixed(4)}`);
}

function averagePool(image: Uint8Array, pool: number): Uint8Array {
  const size = SOURCE_SIZE / pool;
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let dy = 0; dy < pool; dy++)
        for (let dx = 0; dx < pool; dx++) sum += image[(y * pool + dy) * SOURCE_SIZE + x * pool + dx];
      out[y * size + x] = Math.round(sum / (pool * pool));
    }
  return out;
}

void main();
