import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadDataset } from '../../../../src/core/data/dataset';
import { decodeImages, fileHashes } from '../../../../src/core/data/decode';
import { AuditError } from '../../../../src/core/errors';
import type { Dataset, ImageSet } from '../../../../src/core/shared/types';
import { realImages, writePng } from '../../../helpers/realImages';
import { AUDIT_DIR } from '../../../../src/core/report';

const SIZE = 28;
const AREA = SIZE * SIZE;

let temp: string;
/** 12 real digits, as grayscale sharp inputs, and their labels. */
let digits: Uint8Array[];
let labels: string[];

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'label-audit-decode-'));
  const data = realImages(12, { seed: 3, classes: [0, 1, 2] });
  digits = data.images;
  labels = data.labels.map(String);
});

after(() => rm(temp, { recursive: true, force: true }));

/** A dataset over files already written below `root` (skipping loadDataset's checks on purpose). */
function datasetOf(root: string, paths: string[]): Dataset {
  const samples = paths.map((path, i) => ({ path, label: labels[i % labels.length], sourceIndex: i }));
  return {
    root,
    format: 'csv',
    classes: [...new Set(samples.map((s) => s.label))].sort(),
    samples,
    issues: [],
    source: { format: 'folder' },
  };
}

/** The gray digit as sharp input. */
function graySharp(pixels: Uint8Array): sharp.Sharp {
  return sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 1 } });
}

/** Image `row` of `images`, one channel (`channel`) of it. */
function channelOf(images: ImageSet, row: number, channel = 0): Uint8Array {
  const out = new Uint8Array(AREA);
  const base = row * AREA * images.channels;
  for (let p = 0; p < AREA; p++) out[p] = images.pixels[base + p * images.channels + channel];
  return out;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/**
 * A minimal BMP encoder (sharp cannot write BMP): 24-bit BGR or 8-bit with a gray palette,
 * bottom-up (the usual order) or top-down (negative height).
 */
function encodeBmp(gray: Uint8Array, bits: 8 | 24, topDown = false): Buffer {
  const stride = Math.ceil((SIZE * bits) / 32) * 4;
  const paletteBytes = bits === 8 ? 256 * 4 : 0;
  const dataOffset = 14 + 40 + paletteBytes;
  const file = Buffer.alloc(dataOffset + stride * SIZE);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(dataOffset, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(SIZE, 18);
  file.writeInt32LE(topDown ? -SIZE : SIZE, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(bits, 28);
  for (let i = 0; i < paletteBytes / 4; i++) file.fill(i, 54 + i * 4, 54 + i * 4 + 3);
  for (let y = 0; y < SIZE; y++) {
    const row = dataOffset + (topDown ? y : SIZE - 1 - y) * stride;
    for (let x = 0; x < SIZE; x++) {
      const value = gray[y * SIZE + x];
      if (bits === 8) file[row + x] = value;
      else file.fill(value, row + x * 3, row + x * 3 + 3);
    }
  }
  return file;
}

describe('decodeImages: formats', () => {
  let root: string;
  const files: { path: string; lossy: boolean }[] = [];

  before(async () => {
    root = join(temp, 'formats');
    // [file, lossy, writer]: digit i is written to file i.
    const writes: [string, boolean, (path: string, pixels: Uint8Array) => Promise<unknown>][] = [
      ['a.png', false, (path, p) => writePng(path, p)],
      ['a.jpg', true, (path, p) => graySharp(p).jpeg({ quality: 95 }).toFile(path)],
      ['a.webp', false, (path, p) => graySharp(p).webp({ lossless: true }).toFile(path)],
      ['a.gif', false, (path, p) => graySharp(p).toColourspace('b-w').gif().toFile(path)],
      // sharp's TIFF default is JPEG compression; LZW keeps it lossless.
      ['a.tiff', false, (path, p) => graySharp(p).toColourspace('b-w').tiff({ compression: 'lzw' }).toFile(path)],
      ['a.bmp', false, (path, p) => writeFile(path, encodeBmp(p, 24))],
      ['a8.bmp', false, (path, p) => writeFile(path, encodeBmp(p, 8, true))],
      // Upper-case extension: the content decides, not the name.
      ['b.JPEG', true, (path, p) => graySharp(p).jpeg({ quality: 95 }).toFile(path)],
    ];
    for (const [index, [path, lossy, write]] of writes.entries()) {
      await write(join(root, path), digits[index]);
      files.push({ path, lossy });
    }
  });

  it('decodes PNG, JPEG, WebP, GIF, TIFF and BMP to the same gray pixels', async () => {
    const progress: number[] = [];
    const result = await decodeImages(
      datasetOf(
        root,
        files.map((f) => f.path),
      ),
      { size: SIZE, onProgress: (done, total) => progress.push(done / total) },
    );
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.kept, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(result.cacheHits, 0);
    assert.deepEqual(progress.at(-1), 1);
    assert.equal(progress.length, files.length);
    const { images } = result;
    assert.deepEqual([images.size, images.channels, images.count, images.pixels.length], [SIZE, 1, 8, 8 * AREA]);
    for (const [row, file] of files.entries()) {
      const difference = meanAbsDiff(channelOf(images, row), digits[row]);
      if (file.lossy) assert.ok(difference < 3, `${file.path}: mean difference ${difference}`);
      else assert.equal(difference, 0, `${file.path} should decode exactly`);
    }
  });

  it('resizes to the requested size', async () => {
    const { images } = await decodeImages(datasetOf(root, ['a.png', 'a.bmp']), { size: 14 });
    assert.deepEqual([images.size, images.channels, images.count, images.pixels.length], [14, 1, 2, 2 * 196]);
    // Same digit drawn at half size: mean brightness is kept.
    const mean = (values: Uint8Array): number => values.reduce((sum, v) => sum + v, 0) / values.length;
    assert.ok(Math.abs(mean(images.pixels.subarray(0, 196)) - mean(digits[0])) < 4);
  });

  it('stores byte-identical files once: one row per content, each kept file pointing at its row', async () => {
    const copies = join(temp, 'copies');
    await writePng(join(copies, 'a.png'), digits[0]);
    await writePng(join(copies, 'b.png'), digits[1]);
    for (const name of ['a-copy.png', 'a-copy2.png']) await copyFile(join(copies, 'a.png'), join(copies, name));
    await writeFile(join(copies, 'broken.png'), 'not an image');
    // A colour content after the first gray ones: widening the store to RGB keeps them.
    const red = new Uint8Array(AREA * 3);
    for (let p = 0; p < AREA; p++) red[p * 3] = digits[2][p];
    await sharp(red, { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toFile(join(copies, 'red.png'));
    const dataset = datasetOf(copies, ['a-copy.png', 'b.png', 'broken.png', 'a.png', 'red.png', 'a-copy2.png']);
    const cacheDir = join(copies, AUDIT_DIR, 'cache');
    const result = await decodeImages(dataset, { size: SIZE, cacheDir });
    assert.deepEqual(result.kept, [0, 1, 3, 4, 5]);
    assert.deepEqual([...result.contentOf], [0, 1, 0, 2, 0]);
    assert.deepEqual([result.images.count, result.images.channels], [3, 3]);
    assert.deepEqual(channelOf(result.images, 0), digits[0]);
    assert.deepEqual(channelOf(result.images, 1), digits[1]);
    assert.deepEqual(channelOf(result.images, 2), digits[2]);
    assert.equal(new Set(result.contentHashes).size, 3);
    const [a, b, r] = result.contentHashes;
    assert.deepEqual(fileHashes(result), [a, b, a, r, a]);
    assert.deepEqual(result.dimensions, Array(3).fill({ width: SIZE, height: SIZE }));
    // The cache holds each content once and serves every copy.
    const again = await decodeImages(dataset, { size: SIZE, cacheDir });
    assert.equal(again.cacheHits, 5);
    assert.deepEqual(again.images, result.images);
    assert.deepEqual(again.contentOf, result.contentOf);
  });

  it('keeps 3 channels when one image is in colour, with gray images repeated across R, G, B', async () => {
    const colour = join(temp, 'colour');
    await writePng(join(colour, 'gray.png'), digits[0]);
    // The digit in red: R = digit, G = B = 0.
    const red = new Uint8Array(AREA * 3);
    for (let p = 0; p < AREA; p++) red[p * 3] = digits[1][p];
    await sharp(red, { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toFile(join(colour, 'red.png'));
    // White where the digit is not, fully transparent there: alpha is flattened onto black.
    const rgba = new Uint8Array(AREA * 4);
    for (let p = 0; p < AREA; p++) rgba.set([255, 255, 255, digits[2][p]], p * 4);
    await sharp(rgba, { raw: { width: SIZE, height: SIZE, channels: 4 } })
      .png()
      .toFile(join(colour, 'alpha.png'));
    const { images } = await decodeImages(datasetOf(colour, ['gray.png', 'red.png', 'alpha.png']), { size: SIZE });
    assert.equal(images.channels, 3);
    assert.equal(images.pixels.length, 3 * AREA * 3);
    for (const channel of [0, 1, 2]) assert.deepEqual(channelOf(images, 0, channel), digits[0]);
    assert.deepEqual(channelOf(images, 1, 0), digits[1]);
    assert.ok(channelOf(images, 1, 1).every((v) => v === 0));
    assert.ok(meanAbsDiff(channelOf(images, 2, 0), digits[2]) <= 1, 'white × alpha over black ≈ alpha');
  });
});

describe('decodeImages: bad files', () => {
  let root: string;
  const paths = [
    'ok-0.png',
    'truncated.png',
    'ok-1.png',
    'text.png',
    'empty.png',
    'rle.bmp',
    'huge.png',
    'ok-2.png',
    'gone.png',
  ];

  before(async () => {
    root = join(temp, 'bad');
    for (const [i, name] of ['ok-0.png', 'ok-1.png', 'ok-2.png'].entries()) await writePng(join(root, name), digits[i]);
    const png = await readFile(join(root, 'ok-0.png'));
    await writeFile(join(root, 'truncated.png'), png.subarray(0, png.length - 60));
    await writeFile(join(root, 'text.png'), 'path,label\nthis is a CSV file renamed to .png\n');
    await writeFile(join(root, 'empty.png'), '');
    const rle = encodeBmp(digits[0], 8);
    rle.writeUInt32LE(1, 30); // BI_RLE8
    await writeFile(join(root, 'rle.bmp'), rle);
    // 12 megapixels of black: quick to write, and over the 10-megapixel limit set below.
    await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#000' } })
      .png()
      .toFile(join(root, 'huge.png'));
  });

  it('skips each with a plain-words issue and keeps the rows aligned with `kept`', async () => {
    const result = await decodeImages(datasetOf(root, paths), { size: SIZE, maxMegapixels: 10 });
    assert.deepEqual(result.kept, [0, 2, 7]);
    assert.deepEqual(
      result.issues.map((issue) => [issue.file, issue.kind]),
      [
        ['truncated.png', 'decodeFailed'],
        ['text.png', 'notAnImage'],
        ['empty.png', 'notAnImage'],
        ['rle.bmp', 'decodeFailed'],
        ['huge.png', 'tooLarge'],
        ['gone.png', 'missingFile'],
      ],
    );
    const problem = Object.fromEntries(result.issues.map((issue) => [issue.file, issue.problem]));
    // libvips' own detail ("libpng read error") lives in a process-wide error buffer that concurrent
    // decodes can clear, so only our part of the message is certain.
    assert.match(problem['truncated.png'], /^the image data is damaged or cut short \(.+\)$/);
    assert.equal(problem['text.png'], 'not a PNG, JPEG, WebP, GIF, BMP or TIFF image');
    assert.equal(problem['empty.png'], 'the file is empty');
    assert.match(problem['rle.bmp'], /compressed BMP files .* not supported/);
    assert.match(problem['huge.png'], /4000×3000 pixels \(12\.0 megapixels\) is above the 10-megapixel limit/);
    assert.deepEqual([result.images.count, result.images.channels, result.images.pixels.length], [3, 1, 3 * AREA]);
    for (const [row, digit] of [digits[0], digits[1], digits[2]].entries())
      assert.deepEqual(channelOf(result.images, row), digit);
  });

  it('throws decodeFailed only when nothing decodes', async () => {
    const dataset = datasetOf(root, ['truncated.png', 'text.png']);
    const error = await decodeImages(dataset, { size: SIZE }).catch((caught: unknown) => caught);
    assert.ok(AuditError.is(error, 'decodeFailed'));
    assert.match(error.message, /None of the 2 images .* could be decoded \(truncated\.png: .*; text\.png: not a PNG/);
  });

  it('reports, but survives, a cache folder it cannot write', async () => {
    const result = await decodeImages(datasetOf(root, ['ok-0.png']), {
      size: SIZE,
      cacheDir: join(root, 'ok-0.png', 'cache'),
    });
    assert.equal(result.images.count, 1);
    assert.match(result.cacheProblem ?? '', /could not write the decode cache in .*ok-0\.png\/cache \(ENOTDIR\)/);
  });

  it('refuses an impossible size', async () => {
    const error = await decodeImages(datasetOf(root, ['ok-0.png']), { size: 0 }).catch((caught: unknown) => caught);
    assert.ok(AuditError.is(error, 'badOption'));
  });
});

describe('decodeImages: cache', () => {
  let root: string;
  let dataset: Dataset;
  let cacheDir: string;

  before(async () => {
    root = join(temp, 'cached');
    const data = realImages(12, { seed: 4, classes: [0, 1] });
    for (const [i, image] of data.images.entries())
      await writePng(join(root, String(data.labels[i]), `${i}.png`), image);
    dataset = await loadDataset(root);
    cacheDir = join(root, AUDIT_DIR, 'cache');
  });

  it('decodes nothing on a second run and returns identical pixels', async () => {
    await rm(cacheDir, { recursive: true, force: true });
    const first = await decodeImages(dataset, { size: SIZE, cacheDir });
    assert.equal(first.cacheHits, 0);
    assert.deepEqual(await readdir(cacheDir), ['decoded-28px.bin']);
    const second = await decodeImages(dataset, { size: SIZE, cacheDir });
    assert.equal(second.cacheHits, dataset.samples.length);
    assert.deepEqual(second.kept, first.kept);
    assert.deepEqual(second.images, first.images);
    // Another size is another cache file, cold at first.
    assert.equal((await decodeImages(dataset, { size: 16, cacheDir })).cacheHits, 0);
    assert.deepEqual((await readdir(cacheDir)).sort(), ['decoded-16px.bin', 'decoded-28px.bin']);
  });

  it('keys by content: a renamed file still hits, an edited one misses', async () => {
    const copy = join(temp, 'cached-edit');
    const paths = ['a/0.png', 'a/1.png', 'b/2.png', 'b/3.png'];
    for (const [i, path] of paths.entries()) await writePng(join(copy, path), digits[i]);
    const editCache = join(copy, AUDIT_DIR, 'cache');
    await decodeImages(datasetOf(copy, paths), { size: SIZE, cacheDir: editCache });
    await copyFile(join(copy, 'a/0.png'), join(copy, 'a/renamed.png'));
    await writePng(join(copy, 'b/2.png'), digits[5]);
    const changed = ['a/renamed.png', 'a/1.png', 'b/2.png', 'b/3.png'];
    const result = await decodeImages(datasetOf(copy, changed), { size: SIZE, cacheDir: editCache });
    assert.equal(result.cacheHits, 3);
    assert.deepEqual(channelOf(result.images, 0), digits[0]);
    assert.deepEqual(channelOf(result.images, 2), digits[5]);
  });

  it('ignores a damaged cache and rebuilds it', async () => {
    const first = await decodeImages(dataset, { size: SIZE, cacheDir });
    const file = join(cacheDir, 'decoded-28px.bin');
    const bytes = await readFile(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await writeFile(file, bytes);
    const damaged = await decodeImages(dataset, { size: SIZE, cacheDir });
    assert.equal(damaged.cacheHits, 0);
    assert.deepEqual(damaged.images, first.images);
    await writeFile(file, bytes.subarray(0, 100));
    assert.equal((await decodeImages(dataset, { size: SIZE, cacheDir })).cacheHits, 0);
    assert.equal((await decodeImages(dataset, { size: SIZE, cacheDir })).cacheHits, dataset.samples.length, 'rebuilt');
  });

  it('applies a lowered megapixel limit to cached images too', async () => {
    assert.equal((await decodeImages(dataset, { size: SIZE, cacheDir })).cacheHits, dataset.samples.length);
    const error = await decodeImages(dataset, { size: SIZE, cacheDir, maxMegapixels: 0.0005 }).catch(
      (caught: unknown) => caught,
    );
    assert.ok(AuditError.is(error, 'decodeFailed'), String(error));
    assert.match(error.message, /28×28 pixels \(0\.0 megapixels\) is above the 0\.0005-megapixel limit/);
  });

  it('rejects on abort and writes no cache', async () => {
    await rm(cacheDir, { recursive: true, force: true });
    const controller = new AbortController();
    const error = await decodeImages(dataset, {
      size: SIZE,
      cacheDir,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 3) controller.abort();
      },
    }).catch((caught: unknown) => caught);
    assert.ok(AuditError.is(error, 'cancelled'), String(error));
    assert.deepEqual(await readdir(join(root, AUDIT_DIR)).catch(() => []), []);
  });
});
