import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadDataset } from '../../../../src/core/data/dataset';
import { decodeImages } from '../../../../src/core/data/decode';
import { PixelBudget } from '../../../../src/core/data/pixelBudget';
import { realImages, writePhoto } from '../../../helpers/realImages';

// Issue #11, item 9: large decodes in flight are bounded by pixels, not by the pool size.
test('the budget holds the pixels in flight to its limit; an image larger than it runs alone; order is kept', async () => {
  const budget = new PixelBudget(100);
  let peak = 0;
  const started: number[] = [];
  const sizes = [60, 30, 30, 150, 10, 10, 10, 90];
  await Promise.all(
    sizes.map((pixels, i) =>
      budget.run(pixels, async () => {
        started.push(i);
        peak = Math.max(peak, budget.taken);
        assert.ok(budget.taken <= 100 || budget.taken === pixels, `${budget.taken} in flight with ${pixels}`);
        await sleep(5);
      }),
    ),
  );
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7], 'first come, first served');
  assert.equal(peak, 150);
  assert.equal(budget.taken, 0);
});

test('decoding real large photos under a small budget gives the same pixels as without one', async () => {
  const root = await mkdtemp(join(tmpdir(), 'label-audit-budget-'));
  try {
    const digits = realImages(12, { seed: 8, classes: [0, 1] });
    for (let i = 0; i < 12; i++) {
      await writePhoto(join(root, digits.classNames[digits.labels[i]], `${i}.jpg`), digits.images[i], {
        width: 1600,
        height: 1200,
        tint: { r: 250, g: 120, b: 30 },
      });
    }
    const dataset = await loadDataset(root);
    // 1.92 MP each: a 2 MP budget decodes them one at a time, though 8 are asked for at once.
    const tight = await decodeImages(dataset, { size: 32, concurrency: 8, budgetMegapixels: 2 });
    const loose = await decodeImages(dataset, { size: 32, concurrency: 8, budgetMegapixels: 1000 });
    assert.equal(tight.kept.length, 12);
    assert.equal(tight.images.channels, 3);
    assert.deepEqual(tight.images.pixels, loose.images.pixels);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
