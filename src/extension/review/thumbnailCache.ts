/**
 * Small thumbnails of a dataset's images for the review grid, made on demand and kept on disk under
 * `<dataset>/.label-audit/thumbs/`. A grid of full-size photos makes the webview decode megapixels per
 * card, which is what makes a long list scroll at a few frames per second; a 128 px WebP decodes in a
 * fraction of a millisecond. Originals are only read. Free of `vscode`, so the browser harness serves
 * the grid through this very code.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../core/atomicWrite';
import { auditFolderProblem } from '../../core/auditFolder';
import { escapeProblem, resolveSample } from '../../core/data/containment';
import { AUDIT_DIR } from '../../core/report';

/** Longest side of a thumbnail in pixels: the grid shows 112 CSS px, a little more stays sharp on HiDPI. */
export const THUMBNAIL_SIZE = 128;
/** WebP quality of the thumbnails; part of the cache key with the size, so changing either makes new ones. */
const WEBP_QUALITY = 80;
/** Thumbnails made at once: sharp decodes on libuv's small thread pool, shared with the rest of the host. */
const CONCURRENCY = 3;
/** Formats every webview shows; an original of these that is no larger than a thumbnail is shown as is. */
const SHOWABLE = new Set(['png', 'jpeg', 'gif', 'webp']);

/** Thrown (rejected) for a thumbnail whose request was superseded before its turn came. */
export class ThumbnailSkipped extends Error {
  constructor(path: string) {
    super(`thumbnail of ${path} no longer wanted`);
    this.name = 'ThumbnailSkipped';
  }
}

/** One dataset's thumbnail cache. */
export class ThumbnailCache {
  /** Folder of the thumbnails (`<root>/.label-audit/thumbs`). */
  readonly folder: string;
  private readonly inFlight = new Map<string, { promise: Promise<string>; job: Job }>();
  private readonly queue: Queued[] = [];
  private running = 0;
  /** Why no thumbnail can be kept in {@link folder} (a link leading out of the dataset, read-only), checked once. */
  private folderProblem: Promise<string | undefined> | undefined;

  /** @param root - Absolute dataset root; sample paths are relative to it with '/' separators. */
  constructor(
    private readonly root: string,
    private readonly size = THUMBNAIL_SIZE,
  ) {
    this.folder = join(root, AUDIT_DIR, 'thumbs');
  }

  /**
   * The file to show for a sample in the grid: its cached thumbnail (made now if missing or stale),
   * or the original itself when that is already thumbnail-sized. The cache key is the path, size and
   * modification time of the original, so an edited image gets a new thumbnail, and the thumbnail's
   * size, format and quality, so a change of those is not served stale thumbnails.
   * @param signal - Aborting it before the work starts rejects with {@link ThumbnailSkipped} (a newer request replaced this one).
   * @returns An absolute file path.
   */
  async file(path: string, signal?: AbortSignal): Promise<string> {
    const resolution = await resolveSample(this.root, path);
    if ('escape' in resolution)
      throw new Error(`${escapeProblem(resolution.escape, this.root, 'no thumbnail is made for it')}`);
    if ('missing' in resolution)
      throw new Error(`ENOENT: "${path}" ${resolution.missing === 'folder' ? 'is a folder' : 'does not exist'}`);
    const original = resolution.file;
    // The thumbnails folder must really be inside the dataset: a `.label-audit` or `thumbs` that is a
    // link elsewhere would have thumbnails written (and served) outside it.
    this.folderProblem ??= auditFolderProblem(this.root, 'thumbs');
    const problem = await this.folderProblem;
    if (problem !== undefined) throw new Error(`no thumbnails are kept: ${problem}`);
    const info = await stat(original);
    const key = createHash('sha1')
      .update(`${path}\0${info.size}\0${info.mtimeMs}\0${this.size}\0webp\0${WEBP_QUALITY}`)
      .digest('hex');
    const thumbnail = join(this.folder, key.slice(0, 2), `${key}.webp`);
    if (await isFile(thumbnail)) return thumbnail;
    const pending = this.inFlight.get(key);
    if (pending) {
      // Asked again: the newer request decides whether it is still wanted.
      pending.job.signal = signal;
      return pending.promise;
    }
    const job: Job = { signal, run: () => this.make(original, thumbnail), skipped: () => new ThumbnailSkipped(path) };
    const promise = this.enqueue(job).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, { promise, job });
    return promise;
  }

  /** Decodes the original once; writes the thumbnail unless the original is small enough to show. */
  private async make(original: string, thumbnail: string): Promise<string> {
    const image = sharp(original, { failOn: 'error' });
    const { width = 0, height = 0, format = '' } = await image.metadata();
    if (width <= this.size && height <= this.size && SHOWABLE.has(format)) return original;
    // `rotate()` applies the EXIF orientation, so a portrait photo's thumbnail stands upright.
    const data = await image
      .rotate()
      .resize(this.size, this.size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: WEBP_QUALITY })
      .toBuffer();
    await writeFileAtomic(thumbnail, data);
    return thumbnail;
  }

  private enqueue(job: Job): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < CONCURRENCY && this.queue.length > 0) {
      const { job, resolve, reject } = this.queue.shift() as Queued;
      if (job.signal?.aborted) {
        reject(job.skipped());
        continue;
      }
      this.running++;
      job
        .run()
        .then(resolve, reject)
        .finally(() => {
          this.running--;
          this.next();
        });
    }
  }
}

/** A thumbnail to make. */
interface Job {
  /** Replaced when the same thumbnail is asked for again by a newer request. */
  signal: AbortSignal | undefined;
  run(): Promise<string>;
  skipped(): Error;
}

interface Queued {
  readonly job: Job;
  resolve(file: string): void;
  reject(error: unknown): void;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
