import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { sampleFileInside } from '../../../../src/core/data/containment';
import { THUMBNAIL_SIZE, ThumbnailCache, ThumbnailSkipped } from '../../../../src/extension/review/thumbnailCache';
import { ThumbnailRequests } from '../../../../src/extension/review/thumbnailRequests';
import { realImages, writePhoto, writePng } from '../../../helpers/realImages';
import { AUDIT_DIR } from '../../../../src/core/report';

let root: string;
const digits = realImages(4, { seed: 3 });

/** A real digit as a `width`×`height` orange photo. */
const writeOrange = (path: string, pixels: Uint8Array, width: number, height: number) =>
  writePhoto(path, pixels, { width, height, tint: { r: 255, g: 140, b: 30 } });

const sha1 = async (file: string) =>
  createHash('sha1')
    .update(await readFile(file))
    .digest('hex');

async function thumbFiles(cache: ThumbnailCache): Promise<string[]> {
  const entries = await readdir(cache.folder, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => e.endsWith('.webp'));
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'label-audit-thumbs-'));
  await writeOrange(join(root, 'wide.jpg'), digits.images[0], 2000, 1500);
  await writeOrange(join(root, 'b.jpg'), digits.images[1], 900, 900);
  await writeOrange(join(root, 'c.jpg'), digits.images[2], 900, 900);
  await writePng(join(root, 'small', 'digit.png'), digits.images[3]);
  await writeFile(join(root, 'broken.png'), 'this is not a PNG file');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('a large colour photo gets a small WebP thumbnail in .label-audit/thumbs, and the original is untouched', async () => {
  const cache = new ThumbnailCache(root);
  const before = await sha1(join(root, 'wide.jpg'));
  const file = await cache.file('wide.jpg');
  assert.ok(
    relative(join(root, AUDIT_DIR, 'thumbs'), file).split('/').length === 2,
    `${file} lies in the thumbs folder`,
  );
  const meta = await sharp(file).metadata();
  assert.equal(meta.format, 'webp');
  assert.deepEqual([meta.width, meta.height], [THUMBNAIL_SIZE, 96], 'longest side 128, aspect ratio kept');
  const { channels } = await sharp(file).stats();
  const [r, , b] = channels;
  assert.ok(r.mean > b.mean + 20, `the colour survives (mean red ${r.mean.toFixed(0)}, blue ${b.mean.toFixed(0)})`);
  assert.ok((await stat(file)).size < 8_000, `a few kB (${(await stat(file)).size} bytes)`);
  assert.equal(await sha1(join(root, 'wide.jpg')), before, 'the original is unchanged');

  const made = (await stat(file)).mtimeMs;
  const again = await new ThumbnailCache(root).file('wide.jpg');
  assert.equal(again, file, 'a new cache (a new session) finds the thumbnail on disk');
  assert.equal((await stat(file)).mtimeMs, made, 'and does not make it again');
});

test('an edited original gets a new thumbnail (path, size and time are the key)', async () => {
  const cache = new ThumbnailCache(root);
  const first = await cache.file('b.jpg');
  await writeOrange(join(root, 'b.jpg'), digits.images[2], 900, 900);
  const later = new Date(Date.now() + 5000);
  await utimes(join(root, 'b.jpg'), later, later);
  const second = await cache.file('b.jpg');
  assert.notEqual(second, first);
  assert.equal((await sharp(second).metadata()).width, THUMBNAIL_SIZE);
});

test('an image already as small as a thumbnail is shown as it is, nothing is written', async () => {
  const cache = new ThumbnailCache(root);
  const count = (await thumbFiles(cache)).length;
  assert.equal(await cache.file('small/digit.png'), join(root, 'small', 'digit.png'));
  assert.equal((await thumbFiles(cache)).length, count);
});

test('many requests for one image make it once', async () => {
  const cache = new ThumbnailCache(root);
  const count = (await thumbFiles(cache)).length;
  const files = await Promise.all(Array.from({ length: 12 }, () => cache.file('c.jpg')));
  assert.equal(new Set(files).size, 1);
  assert.equal((await thumbFiles(cache)).length, count + 1);
});

test('a request superseded before its turn makes nothing; a broken image is an error naming it', async () => {
  const fresh = await mkdtemp(join(tmpdir(), 'label-audit-thumbs-'));
  try {
    await writeOrange(join(fresh, 'a.jpg'), digits.images[0], 800, 600);
    const cache = new ThumbnailCache(fresh);
    const controller = new AbortController();
    const pending = cache.file('a.jpg', controller.signal);
    controller.abort();
    await assert.rejects(pending, ThumbnailSkipped);
    assert.deepEqual(await thumbFiles(cache), []);
    await assert.rejects(cache.file('missing.jpg'), /ENOENT.*missing\.jpg/);
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
  await assert.rejects(new ThumbnailCache(root).file('broken.png'), /unsupported image format|Input file/i);
});

test('requests answer in batches with URIs; a broken image falls back to the original and is logged', async () => {
  const batches: Record<string, string>[] = [];
  const log: string[] = [];
  const requests = new ThumbnailRequests(
    new ThumbnailCache(root),
    (file) => `uri:${relative(root, file)}`,
    async (path) => join(root, path),
    (batch) => batches.push(batch),
    (line) => log.push(line),
  );
  requests.request(['wide.jpg', 'small/digit.png', 'broken.png']);
  const deadline = Date.now() + 10_000;
  while (Object.keys(Object.assign({}, ...batches)).length < 3 && Date.now() < deadline)
    await new Promise((done) => setTimeout(done, 20));
  const answers: Record<string, string> = Object.assign({}, ...batches);
  assert.match(answers['wide.jpg'], /^uri:\.label-audit\/thumbs\/[0-9a-f]{2}\/[0-9a-f]{40}\.webp$/);
  assert.equal(answers['small/digit.png'], 'uri:small/digit.png');
  assert.equal(answers['broken.png'], 'uri:broken.png');
  assert.ok(batches.length < 3, `answers batched (${batches.length} messages)`);
  assert.equal(log.length, 1);
  assert.match(log[0], /^No thumbnail for broken\.png: /);
  requests.dispose();
});

test('a sample path leading outside the dataset folder (an edited report) is refused, nothing is read or written', async () => {
  const outside = await mkdtemp(join(tmpdir(), 'label-audit-outside-'));
  try {
    await writeOrange(join(outside, 'secret.jpg'), digits.images[0], 800, 600);
    const cache = new ThumbnailCache(root);
    const count = (await thumbFiles(cache)).length;
    const climb = relative(root, join(outside, 'secret.jpg')).split(sep).join('/');
    assert.ok(climb.startsWith('../'));
    await assert.rejects(cache.file(climb), /leads outside the dataset folder/);
    await assert.rejects(cache.file('small/../../x.png'), /leads outside the dataset folder/);
    assert.equal((await thumbFiles(cache)).length, count);
    assert.equal(await sampleFileInside(root, climb), undefined);
    assert.equal(await sampleFileInside(root, 'small/digit.png'), join(root, 'small', 'digit.png'));
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
});

test('a different thumbnail size is a different cache entry, not the stale thumbnail of the old size', async () => {
  const standard = await new ThumbnailCache(root).file('c.jpg');
  const larger = await new ThumbnailCache(root, 200).file('c.jpg');
  assert.notEqual(larger, standard);
  assert.equal((await sharp(larger).metadata()).width, 200);
  assert.equal((await sharp(await new ThumbnailCache(root).file('c.jpg')).metadata()).width, THUMBNAIL_SIZE);
});
