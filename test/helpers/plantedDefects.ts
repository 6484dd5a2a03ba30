import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { SOURCE_SIZE } from './realImages';

/** Image defects planted into real images, one per image-quality type that can be made from a 28×28 digit. */
export const PLANTED_DEFECTS = ['dark', 'light', 'blurry', 'lowInformation', 'oddAspectRatio', 'oddSize'] as const;
export type PlantedDefect = (typeof PLANTED_DEFECTS)[number];

/**
 * Writes a real 28×28 gray image with one defect as a PNG (creating folders):
 * - dark: every pixel × 0.2 (a badly under-exposed shot);
 * - light: washed out to near white (255 − (255 − v) × 0.03);
 * - blurry: Gaussian blur, σ = 2 px;
 * - lowInformation: a blank frame, one gray level (96 + the image's mean, so blanks differ);
 * - oddAspectRatio: the middle 6 rows only (28×6, ratio 0.21);
 * - oddSize: upscaled to 320×320 (11× the dataset's side).
 */
export async function writePlanted(path: string, pixels: Uint8Array, defect: PlantedDefect): Promise<void> {
  const raw = { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 1 as const } };
  const mapped = (f: (v: number) => number) => sharp(Uint8Array.from(pixels, f), raw);
  let image: sharp.Sharp;
  switch (defect) {
    case 'dark':
      image = mapped((v) => v * 0.2);
      break;
    case 'light':
      image = mapped((v) => 255 - (255 - v) * 0.03);
      break;
    case 'blurry':
      image = sharp(pixels, raw).blur(2);
      break;
    case 'lowInformation': {
      const mean = pixels.reduce((sum, v) => sum + v, 0) / pixels.length;
      image = mapped(() => 96 + Math.round(mean));
      break;
    }
    case 'oddAspectRatio':
      image = sharp(pixels, raw).extract({ left: 0, top: 11, width: SOURCE_SIZE, height: 6 });
      break;
    case 'oddSize':
      image = sharp(pixels, raw).resize(320, 320, { kernel: 'nearest' });
      break;
  }
  await mkdir(dirname(path), { recursive: true });
  await image.toColourspace('b-w').png().toFile(path);
}

/** Writes a real 28×28 gray image as an RGB PNG tinted by `tint` (white becomes the tint): a colour image. */
export async function writeTinted(
  path: string,
  pixels: Uint8Array,
  tint: { r: number; g: number; b: number },
): Promise<void> {
  const rgb = new Uint8Array(pixels.length * 3);
  pixels.forEach((v, i) => {
    rgb[3 * i] = 20 + (v * (tint.r - 20)) / 255;
    rgb[3 * i + 1] = 10 + (v * (tint.g - 10)) / 255;
    rgb[3 * i + 2] = 40 + (v * (tint.b - 40)) / 255;
  });
  await mkdir(dirname(path), { recursive: true });
  await sharp(rgb, { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 3 } })
    .png()
    .toFile(path);
}
