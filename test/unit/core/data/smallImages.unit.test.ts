// The small-PNG path of the decode (smallPng.ts, mosaicResize.ts): it must give exactly the pixels
// sharp's own per-file pipeline gives, and hand every file it cannot vouch for to sharp.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { decodeImages } from '../../../../src/core/data/decode';
import { axisLayout, MosaicResizer, mosaicFits } from '../../../../src/core/data/mosaicResize';
import { readSmallPng, SMALL_PNG_MAX_PIXELS } from '../../../../src/core/data/smallPng';
import type { Dataset } from '../../../../src/core/shared/types';
import { forEachConcurrent, realImages, SOURCE_SIZE } from '../../../helpers/realImages';

let temp: string;
let digits: Uint8Array[];

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'label-audit-small-png-'));
  digits = realImages(300, { seed: 5 }).images;
});

after(() => rm(temp, { recursive: true, force: true }));

/** Digit `i` as a PNG of `width`×`height` (resized by sharp when not 28×28), gray or tinted RGB. */
async function digitPng(i: number, width: number, height: number, colour: boolean): Promise<Buffer> {
  const gray = digits[i % digits.length];
  const pixels = colour ? tinted(gray, i) : gray;
  return sharp(pixels, { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: colour ? 3 : 1 } })
    .resize(width, height, { fit: 'fill' })
    .toColourspace(colour ? 'srgb' : 'b-w')
    .png()
    .toBuffer();
}

/** A colour version of a gray digit: strokes tinted, the background a colour of its own. */
function tinted(gray: Uint8Array, seed: number): Uint8Array {
  const rgb = new Uint8Array(gray.length * 3);
  gray.forEach((v, p) => {
    rgb[p * 3] = v;
    rgb[p * 3 + 1] = (v * (seed % 7)) / 7;
    rgb[p * 3 + 2] = 255 - v / 2;
  });
  return rgb;
}

/** A dataset over `files` written to a fresh folder. */
async function datasetOf(name: string, files: Buffer[]): Promise<Dataset> {
  const root = join(temp, name);
  const samples = files.map((_, i) => ({
    path: `${String(i).padStart(4, '0')}.png`,
    label: String(i % 2),
    sourceIndex: i,
  }));
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  await forEachConcurrent(files.length, 8, (i) => writeFile(join(root, samples[i].path), files[i]));
  return { root, format: 'csv', classes: ['0', '1'], samples, issues: [], source: { format: 'folder' } };
}

/** Decodes `dataset` both ways and asserts the two results are the same to the byte. */
async function assertSameAsSharp(dataset: Dataset, size: number, what: string): Promise<void> {
  const fast = await decodeImages(dataset, { size });
  const slow = await decodeImages(dataset, { size, smallPngs: false });
  // libvips words the same damage differently from call to call ("libpng read error", "Unknown error").
  const verdicts = (issues: typeof fast.issues) => issues.map(({ file, kind }) => [file, kind]);
  assert.deepEqual(verdicts(fast.issues), verdicts(slow.issues), what);
  assert.deepEqual(fast.kept, slow.kept, what);
  assert.deepEqual([...fast.contentOf], [...slow.contentOf], what);
  assert.deepEqual(fast.dimensions, slow.dimensions, what);
  assert.equal(fast.images.channels, slow.images.channels, what);
  const differing = fast.images.pixels.reduce(
    (count, value, i) => count + (value !== slow.images.pixels[i] ? 1 : 0),
    0,
  );
  assert.equal(differing, 0, `${what}: ${differing} of ${slow.images.pixels.length} pixel values differ from sharp's`);
}

describe('small PNGs: the same pixels as sharp', () => {
  it('300 real digits at 32 px (one full mosaic of 256 cells and a partial one), to the byte', async () => {
    const files = await Promise.all(digits.map((_, i) => digitPng(i, SOURCE_SIZE, SOURCE_SIZE, false)));
    await assertSameAsSharp(await datasetOf('digits', files), 32, '28→32 gray');
  });

  // Shapes × output sizes: enlarging (bicubic), shrinking (lanczos3) by less and more than 2×,
  // odd and prime sides, non-square images, the size the image already has, and colour.
  const shapes: [number, number, boolean][] = [
    [28, 28, false],
    [28, 28, true],
    [32, 32, true],
    [40, 30, false],
    [17, 23, true],
    [64, 64, false],
    [100, 75, true],
    [128, 128, false],
    [13, 13, false],
  ];
  for (const [width, height, colour] of shapes) {
    it(`${width}×${height} ${colour ? 'RGB' : 'gray'} to 7, 12, 20, 28, 32, 48, 96 and 128 px`, async () => {
      const files = await Promise.all(Array.from({ length: 20 }, (_, i) => digitPng(i, width, height, colour)));
      const dataset = await datasetOf(`shape-${width}x${height}-${colour}`, files);
      for (const size of [7, 12, 20, 28, 32, 48, 96, 128]) {
        await assertSameAsSharp(dataset, size, `${width}×${height} ${colour ? 'RGB' : 'gray'} → ${size}`);
      }
    });
  }

  it('mixed shapes, copies and a damaged file in one dataset: the same outcome per file', async () => {
    const good = await Promise.all(
      Array.from({ length: 40 }, (_, i) => digitPng(i, 20 + (i % 4) * 9, 28, i % 3 === 0)),
    );
    const damaged = good[5].subarray(0, good[5].length - 30);
    const files = [...good, good[3], good[3], damaged, good[7]];
    const dataset = await datasetOf('mixed', files);
    await assertSameAsSharp(dataset, 32, 'mixed');
    const result = await decodeImages(dataset, { size: 32 });
    assert.deepEqual(
      result.issues.map((issue) => [issue.file, issue.kind]),
      [['0042.png', 'decodeFailed']],
    );
    assert.equal(result.images.count, 40, 'copies share one row');
  });
});

describe('MosaicResizer', () => {
  /** Resizes `count` digits of width×width to `size` through one resizer; returns it and the cells. */
  async function throughResizer(width: number, size: number, count: number) {
    const files = await Promise.all(Array.from({ length: count }, (_, i) => digitPng(i, width, width, false)));
    const resizer = new MosaicResizer(size, 'fill');
    const cells = Promise.all(files.map((file) => resizer.resize(readSmallPng(file)!)));
    await resizer.flush();
    const reference = await decodeImages(await datasetOf(`resizer-${width}-${size}`, files), {
      size,
      smallPngs: false,
    });
    return { resizer, cells: await cells, reference: reference.images.pixels };
  }

  it('resizes 300 digits 28→32 in mosaics, every cell equal to sharp resizing it alone', async () => {
    const { resizer, cells, reference } = await throughResizer(28, 32, 300);
    assert.deepEqual(await resizer.shapesResizedAlone(), [], 'the mosaic was used');
    assert.deepEqual(Buffer.concat(cells), Buffer.from(reference));
  });

  it('falls back to one call per image for a shape whose first mosaic differs (13×13 → 128)', async () => {
    const { resizer, cells, reference } = await throughResizer(13, 128, 12);
    assert.deepEqual(await resizer.shapesResizedAlone(), ['13x13x1']);
    assert.deepEqual(Buffer.concat(cells), Buffer.from(reference));
  });

  it('leaves the shapes measured to differ to sharp: one axis enlarged and one shrunk, shrinks of 3× and more', () => {
    assert.equal(mosaicFits(28, 28, 32), true);
    assert.equal(mosaicFits(28, 28, 10), true);
    assert.equal(mosaicFits(28, 32, 32), true);
    assert.equal(mosaicFits(40, 30, 32), false);
    assert.equal(mosaicFits(28, 28, 9), false);
  });
});

/** `png` with `chunk` (type + data, CRC computed) inserted right after IHDR. */
function withChunk(png: Buffer, type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([png.subarray(0, 33), length, body, crc, png.subarray(33)]);
}

describe('readSmallPng: what it reads and what it leaves to sharp', () => {
  let plain: Buffer;
  before(async () => {
    plain = await digitPng(0, SOURCE_SIZE, SOURCE_SIZE, false);
  });

  it('reads a plain 8-bit gray PNG to its own pixels', async () => {
    const image = readSmallPng(plain);
    assert.ok(image);
    assert.deepEqual([image.width, image.height, image.channels], [28, 28, 1]);
    const { data } = await sharp(plain).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual(Buffer.from(image.pixels), data);
  });

  const harmless: [string, Buffer][] = [
    ['gAMA', Buffer.from([0, 0, 0xb1, 0x8f])],
    ['sRGB', Buffer.from([0])],
    ['cHRM', Buffer.from(Uint32Array.from([31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000]).buffer).swap32()],
    ['tEXt', Buffer.from('Comment\0a scanned digit', 'latin1')],
    ['tIME', Buffer.from([0x07, 0xea, 12, 2, 23, 0, 0])],
  ];
  for (const [type, data] of harmless) {
    it(`reads past a ${type} chunk, which leaves sharp's pixels as they were`, async () => {
      const file = withChunk(plain, type, data);
      const [before, after] = await Promise.all([plain, file].map((png) => sharp(png).raw().toBuffer()));
      assert.deepEqual(after, before, `sharp changes the pixels for ${type}: it must not be in HARMLESS_CHUNKS`);
      assert.ok(readSmallPng(file), type);
    });
  }

  it('leaves to sharp: colour profiles, EXIF, transparency, palettes, 16 bits, interlacing, big images', async () => {
    const icc = await sharp(plain).withIccProfile('p3').png().toBuffer();
    const cases: [string, Buffer][] = [
      ['iCCP', icc],
      ['eXIf', withChunk(plain, 'eXIf', Buffer.from('MM\0*\0\0\0\x08\0\0', 'latin1'))],
      ['tRNS', withChunk(plain, 'tRNS', Buffer.from([0, 0]))],
      ['alpha', await sharp(plain).ensureAlpha(0.5).png().toBuffer()],
      ['palette', await sharp(plain).png({ palette: true }).toBuffer()],
      ['16-bit', await sharp(plain).toColourspace('grey16').png().toBuffer()],
      ['interlaced', await sharp(plain).png({ progressive: true }).toBuffer()],
      ['too big', await digitPng(0, 129, 128, false)],
      ['JPEG', await sharp(plain).jpeg().toBuffer()],
    ];
    assert.ok(129 * 128 > SMALL_PNG_MAX_PIXELS);
    for (const [what, file] of cases) assert.equal(readSmallPng(file), undefined, what);
  });

  it('leaves damaged files to sharp, which names the problem: a bad CRC, a cut-short file, a lying length', async () => {
    const badCrc = Buffer.from(plain);
    badCrc[badCrc.length - 13] ^= 0xff; // last byte of the IDAT CRC
    const cut = plain.subarray(0, plain.length - 20);
    const lying = Buffer.from(plain);
    lying.writeUInt32BE(1 << 30, 33); // the chunk after IHDR claims a gigabyte
    for (const [what, file] of [
      ['bad CRC', badCrc],
      ['cut short', cut],
      ['lying length', lying],
    ] as const)
      assert.equal(readSmallPng(file), undefined, what);
    assert.ok(readSmallPng(plain), 'the undamaged file is read');
  });
});

describe('axisLayout: cells whose sampling grid is the lone image shifted by whole pixels', () => {
  it('pitch and border are whole input pixels mapping to whole output pixels, beyond the kernel', () => {
    for (const length of [7, 17, 28, 40, 100, 128])
      for (const size of [7, 12, 20, 28, 32, 48, 96, 224]) {
        const { pitch, border, outPitch, outBorder } = axisLayout(length, size);
        assert.ok(Number.isInteger(outPitch) && Number.isInteger(outBorder), `${length}→${size}`);
        assert.equal(pitch, length + 2 * border);
        assert.ok(border >= 3 * Math.max(1, length / size) + 2, `${length}→${size}: border ${border}`);
      }
  });
});
