import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite';

/**
 * Decoded pixels cached on disk, so a second audit of an unchanged dataset decodes nothing.
 *
 * Entries are keyed by the SHA-256 of the image file's bytes: renaming or moving a file keeps its
 * entry, editing it misses. The decode settings (size, fit, background, library versions) are part
 * of the file's header and name; a cache made with other settings is ignored as stale.
 *
 * Layout — one file per input size, so that 60 000 images are not 60 000 tiny files:
 *   'LADECODE' | u32 format version | u32 n + n bytes of settings JSON | u32 entry count |
 *   entries: 32-byte hash | u8 channels | u32 width | u32 height | size·size·channels pixels |
 *   32-byte SHA-256 of everything before it.
 * The trailing digest catches truncated or damaged files; such a cache is ignored and rebuilt.
 */

/** What produced the pixels; a cache written with different settings is not used. */
export interface DecodeSettings {
  /** Side of the decoded square, in pixels. */
  readonly size: number;
  /** Everything else that changes the pixels, e.g. "fit=fill;background=black;vips=8.18.7". */
  readonly fingerprint: string;
}

/** One decoded image as cached. */
export interface CacheEntry {
  /** SHA-256 of the file's bytes, hex. */
  readonly hash: string;
  /** 1 when the image is gray (stored once per pixel), else 3 (RGB). */
  readonly channels: 1 | 3;
  /** Size of the original image, so a lowered megapixel limit still applies to cached images. */
  readonly width: number;
  readonly height: number;
  /** size·size·channels bytes. */
  readonly pixels: Uint8Array;
}

const MAGIC = Buffer.from('LADECODE', 'latin1');
const FORMAT_VERSION = 1;
const HASH_BYTES = 32;
const ENTRY_HEADER_BYTES = HASH_BYTES + 1 + 4 + 4;

/** The cache file for `settings.size` inside `cacheDir`. */
export function decodeCacheFile(cacheDir: string, settings: DecodeSettings): string {
  return join(cacheDir, `decoded-${settings.size}px.bin`);
}

/** SHA-256 of `bytes`, hex: the cache key of a file. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads the cache for `settings` from `cacheDir`. A missing, damaged or stale cache gives an empty
 * map, never an error: the cache is only ever a shortcut.
 *
 * @returns Entries by hash; their `pixels` are views into one buffer holding the whole file.
 */
export async function readDecodeCache(cacheDir: string, settings: DecodeSettings): Promise<Map<string, CacheEntry>> {
  const bytes = await readFile(decodeCacheFile(cacheDir, settings)).catch(() => undefined);
  if (!bytes) return new Map();
  try {
    return parseCache(bytes, settings);
  } catch {
    return new Map();
  }
}

/** Thrown inside {@link parseCache} for any inconsistency; caught there by the caller. */
class CacheInvalid extends Error {}

function parseCache(bytes: Buffer, settings: DecodeSettings): Map<string, CacheEntry> {
  const check = (ok: boolean): void => {
    if (!ok) throw new CacheInvalid();
  };
  check(bytes.length >= MAGIC.length + 12 + HASH_BYTES && bytes.subarray(0, MAGIC.length).equals(MAGIC));
  const bodyEnd = bytes.length - HASH_BYTES;
  check(createHash('sha256').update(bytes.subarray(0, bodyEnd)).digest().equals(bytes.subarray(bodyEnd)));
  let at = MAGIC.length;
  check(bytes.readUInt32LE(at) === FORMAT_VERSION);
  const settingsLength = bytes.readUInt32LE(at + 4);
  at += 8;
  check(at + settingsLength + 4 <= bodyEnd);
  check(bytes.toString('utf8', at, at + settingsLength) === settingsText(settings));
  at += settingsLength;
  const count = bytes.readUInt32LE(at);
  at += 4;
  const pixelsPerChannel = settings.size * settings.size;
  const entries = new Map<string, CacheEntry>();
  for (let i = 0; i < count; i++) {
    check(at + ENTRY_HEADER_BYTES <= bodyEnd);
    const hash = bytes.toString('hex', at, at + HASH_BYTES);
    const channels = bytes[at + HASH_BYTES];
    check(channels === 1 || channels === 3);
    const width = bytes.readUInt32LE(at + HASH_BYTES + 1);
    const height = bytes.readUInt32LE(at + HASH_BYTES + 5);
    at += ENTRY_HEADER_BYTES;
    const length = pixelsPerChannel * channels;
    check(at + length <= bodyEnd);
    entries.set(hash, { hash, channels: channels as 1 | 3, width, height, pixels: bytes.subarray(at, at + length) });
    at += length;
  }
  check(at === bodyEnd);
  return entries;
}

/**
 * Writes `entries` (deduplicated by hash) as the cache for `settings`, atomically: a reader sees the
 * old cache or the new one, never a half-written file.
 */
export async function writeDecodeCache(
  cacheDir: string,
  settings: DecodeSettings,
  entries: Iterable<CacheEntry>,
): Promise<void> {
  const unique = new Map<string, CacheEntry>();
  for (const entry of entries) {
    if (entry.pixels.length !== settings.size * settings.size * entry.channels) {
      throw new RangeError(
        `cache entry ${entry.hash}: ${entry.pixels.length} bytes for ${entry.channels} channels at ${settings.size}px`,
      );
    }
    if (!unique.has(entry.hash)) unique.set(entry.hash, entry);
  }
  const header = Buffer.from(settingsText(settings), 'utf8');
  let total = MAGIC.length + 8 + header.length + 4 + HASH_BYTES;
  for (const entry of unique.values()) total += ENTRY_HEADER_BYTES + entry.pixels.length;
  const bytes = Buffer.alloc(total);
  let at = MAGIC.copy(bytes, 0);
  at = bytes.writeUInt32LE(FORMAT_VERSION, at);
  at = bytes.writeUInt32LE(header.length, at);
  at += header.copy(bytes, at);
  at = bytes.writeUInt32LE(unique.size, at);
  for (const entry of unique.values()) {
    at += bytes.write(entry.hash, at, HASH_BYTES, 'hex');
    at = bytes.writeUInt8(entry.channels, at);
    at = bytes.writeUInt32LE(entry.width, at);
    at = bytes.writeUInt32LE(entry.height, at);
    bytes.set(entry.pixels, at);
    at += entry.pixels.length;
  }
  createHash('sha256').update(bytes.subarray(0, at)).digest().copy(bytes, at);
  await writeFileAtomic(decodeCacheFile(cacheDir, settings), bytes);
}

function settingsText(settings: DecodeSettings): string {
  return JSON.stringify({ size: settings.size, fingerprint: settings.fingerprint });
}
