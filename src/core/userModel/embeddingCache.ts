import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite';

/**
 * A backbone's embeddings cached on disk, so a second audit with the same model runs no network.
 *
 * Keyed like the decode cache by the SHA-256 of each image file's bytes; one file per backbone,
 * named after the hash of its model files and settings (backboneModel.ts), so another model or layer
 * never reads these vectors. Layout, with the vectors 4-byte aligned so they are read in one copy:
 *   'LAEMBEDS' | u32 version | u32 dimensions | u32 count | u32 0 | count × 32-byte hash |
 *   count × dimensions float32 (little-endian) | 32-byte SHA-256 of everything before it.
 * A truncated, damaged or foreign file is ignored (and replaced), never an error.
 */

const MAGIC = Buffer.from('LAEMBEDS', 'latin1');
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 16;
const HASH_BYTES = 32;

/** The cache file of the backbone with `modelHash` inside `cacheDir`. */
export function embeddingCacheFile(cacheDir: string, modelHash: string): string {
  return join(cacheDir, `embeddings-${modelHash.slice(0, 16)}.bin`);
}

/** Cached vectors by content hash (hex); empty when there is no usable cache. */
export async function readEmbeddingCache(file: string): Promise<Map<string, Float32Array>> {
  const bytes = await readFile(file).catch(() => undefined);
  const entries = new Map<string, Float32Array>();
  if (!bytes || bytes.length < HEADER_BYTES + HASH_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    return entries;
  const body = bytes.subarray(0, bytes.length - HASH_BYTES);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(body.length))) return entries;
  const version = bytes.readUInt32LE(MAGIC.length);
  const dimensions = bytes.readUInt32LE(MAGIC.length + 4);
  const count = bytes.readUInt32LE(MAGIC.length + 8);
  const vectorsAt = HEADER_BYTES + count * HASH_BYTES;
  if (version !== VERSION || body.length !== vectorsAt + count * dimensions * 4) return entries;
  // One aligned copy of all the vectors; each entry is a view into it.
  const vectors = new Float32Array(bytes.buffer.slice(bytes.byteOffset + vectorsAt, bytes.byteOffset + body.length));
  for (let i = 0; i < count; i++) {
    const at = HEADER_BYTES + i * HASH_BYTES;
    entries.set(bytes.toString('hex', at, at + HASH_BYTES), vectors.subarray(i * dimensions, (i + 1) * dimensions));
  }
  return entries;
}

/** Writes `entries` (all of one width) to `file` atomically. */
export async function writeEmbeddingCache(file: string, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
  const count = entries.size;
  const dimensions = count ? entries.values().next().value!.length : 0;
  const vectorsAt = HEADER_BYTES + count * HASH_BYTES;
  const out = Buffer.alloc(vectorsAt + count * dimensions * 4 + HASH_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(VERSION, MAGIC.length);
  out.writeUInt32LE(dimensions, MAGIC.length + 4);
  out.writeUInt32LE(count, MAGIC.length + 8);
  let i = 0;
  for (const [hash, vector] of entries) {
    out.write(hash, HEADER_BYTES + i * HASH_BYTES, 'hex');
    Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(out, vectorsAt + i * dimensions * 4);
    i++;
  }
  const body = out.subarray(0, out.length - HASH_BYTES);
  createHash('sha256').update(body).digest().copy(out, body.length);
  await writeFileAtomic(file, out);
}
