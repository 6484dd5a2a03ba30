import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditUnits, expandAudit, pickRows, unitImages } from '../../../../src/core/training/auditUnits';
import type { ModelAudit } from '../../../../src/core/training/auditImages';

test('copies with one label are one unit; copies with another label, and files without copies, their own', () => {
  // Rows 0, 2, 3 are one content labelled 1, 1, 0; rows 1 and 4 have no copies.
  const copyGroupOf = Int32Array.from([0, -1, 0, 0, -1]);
  const labels = Int32Array.from([1, 2, 1, 0, 2]);
  const units = auditUnits(copyGroupOf, labels);
  assert.deepEqual([...units.rows], [0, 1, 3, 4]);
  assert.deepEqual([...units.unitOf], [0, 1, 0, 2, 3]);
  assert.equal(units.identity, false);
  assert.deepEqual([...pickRows(labels, 1, units.rows)], [1, 2, 0, 2]);
  // One row per content: rows 0, 2, 3 share content 0.
  const contents = { size: 1, channels: 1 as const, count: 3, pixels: Uint8Array.from([10, 20, 30]) };
  const contentOf = Int32Array.from([0, 1, 0, 0, 2]);
  assert.deepEqual([...unitImages(contents, contentOf, units).pixels], [10, 20, 10, 30]);
  assert.equal(auditUnits(Int32Array.from([-1, -1]), Int32Array.from([0, 0])).identity, true);
  assert.throws(() => auditUnits(new Int32Array(2), new Int32Array(3)), /copyGroupOf/);
});

test("every row gets its unit's verdict, in suspicion order; neighbour strips go to first rows only", () => {
  const units = auditUnits(Int32Array.from([0, -1, 0, 0, -1]), Int32Array.from([1, 2, 1, 0, 2]));
  const verdict = (index: number, score: number) => ({ index, score, flagged: score > 0.5 }) as never;
  const audit = {
    verdicts: [verdict(0, 0.9), verdict(2, 0.6), verdict(1, 0.2), verdict(3, 0.1)],
    ermProbabilities: Float32Array.from([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6]),
    mixupProbabilities: Float32Array.from([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6]),
    neighbours: new Map([
      [
        0,
        {
          given: { rows: Int32Array.from([3, 2]), distances: Float32Array.from([0.1, 0.2]) },
          suggested: { rows: new Int32Array(0), distances: new Float32Array(0) },
        },
      ],
    ]),
  } as unknown as ModelAudit;
  const rows = expandAudit(audit, units, 2);
  assert.deepEqual(
    rows.verdicts.map((v) => [v.index, v.score]),
    [
      [0, 0.9],
      [2, 0.9],
      [3, 0.6],
      [1, 0.2],
      [4, 0.1],
    ],
  );
  assert.deepEqual([...rows.ermProbabilities], [0.1, 0.9, 0.2, 0.8, 0.1, 0.9, 0.3, 0.7, 0.4, 0.6].map(Math.fround));
  assert.deepEqual([...rows.neighbours!.keys()], [0]);
  assert.deepEqual([...rows.neighbours!.get(0)!.given.rows], [4, 3], 'unit rows become their first rows');
});
