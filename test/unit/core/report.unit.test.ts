import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportJson } from '../../../src/core/report';
import { sampleDigitsReport } from '../../helpers/sampleReport';

test('the report JSON puts each array of numbers on one line and reads back unchanged, strings untouched', async () => {
  const report = await sampleDigitsReport();
  // A path that looks like a number array must stay as it is.
  const odd = { ...report, samples: report.samples.map((s, i) => (i === 0 ? { ...s, path: 'x[1,\t2].png' } : s)) };
  const text = reportJson(odd);
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(odd)));
  assert.ok(text.includes('"path": "x[1,\\t2].png"'));
  const flagged = odd.samples.find((s) => s.neighbours)!;
  assert.ok(text.includes(`"samples": [${flagged.neighbours!.given.samples.join(', ')}]`), 'positions on one line');
  assert.ok(text.includes(`"distances": [${flagged.neighbours!.given.distances.join(', ')}]`), 'distances on one line');
  assert.ok(text.includes(`[${odd.noiseMatrix.counts[0].join(', ')}]`), 'a noise-matrix row on one line');
  assert.match(text, /\n {2}"samples": \[\n {4}\{/, 'arrays of objects keep one item per line');
});
