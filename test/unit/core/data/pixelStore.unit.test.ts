import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PixelStore } from '../../../../src/core/data/pixelStore';

// 1×1 images: each row is one gray value (or one RGB triple), so the packing is easy to read.
test('finish packs the rows in the order asked, in place, and drops the unused capacity', () => {
  const store = new PixelStore(6, 1);
  for (const value of [10, 20, 30, 40]) store.add(Uint8Array.of(value), 1);
  // Rows 0..3 become 2, 0, 3, 1: one cycle through all four.
  const images = store.finish([2, 0, 3, 1]);
  assert.deepEqual([images.count, images.channels, [...images.pixels]], [4, 1, [30, 10, 40, 20]]);
  assert.throws(() => new PixelStore(2, 1).finish([0]), /finish: 1 rows of 0/);
});

test('a full store is returned as it is; two cycles are each permuted', () => {
  const store = new PixelStore(4, 1);
  for (const value of [10, 20, 30, 40]) store.add(Uint8Array.of(value), 1);
  const images = store.finish([1, 0, 3, 2]);
  assert.deepEqual([...images.pixels], [20, 10, 40, 30]);
  assert.throws(() => store.add(Uint8Array.of(1), 1), /more than 4 images/);
});

test('a colour image widens the rows stored so far to RGB', () => {
  const store = new PixelStore(5, 1);
  store.add(Uint8Array.of(7), 1);
  store.add(Uint8Array.of(9, 9, 9), 3); // gray given as RGB: stays 1 channel
  store.add(Uint8Array.of(1, 2, 3), 3);
  const images = store.finish([0, 1, 2]);
  assert.deepEqual([images.channels, [...images.pixels]], [3, [7, 7, 7, 9, 9, 9, 1, 2, 3]]);
});
