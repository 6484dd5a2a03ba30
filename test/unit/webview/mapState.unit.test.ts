import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../../src/core/training/random';
import {
  boxRegion,
  fitViewport,
  insidePolygon,
  PointIndex,
  regionMask,
  toCanvas,
  toMap,
  zoomAbout,
} from '../../../webview/state/mapState';

/** Seeded points in [0, 1]², a few without a position (-1). */
function points(count: number): number[] {
  const random = new Random(11);
  return Array.from({ length: count }, (_, i) => (i % 97 === 0 ? [-1, -1] : [random.next(), random.next()])).flat();
}

test('a lasso selects by the even–odd rule, concave parts included; points without a position never', () => {
  // A "U": the notch between its arms is outside.
  const u = [0.1, 0.1, 0.9, 0.1, 0.9, 0.9, 0.7, 0.9, 0.7, 0.3, 0.3, 0.3, 0.3, 0.9, 0.1, 0.9];
  assert.equal(insidePolygon(0.2, 0.5, u), true, 'left arm');
  assert.equal(insidePolygon(0.5, 0.5, u), false, 'the notch');
  assert.equal(insidePolygon(0.5, 0.2, u), true, 'the base');
  const all = points(20_000);
  const mask = regionMask(all, u);
  for (let i = 0; i < all.length / 2; i++) {
    const expected = all[i * 2] >= 0 && insidePolygon(all[i * 2], all[i * 2 + 1], u);
    assert.equal(mask[i] === 1, expected, `point ${i}`);
  }
  // Area of the U: 0.8² − 0.4 × 0.6 = 0.4 of the square.
  const share = mask.reduce((sum, v) => sum + v, 0) / (all.length / 2);
  assert.ok(Math.abs(share - 0.4) < 0.02, `share ${share}`);
  assert.equal(
    regionMask(all, [0.1, 0.1, 0.5, 0.5]).reduce((s, v) => s + v, 0),
    0,
    'two points enclose nothing',
  );
  assert.equal(
    regionMask(all, boxRegion(0, 0, 1, 1)).reduce((s, v) => s + v, 0),
    20_000 - Math.ceil(20_000 / 97),
  );
});

test('the nearest point under the pointer is the brute-force nearest within the radius', () => {
  const all = points(5_000);
  const index = new PointIndex(all);
  const random = new Random(12);
  for (let probe = 0; probe < 500; probe++) {
    const [x, y, radius] = [random.next(), random.next(), 0.002 + random.next() * 0.02];
    let best = -1;
    let bestDistance = radius * radius;
    for (let i = 0; i < all.length / 2; i++) {
      if (all[i * 2] < 0) continue;
      const d = (all[i * 2] - x) ** 2 + (all[i * 2 + 1] - y) ** 2;
      if (d <= bestDistance) [best, bestDistance] = [i, d];
    }
    assert.equal(index.nearest(x, y, radius), best);
  }
});

test('zooming keeps the map point under the pointer where it is; the fitted view shows all of [0, 1]²', () => {
  const [width, height] = [800, 500];
  const fitted = fitViewport(width, height);
  const [left, top] = toCanvas(fitted, 0, 0, width, height);
  const [right, bottom] = toCanvas(fitted, 1, 1, width, height);
  assert.ok(left >= 0 && top >= 0 && right <= width && bottom <= height);
  const before = toMap(fitted, 123, 77, width, height);
  const zoomed = zoomAbout(fitted, 3, 123, 77, width, height);
  assert.equal(zoomed.scale, fitted.scale * 3);
  const after = toMap(zoomed, 123, 77, width, height);
  assert.ok(Math.abs(after[0] - before[0]) < 1e-12 && Math.abs(after[1] - before[1]) < 1e-12);
});
