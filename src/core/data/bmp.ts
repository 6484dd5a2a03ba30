/**
 * A small BMP reader. sharp's prebuilt libvips has no BMP loader (it would need ImageMagick), yet BMP
 * files turn up in older datasets; uncompressed BMP is simple enough to read here and hand to sharp
 * as raw RGB. Supported: 1/4/8-bit palette, 16/24/32-bit, BI_RGB and BI_BITFIELDS, bottom-up and
 * top-down. Not supported (reported as a decode failure): RLE compression and embedded JPEG/PNG.
 * An alpha channel is ignored: BMP writers rarely fill it in meaningfully.
 */

/** A BMP file this reader cannot decode; the message says why in plain words. */
export class BmpUnreadable extends Error {
  override readonly name = 'BmpUnreadable';
}

/** Raw 8-bit RGB pixels, row-major, top row first. */
export interface RawRgb {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

/** True when `bytes` start like a BMP file ('BM' plus room for the headers). */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

interface BmpHeader {
  readonly width: number;
  readonly height: number;
  readonly topDown: boolean;
  readonly bitsPerPixel: number;
  readonly compression: number;
  readonly dataOffset: number;
  readonly paletteOffset: number;
  readonly paletteEntrySize: 3 | 4;
  readonly paletteSize: number;
  readonly masks: readonly [number, number, number] | undefined;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

/** Width and height from the header, without reading the pixels. @throws BmpUnreadable. */
export function bmpDimensions(bytes: Uint8Array): { width: number; height: number } {
  const { width, height } = readHeader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width, height };
}

/** Decodes a BMP file to RGB. @throws BmpUnreadable with a short plain-words reason for unsupported or damaged files. */
export function decodeBmp(bytes: Uint8Array): RawRgb {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(buffer);
  const { width, height, bitsPerPixel } = header;
  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  if (header.dataOffset + stride * height > buffer.length) throw new BmpUnreadable('the BMP pixel data is cut short');
  const palette = readPalette(buffer, header);
  const masks = header.masks ?? defaultMasks(bitsPerPixel);
  const channels = masks ? masks.map(maskShape) : undefined;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = header.dataOffset + (header.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * 3;
      if (bitsPerPixel <= 8) {
        const bit = x * bitsPerPixel;
        const index = (buffer[row + (bit >> 3)] >> (8 - bitsPerPixel - (bit & 7))) & ((1 << bitsPerPixel) - 1);
        const color = palette[index];
        if (color === undefined)
          throw new BmpUnreadable(`the BMP uses colour ${index} outside its ${palette.length}-colour palette`);
        data[out] = color[0];
        data[out + 1] = color[1];
        data[out + 2] = color[2];
      } else if (bitsPerPixel === 24) {
        const at = row + x * 3;
        data[out] = buffer[at + 2];
        data[out + 1] = buffer[at + 1];
        data[out + 2] = buffer[at];
      } else if (channels) {
        const bytesPerPixel = bitsPerPixel / 8;
        const value = bytesPerPixel === 2 ? buffer.readUInt16LE(row + x * 2) : buffer.readUInt32LE(row + x * 4);
        for (let c = 0; c < 3; c++) {
          const { mask, shift, max } = channels[c];
          data[out + c] = max === 0 ? 0 : Math.round((((value & mask) >>> shift) * 255) / max);
        }
      }
    }
  }
  return { width, height, data };
}

function readHeader(buffer: Buffer): BmpHeader {
  if (buffer.length < 26) throw new BmpUnreadable('the BMP header is cut short');
  const dibSize = buffer.readUInt32LE(14);
  const core = dibSize === 12;
  if (!core && dibSize < 40) throw new BmpUnreadable(`unknown BMP header (size ${dibSize})`);
  if (buffer.length < 14 + dibSize) throw new BmpUnreadable('the BMP header is cut short');
  const width = core ? buffer.readUInt16LE(18) : buffer.readInt32LE(18);
  const rawHeight = core ? buffer.readInt16LE(20) : buffer.readInt32LE(22);
  const bitsPerPixel = buffer.readUInt16LE(core ? 24 : 28);
  const compression = core ? BI_RGB : buffer.readUInt32LE(30);
  if (width <= 0 || rawHeight === 0)
    throw new BmpUnreadable(`the BMP claims an impossible size (${width}×${rawHeight})`);
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel))
    throw new BmpUnreadable(`${bitsPerPixel}-bit BMP files are not supported`);
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new BmpUnreadable('compressed BMP files (RLE, JPEG or PNG inside) are not supported; convert it to PNG');
  }
  const bitfields = compression !== BI_RGB && (bitsPerPixel === 16 || bitsPerPixel === 32);
  if (bitfields && buffer.length < 66) throw new BmpUnreadable('the BMP header is cut short');
  const colorsUsed = core ? 0 : buffer.readUInt32LE(46);
  // BITFIELDS masks follow a 40-byte header and sit inside larger ones: at offset 54 either way.
  const masksSize = bitfields && dibSize === 40 ? (compression === BI_ALPHABITFIELDS ? 16 : 12) : 0;
  return {
    width,
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel,
    compression,
    dataOffset: buffer.readUInt32LE(10),
    paletteOffset: 14 + dibSize + masksSize,
    paletteEntrySize: core ? 3 : 4,
    paletteSize: bitsPerPixel <= 8 ? colorsUsed || 1 << bitsPerPixel : 0,
    masks: bitfields ? [buffer.readUInt32LE(54), buffer.readUInt32LE(58), buffer.readUInt32LE(62)] : undefined,
  };
}

/** Palette as [r, g, b] triples (stored as BGR or BGRx). */
function readPalette(buffer: Buffer, header: BmpHeader): [number, number, number][] {
  const palette: [number, number, number][] = [];
  for (let i = 0; i < header.paletteSize; i++) {
    const at = header.paletteOffset + i * header.paletteEntrySize;
    if (at + 3 > header.dataOffset || at + 3 > buffer.length) break;
    palette.push([buffer[at + 2], buffer[at + 1], buffer[at]]);
  }
  return palette;
}

function defaultMasks(bitsPerPixel: number): readonly [number, number, number] | undefined {
  if (bitsPerPixel === 16) return [0x7c00, 0x03e0, 0x001f];
  if (bitsPerPixel === 32) return [0xff0000, 0x00ff00, 0x0000ff];
  return undefined;
}

function maskShape(mask: number): { mask: number; shift: number; max: number } {
  if (mask === 0) return { mask, shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { mask, shift, max: mask >>> shift };
}
