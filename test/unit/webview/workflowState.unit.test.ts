import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Decisions, SpotCheckPool, SuspectView } from '../../../src/protocol/webview';
import { RECENT_LIMIT, filterRows, pickerRows, pushRecent } from '../../../webview/state/classPickerState';
import { nextUnreviewed, reviewProgress } from '../../../webview/dialogs/reviewProgress';
import {
  spotCheckEstimate,
  spotCheckSamples,
  spotCheckSizes,
  spotCheckText,
} from '../../../webview/state/spotCheckState';

const suspect = (path: string, givenLabel: string, suggestedLabel: string, flagged = true): SuspectView => ({
  path,
  givenLabel,
  suggestedLabel,
  flagged,
  ermGiven: 0.9,
  mixupGiven: 0.1,
  mixupSuggested: 0.8,
  score: 0.8,
  imageUri: `uri:${path}`,
});

describe('relabel picker order and type-ahead', () => {
  const classes = [
    'T-shirt',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
    '1',
    '10',
  ];

  test('the suggestion first, then recent choices newest first, then the rest in the dataset order', () => {
    const rows = pickerRows(classes, { givenLabel: 'Shirt', suggestedLabel: 'Coat' }, ['Bag', 'Coat', 'gone']);
    assert.deepEqual(
      rows.slice(0, 3).map((r) => r.label),
      ['Coat', 'Bag', 'T-shirt'],
    );
    assert.equal(rows.length, classes.length, 'each class once; a recent class no longer in the dataset is dropped');
    assert.deepEqual(rows[0], { label: 'Coat', digit: '5', suggested: true, recent: true, given: false });
    assert.equal(rows.find((r) => r.label === 'Shirt')?.given, true);
    assert.equal(rows.find((r) => r.label === '10')?.digit, undefined, 'keys 1–9 only');
    assert.deepEqual(
      pickerRows(classes, undefined, []).map((r) => r.label),
      classes,
      'nothing focused: the dataset order',
    );
  });

  test('typed text: exact name or digit key first, then prefixes, then substrings', () => {
    const rows = pickerRows(classes, undefined, []);
    assert.deepEqual(
      filterRows(rows, 'sh').map((r) => r.label),
      ['Shirt', 'T-shirt'],
    );
    assert.deepEqual(
      filterRows(rows, ' S ').map((r) => r.label),
      ['Sandal', 'Shirt', 'Sneaker', 'T-shirt', 'Trouser', 'Dress'],
    );
    assert.deepEqual(
      filterRows(rows, 'coat').map((r) => r.label),
      ['Coat'],
    );
    assert.deepEqual(
      filterRows(rows, '1').map((r) => r.label),
      ['T-shirt', '1', '10'],
      'digit 1 = the first class, then names with a 1',
    );
    assert.deepEqual(filterRows(rows, 'boots'), []);
    assert.equal(filterRows(rows, '').length, classes.length);
    const digits = pickerRows(['0', '1', '2', '3'], undefined, []);
    assert.deepEqual(
      filterRows(digits, '2').map((r) => r.label),
      ['2'],
      'a digits dataset: the key is the class',
    );
  });

  test('recent choices: newest first, no repeats, a few only', () => {
    let recent: string[] = [];
    for (const label of ['a', 'b', 'a', 'c', 'd', 'e', 'f']) recent = pushRecent(recent, label);
    assert.deepEqual(recent, ['f', 'e', 'd', 'c', 'a']);
    assert.equal(recent.length, RECENT_LIMIT);
  });
});

describe('review bookkeeping', () => {
  const suspects = [
    suspect('a', 'cat', 'dog'),
    suspect('b', 'cat', 'dog'),
    suspect('c', 'dog', 'cat'),
    suspect('d', 'dog', 'cat'),
    suspect('e', 'bird', 'cat'),
    suspect('u', 'cat', 'dog', false),
  ];
  const decisions: Decisions = {
    a: { action: 'relabel', label: 'dog' },
    b: { action: 'relabel', label: 'bird' },
    c: { action: 'remove' },
    d: { action: 'keep' },
    u: { action: 'remove' },
  };

  test('progress counts accepted, relabeled, removed and kept among flagged suspects, overall and per class', () => {
    const progress = reviewProgress(suspects, decisions, ['dog', 'cat', 'bird']);
    assert.deepEqual(progress.overall, { total: 5, reviewed: 4, accepted: 1, relabeled: 1, removed: 1, kept: 1 });
    assert.deepEqual(progress.perClass, [
      { label: 'dog', tally: { total: 2, reviewed: 2, accepted: 0, relabeled: 0, removed: 1, kept: 1 } },
      { label: 'cat', tally: { total: 2, reviewed: 2, accepted: 1, relabeled: 1, removed: 0, kept: 0 } },
      { label: 'bird', tally: { total: 1, reviewed: 0, accepted: 0, relabeled: 0, removed: 0, kept: 0 } },
    ]);
    assert.deepEqual(reviewProgress([], {}, ['dog']).perClass, [], 'classes without suspects have no row');
  });

  test('next unreviewed: the next pending card after the focus, wrapping around; none when all are decided', () => {
    const paths = suspects.map((s) => s.path);
    assert.equal(nextUnreviewed(paths, decisions, null), 'e');
    assert.equal(nextUnreviewed(paths, decisions, 'e'), 'e', 'the focused card itself when it is the only pending one');
    assert.equal(nextUnreviewed(paths, { ...decisions, e: { action: 'keep' } }, 'c'), undefined);
    assert.equal(nextUnreviewed(['x', 'y', 'z'], { y: { action: 'keep' } }, 'x'), 'z');
    assert.equal(nextUnreviewed(['x', 'y', 'z'], { x: { action: 'keep' } }, 'z'), 'y', 'wraps past the end');
    assert.equal(nextUnreviewed([], {}, null), undefined);
  });
});

describe('spot check', () => {
  test('sizes offered stop at the population, which is offered when small', () => {
    assert.deepEqual(spotCheckSizes(10_000), [50, 100, 200, 500]);
    assert.deepEqual(spotCheckSizes(376), [50, 100, 200, 376]);
    assert.deepEqual(spotCheckSizes(30), [30]);
    assert.deepEqual(spotCheckSizes(0), []);
  });

  test('keep = right; relabel to another class or remove = an error the audit missed; pending = not checked', () => {
    const samples = ['p', 'q', 'r', 's', 't'].map((p) => suspect(p, 'cat', 'dog', false));
    const pool: SpotCheckPool = { unflaggedTotal: 1000, seed: 1, samples };
    assert.deepEqual(
      spotCheckSamples(pool, 3).map((s) => s.path),
      ['p', 'q', 'r'],
    );
    const decisions: Decisions = {
      p: { action: 'keep' },
      q: { action: 'relabel', label: 'cat' },
      r: { action: 'relabel', label: 'dog' },
      s: { action: 'remove' },
    };
    const estimate = spotCheckEstimate(samples, decisions, 1000);
    assert.equal(estimate?.checked, 4);
    assert.equal(estimate?.errors, 2, 'a relabel to the label it had is a keep');
    assert.equal(spotCheckEstimate(samples, {}, 1000), undefined);
    assert.match(spotCheckText(undefined, 50, 1000), /^0 of 50 checked\. Mark each image/);
    assert.equal(
      spotCheckText(estimate, 50, 1000),
      // 2 found + 996 × 50% (Wilson 15.0%–85.0%) of the rest.
      '4 of 50 checked, 2 wrong. Miss rate 50% (95% CI 15%–85%): about 500 missed errors among the 1,000 unflagged (151–849).',
    );
  });
});
