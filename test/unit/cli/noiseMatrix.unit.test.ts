import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNoiseMatrix } from '../../../src/cli/noiseMatrix';

test('the noise matrix prints as a given × true table, zeros as dots', () => {
  const text = formatNoiseMatrix({
    source: 'out-of-sample',
    classes: ['cat', 'dog', 'fox'],
    counts: [
      [90, 10, 0],
      [0, 100, 0],
      [3, 0, 47],
    ],
    noiseRate: 0.052,
  });
  assert.equal(
    text,
    [
      'Estimated label noise 5.2% (confident learning, out-of-sample); rows: given label, columns: true label:',
      'given\\true cat dog fox',
      'cat         90  10   .',
      'dog          . 100   .',
      'fox          3   .  47',
    ].join('\n'),
  );
});

test('with many classes only the largest swaps are listed', () => {
  const classes = Array.from({ length: 20 }, (_, i) => `c${i}`);
  const counts = classes.map((_, i) =>
    classes.map((__, j) => (i === j ? 50 : i === 3 && j === 7 ? 12 : i === 5 && j === 1 ? 4 : 0)),
  );
  const text = formatNoiseMatrix({ source: 'in-sample', classes, counts, noiseRate: 0.016 });
  assert.match(text, /confident learning, in sample/);
  assert.deepEqual(text.split('\n').slice(1), ['  c3 → c7: 12', '  c5 → c1: 4']);
});
