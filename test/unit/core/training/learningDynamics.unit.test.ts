import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DynamicsRecorder } from '../../../../src/core/training/learningDynamics';

/** Feeds `byEpoch[e][row]` (NaN = not visited that epoch) through the recorder in one batch per epoch. */
function record(byEpoch: number[][]) {
  const recorder = new DynamicsRecorder(byEpoch[0].length);
  const hits: number[] = [];
  for (const margins of byEpoch) {
    recorder.startEpoch();
    const rows = Int32Array.from(margins.flatMap((m, row) => (Number.isNaN(m) ? [] : [row])));
    hits.push(
      recorder.record(
        rows,
        0,
        Float32Array.from(rows, (row) => margins[row]),
      ),
    );
  }
  return { ...recorder.result(), hits };
}

test('the recorder turns margins into AUM, forgetting events and the learned epoch', () => {
  // Rows: learned at once; learned late; learned, forgotten twice, learned again; never learned.
  const d = record([
    [2, -1, 1, -3],
    [3, -2, -1, -2],
    [4, 1, 2, -1],
    [5, 2, -1, -2],
    [6, 3, 3, 0],
  ]);
  assert.equal(d.epochs, 5);
  assert.deepEqual(
    Array.from(d.aum),
    [4, 0.6, 0.8, -1.6].map((v) => Math.fround(v)),
  );
  assert.deepEqual(Array.from(d.forgettingEvents), [0, 0, 2, 0]);
  assert.deepEqual(Array.from(d.learnedAtEpoch), [1, 3, 5, 0], 'a margin of exactly 0 is not a hit');
  assert.deepEqual(d.hits, [2, 1, 3, 2, 3], 'hits per batch: the margins above 0');
  assert.deepEqual(Array.from(d.epochMargins.subarray(5, 10)), [-1, -2, 1, 2, 3], 'row-major: row 1 over the epochs');
});

test('a row not visited in an epoch keeps NaN there and its AUM averages the visits it had', () => {
  const d = record([
    [1, NaN],
    [NaN, -2],
    [3, -4],
  ]);
  assert.deepEqual(Array.from(d.aum), [2, -3]);
  assert.ok(Number.isNaN(d.epochMargins[1]) && Number.isNaN(d.epochMargins[3]), 'row 0 in epoch 2, row 1 in epoch 1');
  assert.deepEqual(Array.from(d.learnedAtEpoch), [1, 0]);
});

test('a row never visited has no AUM and was never learned', () => {
  const d = record([[1, NaN]]);
  assert.ok(Number.isNaN(d.aum[1]));
  assert.equal(d.learnedAtEpoch[1], 0);
});
