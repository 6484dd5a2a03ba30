import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { findDuplicates } from '../../../../src/core/detection/duplicates';
import { addEmbeddingDuplicates, embeddingNearPairs } from '../../../../src/core/detection/embeddingDuplicates';
import { chooseBackend } from '../../../../src/engine/backend';
import { byContent } from '../../../helpers/contents';
import { realImages, SOURCE_SIZE } from '../../../helpers/realImages';
import { unitPixels } from '../../../helpers/standInEmbeddings';

// 300 real Fashion-MNIST images; image 0 gets a JPEG-recompressed (quality 90) copy under another label, image 1 a
// byte-identical copy under another label (an exact group the hash search finds), image 2 a copy
// under its own label. Embeddings: the pixels, mean-centred, unit length.
const COUNT = 300;
const RAW = { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 1 as const } };
let pixels: Uint8Array[];
let labels: string[];
let hashes: string[];

before(async () => {
  await chooseBackend('wasm');
  const real = realImages(COUNT, { source: 'fashion', seed: 23 });
  const recompress = async (image: Uint8Array) =>
    new Uint8Array(
      await sharp(await sharp(image, RAW).jpeg({ quality: 90 }).toBuffer())
        .greyscale()
        .raw()
        .toBuffer(),
    );
  const names = real.classNames;
  const other = (label: number) => names[(label + 1) % names.length];
  pixels = [...real.images, await recompress(real.images[0]), real.images[1], await recompress(real.images[2])];
  labels = [...real.labels.map((l) => names[l]), other(real.labels[0]), other(real.labels[1]), names[real.labels[2]]];
  hashes = pixels.map((_, i) => (i === COUNT + 1 ? 'h1' : `h${i}`));
});

function setup() {
  const flat = new Uint8Array(pixels.length * SOURCE_SIZE * SOURCE_SIZE);
  pixels.forEach((p, i) => flat.set(p, i * p.length));
  const images = { pixels: flat, count: pixels.length, size: SOURCE_SIZE, channels: 1 as const };
  const embeddings = {
    values: unitPixels(images),
    width: SOURCE_SIZE * SOURCE_SIZE,
    covered: new Uint8Array(pixels.length).fill(1),
  };
  const samples = pixels.map((_, i) => ({
    path: `img/${String(i).padStart(4, '0')}.png`,
    label: labels[i],
  }));
  return { embeddings, samples, ...byContent(images, hashes) };
}

test('a recompressed copy with another label becomes a conflict; the exact copy is not listed twice', () => {
  const { contents, contentOf, embeddings, samples } = setup();
  const byHash = findDuplicates(contents, samples, contentOf);
  const exact = byHash.conflicts.find((g) => g.kind === 'exact');
  assert.deepEqual(
    exact?.members.map((m) => m.path),
    [samples[1].path, samples[COUNT + 1].path],
  );
  const merged = addEmbeddingDuplicates(byHash, embeddings, samples);
  const summary = merged.summary.embeddings!;
  assert.equal(summary.minCosine, 0.99);
  assert.equal(summary.truncated, undefined);
  // The JPEG copies of images 0 and 2 (byte-identical files are one unit, so image 1's copy adds no pair).
  assert.ok(summary.groups >= 2, JSON.stringify(summary));
  const paths = (i: number) => samples[i].path;
  const jpegConflict = merged.conflicts.find((g) => g.members.some((m) => m.path === paths(COUNT)));
  assert.ok(jpegConflict, 'the recompressed copy with another label is a conflict');
  assert.ok(jpegConflict.members.some((m) => m.path === paths(0)));
  // The copy under its own label is a group, but no conflict.
  assert.ok(!merged.conflicts.some((g) => g.members.some((m) => m.path === paths(COUNT + 2))));
  // Every hash conflict is kept, none is repeated.
  assert.deepEqual(merged.conflicts.slice(0, byHash.conflicts.length), byHash.conflicts);
  assert.equal(merged.conflicts.length, byHash.conflicts.length + summary.added);
  assert.equal(
    merged.conflicts.filter((g) => g.members.some((m) => m.path === paths(COUNT + 1))).length,
    1,
    'the exact pair is listed once',
  );
});

test('uncovered images take no part; the pair limit stops a degenerate embedding; the threshold is checked', () => {
  const { contents, contentOf, embeddings, samples } = setup();
  const covered = new Uint8Array(pixels.length).fill(1);
  covered[COUNT] = 0;
  const merged = addEmbeddingDuplicates(
    { ...findDuplicates(contents, samples, contentOf), conflicts: [] },
    { ...embeddings, covered },
    samples,
  );
  assert.ok(!merged.conflicts.some((g) => g.members.some((m) => m.path === samples[COUNT].path)));
  // Every image on one point: 303·302/2 pairs, stopped at the limit.
  const same = { values: new Float32Array(pixels.length * 2).fill(Math.SQRT1_2), width: 2, covered };
  const rows = Int32Array.from(pixels.keys());
  const capped = embeddingNearPairs(same, rows, 0.99, 500);
  assert.deepEqual([capped.pairs.length, capped.truncated], [500, true]);
  assert.throws(() => embeddingNearPairs(same, rows, 0), /minCosine must be in \(0, 1\]/);
});
