import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SwapMatrixView } from '../../../src/protocol/webview';
import { DEFAULT_FILTERS } from '../../../webview/state/reviewState';
import { activeSwap, swapCells, swapTotal, toggleSwap } from '../../../webview/state/swapState';

const matrix: SwapMatrixView = {
  classes: ['cat', 'dog', 'fox'],
  counts: [
    [50, 4, 0],
    [2, 60, 1],
    [0, 0, 40],
  ],
  source: 'flagged',
};

test('heat is relative to the largest off-diagonal count; the diagonal is never hot or clickable', () => {
  const cells = swapCells(matrix);
  assert.deepEqual(
    cells.map((row) => row.map((c) => c.heat)),
    [
      [0, 1, 0],
      [0.5, 0, 0.25],
      [0, 0, 0],
    ],
  );
  assert.deepEqual(
    cells.map((row) => row.map((c) => c.clickable)),
    [
      [false, true, false],
      [true, false, true],
      [false, false, false],
    ],
  );
  assert.equal(cells[0][1].label, 'Given cat, suggested dog: 4 flagged');
  assert.equal(cells[1][1].label, 'dog kept as dog: 60 samples');
  assert.equal(
    swapCells({ ...matrix, source: 'noiseMatrix' })[1][0].label,
    'Given dog, estimated true cat: 2 estimated',
  );
  assert.equal(swapTotal(matrix), 7);
});

test('no swaps at all: every cell is cold and none is a button', () => {
  const clean = swapCells({
    ...matrix,
    counts: [
      [5, 0, 0],
      [0, 5, 0],
      [0, 0, 5],
    ],
  });
  assert.ok(clean.flat().every((c) => c.heat === 0 && !c.clickable));
});

test('a cell click sets both class filters; the same cell again clears them; another cell moves the filter', () => {
  const filtered = toggleSwap({ ...DEFAULT_FILTERS, minScore: 0.6 }, 'cat', 'dog');
  assert.deepEqual(activeSwap(filtered), { given: 'cat', suggested: 'dog' });
  assert.equal(filtered.minScore, 0.6, 'other filters stay');
  assert.deepEqual(activeSwap(toggleSwap(filtered, 'dog', 'fox')), { given: 'dog', suggested: 'fox' });
  const cleared = toggleSwap(filtered, 'cat', 'dog');
  assert.equal(activeSwap(cleared), null);
  assert.equal(cleared.given, null);
  assert.equal(activeSwap({ ...DEFAULT_FILTERS, given: 'cat' }), null, 'one class filter alone is not a swap');
});
