import { PNG } from 'pngjs';

/**
 * Small PNGs decoded in JavaScript instead of by sharp (issue #15, decode speed).
 *
 * A sharp pipeline costs ~0.9 ms of fixed overhead per call whatever the image (measured on a
 * 28×28 PNG: 0.86 ms to decode it to raw pixels, 1.2 ms with the resize; 2026-12-02), which at
 * 10 000 MNIST-sized files is the whole decode. pngjs reads such a file in ~33 µs. Only files whose
 * pixels sharp would return untouched are taken: 8-bit gray or RGB, not interlaced, no transparency,
 * no palette, no colour profile (sharp converts an embedded ICC profile to sRGB) and no EXIF
 * (sharp applies its orientation). Everything else, and every file pngjs refuses (bad CRC, cut
 * short), goes to sharp as before, so sharp alone decides what is damaged. A hostile file cannot
 * inflate past its small declared size: pngjs stops a non-interlaced image's inflate there.
 */

/** Largest image (width × height) read here; above it sharp's per-call overhead no longer matters. */
export const SMALL_PNG_MAX_PIXELS = 128 * 128;

/** A small PNG's own pixels, channels last. */
export interface SmallImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly pixels: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const GRAY = 0;
const RGB = 2;

/**
 * Ancillary chunks that do not change the pixels sharp returns (checked by decoding files with and
 * without each of them through sharp, in smallImages.unit.test.ts); any other chunk sends the file to sharp.
 */
const HARMLESS_CHUNKS = new Set(['pHYs', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'gAMA', 'cHRM', 'sRGB']);
const REQUIRED_CHUNKS = new Set(['IHDR', 'IDAT', 'IEND']);

/**
 * The file's pixels when it is a small PNG of the kind described above, else undefined (the caller
 * then decodes it with sharp). Never throws.
 */
export function readSmallPng(bytes: Uint8Array): SmallImage | undefined {
  const header = plainHeader(bytes);
  if (!header || header.width * header.height > SMALL_PNG_MAX_PIXELS || !onlyHarmlessChunks(bytes)) return undefined;
  let rgba: Buffer;
  try {
    rgba = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { checkCRC: true }).data;
  } catch {
    return undefined;
  }
  const { width, height, channels } = header;
  const area = width * height;
  if (rgba.length !== area * 4) return undefined;
  const pixels = new Uint8Array(area * channels);
  for (let p = 0; p < area; p++) for (let c = 0; c < channels; c++) pixels[p * channels + c] = rgba[p * 4 + c];
  return { width, height, channels, pixels };
}

/** Size and channels from IHDR when the file is an 8-bit, non-interlaced gray or RGB PNG. */
function plainHeader(bytes: Uint8Array): { width: number; height: number; channels: 1 | 3 } | undefined {
  if (bytes.length < 33 || !SIGNATURE.equals(bytes.subarray(0, 8))) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || chunkType(bytes, 12) !== 'IHDR') return undefined;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const [depth, colorType, compression, filter, interlace] = bytes.subarray(24, 29);
  if (width === 0 || height === 0 || depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0)
    return undefined;
  if (colorType !== GRAY && colorType !== RGB) return undefined;
  return { width, height, channels: colorType === GRAY ? 1 : 3 };
}

/** True when every chunk up to IEND is a required or harmless one and lies inside the file. */
function onlyHarmlessChunks(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = chunkType(bytes, offset + 4);
    if (!REQUIRED_CHUNKS.has(type) && !HARMLESS_CHUNKS.has(type)) return false;
    offset += 12 + length;
    if (offset > bytes.length) return false;
    if (type === 'IEND') return true;
  }
  return false;
}

function chunkType(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}
