import type { ImageSet } from '../../src/core/shared/types';

/** Pixels as floats, mean-centred and scaled to unit length: a stand-in embedding. */
export function unitPixels(images: ImageSet): Float32Array {
  const d = images.size * images.size * images.channels;
  const mean = new Float64Array(d);
  for (let i = 0; i < images.count * d; i++) mean[i % d] += images.pixels[i] / images.count;
  const out = new Float32Array(images.count * d);
  for (let n = 0; n < images.count; n++) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = images.pixels[n * d + j] - mean[j];
      out[n * d + j] = v;
      norm += v * v;
    }
    const scale = 1 / Math.sqrt(norm || 1);
    for (let j = 0; j < d; j++) out[n * d + j] *= scale;
  }
  return out;
}
