import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { realImages, writeDataset } from '../../../helpers/realImages';

const meanInk = (pixels: Uint8Array): number => pixels.reduce((sum, v) => sum + v, 0) / pixels.length;

test('realImages gives the same balanced images for a seed and others for another seed', () => {
  const a = realImages(50, { seed: 7 });
  const b = realImages(50, { seed: 7 });
  assert.deepEqual(a, b);
  assert.deepEqual(
    a.labels,
    Array.from({ length: 50 }, (_, i) => i % 10),
  );
  assert.deepEqual(a.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const c = realImages(50, { seed: 8 });
  assert.deepEqual(c.labels, a.labels);
  assert.notDeepEqual(c.images, a.images);
  // No image is picked twice within one call.
  const distinct = new Set(realImages(500, { seed: 7 }).images.map((image) => Buffer.from(image).toString('base64')));
  assert.equal(distinct.size, 500);
});

test('realImages returns real digits: a blank top row, and a 1 has much less ink than a 0 or an 8', () => {
  const { images, labels } = realImages(300, { seed: 1 });
  const inkByClass = new Array<number>(10).fill(0);
  images.forEach((image, i) => {
    assert.equal(image.length, 784);
    inkByClass[labels[i]] += meanInk(image) / 30;
    // MNIST digits are centred in a 20×20 box: the top row is blank in all 10 000 of the package.
    assert.ok(
      image.subarray(0, 28).every((v) => v === 0),
      `image ${i} has ink in the top row`,
    );
  });
  assert.ok(inkByClass[1] < 0.6 * inkByClass[0], `ink of 1s ${inkByClass[1]} vs 0s ${inkByClass[0]}`);
  assert.ok(inkByClass[1] < 0.6 * inkByClass[8], `ink of 1s ${inkByClass[1]} vs 8s ${inkByClass[8]}`);
  assert.ok(Math.max(...images.map((image) => Math.max(...image))) === 255, 'pixels span up to 255');
});

test('realImages restricts to the given classes and can take every mnist digit, but not more', () => {
  const some = realImages(9, { seed: 2, classes: [7, 1] });
  assert.deepEqual(some.labels, [7, 1, 7, 1, 7, 1, 7, 1, 7]);
  assert.equal(realImages(10_000, { seed: 2 }).images.length, 10_000);
  assert.throws(() => realImages(10_001, { seed: 2 }), /count: 10001 is not an integer in 0..10000/);
  assert.throws(() => realImages(3, { classes: [10] }), /classes: mnist has no class 10/);
});

test('fashion images: trousers have less ink than pullovers, names follow the package order', () => {
  const { images, labels, classNames } = realImages(40, { source: 'fashion', seed: 1, classes: [1, 2] });
  assert.equal(classNames[1], 'trouser');
  assert.equal(classNames[2], 'pullover');
  const ink = (c: number) => images.filter((_, i) => labels[i] === c).reduce((s, image) => s + meanInk(image), 0) / 20;
  assert.ok(ink(1) < 0.8 * ink(2), `trouser ink ${ink(1)} vs pullover ${ink(2)}`);
});

test('writeDataset writes lossless grayscale PNGs in each layout', async () => {
  const root = await mkdtemp(join(tmpdir(), 'real-images-'));
  try {
    const { images, labels, classNames } = realImages(6, { seed: 4, classes: [3, 5] });
    const data = { images, labels: labels.map((l) => classNames[l]) };

    const folder = await writeDataset(join(root, 'folder'), data, 'folder');
    assert.deepEqual(folder, [
      '3/00000.png',
      '5/00001.png',
      '3/00002.png',
      '5/00003.png',
      '3/00004.png',
      '5/00005.png',
    ]);
    assert.deepEqual(await readdir(join(root, 'folder', '5')), ['00001.png', '00003.png', '00005.png']);
    const decoded = await sharp(join(root, 'folder', folder[1]))
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(decoded.info.channels, 1);
    assert.deepEqual(new Uint8Array(decoded.data), images[1]);
    assert.equal((await sharp(join(root, 'folder', folder[1])).metadata()).channels, 1);

    const csv = await writeDataset(join(root, 'csv'), data, 'csv');
    assert.equal(csv[0], 'images/00000.png');
    assert.equal(
      await readFile(join(root, 'csv', 'labels.csv'), 'utf8'),
      'path,label\n' + csv.map((p, i) => `${p},${data.labels[i]}\n`).join(''),
    );

    const json = await writeDataset(join(root, 'json'), data, 'json');
    const manifest: unknown = JSON.parse(await readFile(join(root, 'json', 'labels.json'), 'utf8'));
    assert.deepEqual(
      manifest,
      json.map((path, i) => ({ path, label: data.labels[i] })),
    );
    assert.equal((await readdir(join(root, 'json', 'images'))).length, 6);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
