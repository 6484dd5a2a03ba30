import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { loadDataset } from '../../../../src/core/data/dataset';
import { decodeImages } from '../../../../src/core/data/decode';
import { findDuplicates, type DuplicateFindings } from '../../../../src/core/detection/duplicates';
import { findNearPairs } from '../../../../src/core/detection/nearPairs';
import { hammingDistance, perceptualHashes, popCount } from '../../../../src/core/data/perceptualHash';
import { realImages, SOURCE_SIZE, writeDataset } from '../../../helpers/realImages';

// 40 real digits in class folders, plus copies made the ways duplicates arise in practice.
let root: string;
let findings: DuplicateFindings;
let paths: string[];
let labels: string[];

/** Writes image `index` of the fixture again, altered by `edit`, as `<label>/<name>`. */
async function writeAltered(
  index: number,
  label: string,
  name: string,
  edit: (image: sharp.Sharp) => sharp.Sharp,
): Promise<string> {
  const { images } = realImages(40, { seed: 8 });
  await mkdir(join(root, label), { recursive: true });
  await edit(sharp(images[index], { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 1 } })).toFile(
    join(root, label, name),
  );
  return `${label}/${name}`;
}

async function copyAs(from: string, label: string, name: string): Promise<string> {
  await mkdir(join(root, label), { recursive: true });
  await copyFile(join(root, from), join(root, label, name));
  return `${label}/${name}`;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'label-audit-dups-'));
  const data = realImages(40, { seed: 8 });
  labels = data.labels.map(String);
  paths = await writeDataset(root, { images: data.images, labels }, 'folder');
  const other = (i: number) => String((data.labels[i] + 1) % 10);
  await copyAs(paths[0], other(0), 'exact-copy.png'); // same bytes, another label: exact conflict
  await copyAs(paths[1], labels[1], 'same-label-copy.png'); // same bytes, same label: a plain duplicate
  // Re-encoded as JPEG, upscaled and darkened: a near copy under another label.
  await writeAltered(2, other(2), 'altered.jpg', (image) => image.resize(40, 40).linear(0.8, 0).jpeg({ quality: 85 }));
  // Slightly blurred and brightened PNG at the same size, same label: a plain near duplicate.
  await writeAltered(3, labels[3], 'blurred.png', (image) => image.blur(0.5).linear(1, 20).png());
  const dataset = await loadDataset(root);
  const decoded = await decodeImages(dataset, { size: 32 });
  findings = findDuplicates(
    decoded.images,
    decoded.kept.map((index) => dataset.samples[index]),
    decoded.contentOf,
  );
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('an exact copy under another label is an exact conflict; one under the same label is only counted', () => {
  const exact = findings.conflicts.filter((g) => g.kind === 'exact');
  assert.equal(exact.length, 1);
  assert.deepEqual(
    new Set(exact[0].members.map((m) => m.path)),
    new Set([paths[0], `${String((Number(labels[0]) + 1) % 10)}/exact-copy.png`]),
  );
  assert.deepEqual(
    new Set(exact[0].members.map((m) => m.label)),
    new Set([labels[0], String((Number(labels[0]) + 1) % 10)]),
  );
  assert.deepEqual(findings.summary.exact, { groups: 2, images: 4 });
});

test('a re-encoded, resized and darkened copy under another label is a near conflict; a blurred one with the same label is counted', () => {
  const near = findings.conflicts.filter((g) => g.kind === 'near');
  assert.equal(near.length, 1);
  const otherLabel = String((Number(labels[2]) + 1) % 10);
  assert.deepEqual(
    near[0].members,
    [
      { path: paths[2], label: labels[2] },
      { path: `${otherLabel}/altered.jpg`, label: otherLabel },
    ].sort((a, b) => (a.path < b.path ? -1 : 1)),
  );
  assert.deepEqual(findings.summary.near, { groups: 2, images: 4 });
  assert.deepEqual(findings.summary.conflicting, { groups: 2, images: 4 });
});

test('distinct digits, also of different classes, are in no group', () => {
  const grouped = new Set([...findings.conflicts].flatMap((g) => g.members.map((m) => m.path)));
  for (const path of paths.slice(4)) assert.ok(!grouped.has(path), `${path} is a distinct digit`);
  // 40 originals + 4 copies, and only the 4 originals that were copied have company.
  assert.equal(findings.summary.exact.images + findings.summary.near.images, 8);
});

test('perceptual hashes: identical images hash alike, brightness does not matter, distinct digits differ in many bits', () => {
  const { images } = realImages(3, { seed: 2, classes: [3, 8, 1] });
  const brighter = images[0].map((v) => Math.min(255, Math.round(v * 0.7 + 40)));
  const pixels = new Uint8Array(4 * 784);
  [images[0], brighter, images[1], images[2]].forEach((image, i) => pixels.set(image, i * 784));
  const hashes = perceptualHashes({ size: 28, channels: 1, pixels, count: 4 });
  assert.equal(hammingDistance(hashes, 0, 1), 0, 'a uniform brightness/contrast change keeps the hash');
  assert.ok(hammingDistance(hashes, 0, 2) > 12, `3 vs 8: ${hammingDistance(hashes, 0, 2)} bits`);
  assert.ok(hammingDistance(hashes, 0, 3) > 12, `3 vs 1: ${hammingDistance(hashes, 0, 3)} bits`);
  assert.deepEqual([0, 1, 0xffffffff, 0x80000001, 0x0f0f0f0f].map(popCount), [0, 1, 32, 2, 16]);
});

test('the multi-index search finds exactly the pairs a brute-force scan finds', () => {
  const { images } = realImages(600, { seed: 5 });
  const pixels = new Uint8Array(images.length * 784);
  images.forEach((image, i) => pixels.set(image, i * 784));
  const set = { size: 28, channels: 1 as const, pixels, count: images.length };
  const hashes = perceptualHashes(set);
  for (const maxDistance of [0, 4, 6, 9]) {
    // minCorrelation -1 accepts every hash match, so this checks the index alone.
    const found = findNearPairs(set, hashes, { maxDistance, minCorrelation: -1 })
      .map(([i, j]) => `${i},${j}`)
      .sort();
    const expected: string[] = [];
    for (let i = 0; i < images.length; i++)
      for (let j = i + 1; j < images.length; j++)
        if (hammingDistance(hashes, i, j) <= maxDistance) expected.push(`${i},${j}`);
    assert.deepEqual(found, expected.sort(), `maxDistance ${maxDistance}`);
    if (maxDistance === 6) assert.ok(expected.length > 0, 'the scan has pairs to find');
  }
  assert.throws(() => findNearPairs(set, hashes, { maxDistance: 12, minCorrelation: 0.9 }), /maxDistance/);
});
