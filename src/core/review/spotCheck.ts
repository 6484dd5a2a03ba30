import { Random } from '../training/random';

/**
 * The random sample of a spot check: which of the images the audit did not flag a reviewer looks
 * at to estimate the errors it missed. Seeded, so the same report always gives the same images
 * (the check survives a reload) and a larger check starts with the images of a smaller one.
 *
 * @param unflagged - The unflagged samples, in the report's order.
 * @param seed - The order's seed (see {@link spotCheckSeed}).
 * @param size - How many to draw; fewer when there are fewer unflagged samples.
 * @returns `size` samples in random order: a partial Fisher–Yates shuffle, O(n) for the index only.
 */
export function spotCheckSample<S>(unflagged: readonly S[], seed: number, size: number): S[] {
  if (!Number.isInteger(size) || size < 0)
    throw new RangeError(`Expected size to be a non-negative integer, but got ${size}`);
  const random = new Random(seed);
  const order = Uint32Array.from({ length: unflagged.length }, (_, i) => i);
  const count = Math.min(size, order.length);
  for (let i = 0; i < count; i++) {
    const j = i + random.int(order.length - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from(order.subarray(0, count), (i) => unflagged[i]);
}

/**
 * A 32-bit seed from a report's identity (its creation time): stable while the report stands, new
 * with each audit, whose unflagged set is new too. FNV-1a, for a string hash without a dependency.
 */
export function spotCheckSeed(reportCreatedAt: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < reportCreatedAt.length; i++) {
    hash ^= reportCreatedAt.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
