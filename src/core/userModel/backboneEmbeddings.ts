/**
 * Embeddings of the audited images from the user's backbone (`--backbone`): each image decoded again
 * at the network's input size, a chunk at a time so that 224² RGB pixels of a whole dataset never sit
 * in memory at once, run through the network in batches, and cached by file content and model.
 */
import { decodeImages } from '../data/decode';
import { throwIfAborted } from '../errors';
import type { Dataset } from '../shared/types';
import type { Backbone } from './backboneModel';
import { embeddingCacheFile, readEmbeddingCache, writeEmbeddingCache } from './embeddingCache';
import type { AlignedRows } from './userSignals';

/** Images decoded at once: 64 × 224² × 3 bytes is 9.6 MB. */
const DECODE_CHUNK = 64;
/** Images per forward pass: big enough for the kernels to be efficient, small for memory (32 × 224² × 3 floats is 19 MB). */
const BATCH = 32;

/** What {@link backboneEmbeddings} gives: the vectors, and what it took. */
export interface BackboneEmbeddings {
  /** Unit-length rows, aligned with the audited images; an image whose vector is all zeros is not covered. */
  readonly embeddings: AlignedRows;
  /** Distinct images taken from the cache, and run through the network. */
  readonly cacheHits: number;
  readonly computed: number;
  readonly seconds: number;
  /** Set when the cache could not be written; the embeddings are still complete. */
  readonly cacheProblem?: string;
}

/**
 * @param rows `dataset.samples` index of each audited image, in row order.
 * @param contentHashes SHA-256 of each audited image's file (row-aligned): images with the same bytes are embedded once.
 * @param options `cacheDir` enables the cache; `signal` stops between batches, writing no cache;
 *   `onProgress` gets the distinct images done so far and their total.
 */
export async function backboneEmbeddings(
  backbone: Backbone,
  dataset: Dataset,
  rows: readonly number[],
  contentHashes: readonly string[],
  options: {
    readonly cacheDir?: string;
    readonly maxMegapixels?: number;
    readonly signal?: AbortSignal;
    readonly onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<BackboneEmbeddings> {
  const started = performance.now();
  const { signal } = options;
  const cacheFile = options.cacheDir === undefined ? undefined : embeddingCacheFile(options.cacheDir, backbone.hash);
  const cached = cacheFile ? await readEmbeddingCache(cacheFile) : new Map<string, Float32Array>();
  const vectors = new Map<string, Float32Array>();
  // One row per distinct file content still to embed.
  const todo: number[] = [];
  for (let row = 0; row < rows.length; row++) {
    const hash = contentHashes[row];
    if (vectors.has(hash)) continue;
    const hit = cached.get(hash);
    if (hit) vectors.set(hash, hit);
    else {
      vectors.set(hash, new Float32Array(0));
      todo.push(row);
    }
  }
  const cacheHits = vectors.size - todo.length;
  options.onProgress?.(0, todo.length);
  for (let start = 0; start < todo.length; start += DECODE_CHUNK) {
    const chunk = todo.slice(start, start + DECODE_CHUNK);
    const decoded = await decodeImages(
      { ...dataset, samples: chunk.map((row) => dataset.samples[rows[row]]) },
      { size: backbone.inputSize, signal, ...(options.maxMegapixels ? { maxMegapixels: options.maxMegapixels } : {}) },
    );
    const { size, channels, pixels, count: contents } = decoded.images;
    const area = size * size * channels;
    // Rows of the chunk's decode are contents; two of its files share one only if they changed since.
    const vectorOf: Float32Array[] = [];
    for (let b = 0; b < contents; b += BATCH) {
      throwIfAborted(signal);
      const count = Math.min(BATCH, contents - b);
      const out = backbone.embed(pixels.subarray(b * area, (b + count) * area), count, channels);
      const width = out.length / count;
      for (let i = 0; i < count; i++) vectorOf.push(out.slice(i * width, (i + 1) * width));
    }
    decoded.kept.forEach((at, k) => vectors.set(contentHashes[chunk[at]], vectorOf[decoded.contentOf[k]]));
    options.onProgress?.(Math.min(start + DECODE_CHUNK, todo.length), todo.length);
  }
  throwIfAborted(signal);
  const embeddings = alignedUnitRows(rows.length, contentHashes, vectors);
  let cacheProblem: string | undefined;
  if (cacheFile && todo.length) {
    const complete = new Map([...vectors].filter(([, v]) => v.length === embeddings.width));
    await writeEmbeddingCache(cacheFile, complete).catch((error: unknown) => {
      cacheProblem = error instanceof Error ? error.message : String(error);
    });
  }
  return {
    embeddings,
    cacheHits,
    computed: todo.length,
    seconds: (performance.now() - started) / 1000,
    ...(cacheProblem ? { cacheProblem } : {}),
  };
}

/** Each row's vector scaled to unit length (so a dot product is the cosine), as AlignedRows. */
function alignedUnitRows(
  count: number,
  contentHashes: readonly string[],
  vectors: ReadonlyMap<string, Float32Array>,
): AlignedRows {
  let width = 0;
  for (const v of vectors.values()) width = Math.max(width, v.length);
  const values = new Float32Array(count * width);
  const covered = new Uint8Array(count);
  for (let row = 0; row < count; row++) {
    const vector = vectors.get(contentHashes[row])!;
    let norm = 0;
    for (const v of vector) norm += v * v;
    // An image that failed to decode again (changed since), or whose features are all zero, has no direction.
    if (vector.length !== width || !(norm > 0) || !Number.isFinite(norm)) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let c = 0; c < width; c++) values[row * width + c] = vector[c] * scale;
    covered[row] = 1;
  }
  let missing = 0;
  for (const c of covered) missing += 1 - c;
  return { values, width, covered, missing };
}
