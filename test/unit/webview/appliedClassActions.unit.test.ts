import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClassAction, Decisions, ReviewContent, SuspectView } from '../../../src/protocol/webview';
import { ownValue } from '../../../src/core/shared/ownValue';
import {
  classBars,
  contentAfterClassActions,
  decisionsAfterClassActions,
  describeClassAction,
} from '../../../webview/state/appliedClassActions';
import { reviewProgress } from '../../../webview/dialogs/reviewProgress';

type Ready = Extract<ReviewContent, { status: 'ready' }>;

const suspect = (path: string, givenLabel: string, suggestedLabel: string): SuspectView => ({
  path,
  givenLabel,
  suggestedLabel,
  ermGiven: 0.2,
  mixupGiven: 0.1,
  mixupSuggested: 0.8,
  score: 0.85,
  flagged: true,
  imageUri: `x/${path}`,
});

const content: Ready = {
  status: 'ready',
  classes: ['cat', 'dog', 'fox'],
  suspects: [suspect('a.png', 'cat', 'dog'), suspect('b.png', 'fox', 'cat')],
  flaggedTotal: 2,
  auditedTotal: 120,
  hiddenCount: 0,
  createdAt: '2026-11-30T10:00:00Z',
  swaps: {
    classes: ['cat', 'dog', 'fox'],
    counts: [
      [50, 4, 0],
      [2, 60, 1],
      [3, 0, 5],
    ],
    source: 'flagged',
  },
  classHealth: [
    { name: 'cat', count: 54, flagged: 4, flagRate: 4 / 54, heldBack: 0 },
    { name: 'dog', count: 63, flagged: 3, flagRate: 3 / 63, heldBack: 0 },
    { name: 'fox', count: 8, flagged: 3, flagRate: 3 / 8, heldBack: 1, warning: 'only 8 images of "fox"' },
  ],
  mergeSuggestions: [{ from: 'fox', into: 'cat', fromToInto: 3, intoToFrom: 0, fromShare: 0.375, intoShare: 0 }],
};

test('no class actions: the content is shown as sent', () => {
  assert.equal(contentAfterClassActions(content, []), content);
});

test('a merge folds the class into its target everywhere: classes, cards, heatmap, figures, suggestions', () => {
  const merged = contentAfterClassActions(content, [{ action: 'merge', from: 'fox', into: 'cat' }]);
  assert.deepEqual(merged.classes, ['cat', 'dog']);
  assert.deepEqual(
    merged.suspects.map((s) => [s.givenLabel, s.suggestedLabel]),
    [
      ['cat', 'dog'],
      ['cat', 'cat'],
    ],
  );
  assert.deepEqual(
    merged.swaps?.counts,
    [
      [58, 4],
      [3, 60],
    ],
    'rows and columns of the merged class added up',
  );
  assert.deepEqual(
    merged.classHealth?.map((h) => [h.name, h.count, h.flagged, h.heldBack]),
    [
      ['cat', 62, 7, 1],
      ['dog', 63, 3, 0],
    ],
  );
  assert.match(
    merged.classHealth?.[0].warning ?? '',
    /\(as "fox"\) only 8 images/,
    "the audit's warning stays, naming the old class",
  );
  assert.deepEqual(merged.mergeSuggestions, [], 'a suggestion carried out disappears');
  assert.equal(content.classes.length, 3, 'the content sent is not modified');
});

test('a rename keeps the class in its place under the new name, "/" included', () => {
  const actions: ClassAction[] = [{ action: 'rename', from: 'dog', to: 'canis/dog' }];
  const renamed = contentAfterClassActions(content, actions);
  assert.deepEqual(renamed.classes, ['cat', 'canis/dog', 'fox']);
  assert.equal(renamed.suspects[0].suggestedLabel, 'canis/dog');
  assert.equal(renamed.swaps?.counts[1][1], 60);
  assert.equal(describeClassAction(actions[0]), 'Renamed “dog” to “canis/dog”');
});

test('bars: count relative to the largest class, flag rate, and what a screen reader hears', () => {
  const bars = classBars(content.classHealth);
  assert.deepEqual(
    bars.map((b) => Math.round(b.countShare * 100)),
    [86, 100, 13],
  );
  assert.equal(bars[2].label, 'fox: 8 images, 3 flagged (38%), too few for a reliable verdict');
  assert.deepEqual(classBars(undefined), []);
});

test('relabels follow the class actions, so an accepted suggestion still counts as accepted after a rename', () => {
  // Parsed, as the host's message is: a "__proto__" key in an object literal would set the prototype instead.
  const decisions = JSON.parse(
    '{"a.png":{"action":"relabel","label":"5"},"b.png":{"action":"keep"},"__proto__":{"action":"relabel","label":"7"}}',
  ) as Decisions;
  const actions: ClassAction[] = [
    { action: 'rename', from: '5', to: 'five' },
    { action: 'merge', from: '7', into: '1' },
  ];
  const mapped = decisionsAfterClassActions(decisions, actions);
  assert.deepEqual(mapped['a.png'], { action: 'relabel', label: 'five' });
  assert.equal(mapped['b.png'], decisions['b.png']);
  assert.ok(Object.hasOwn(mapped, '__proto__'), 'a path named "__proto__" stays a key');
  assert.deepEqual(Object.getOwnPropertyDescriptor(mapped, '__proto__')?.value, { action: 'relabel', label: '1' });
  assert.equal(decisionsAfterClassActions(decisions, []), decisions, 'nothing to map: the same object');

  const suspect = (path: string, given: string, suggested: string): SuspectView =>
    ({ path, givenLabel: given, suggestedLabel: suggested, flagged: true }) as unknown as SuspectView;
  const shown = [suspect('a.png', 'five', 'five')].map((s) => ({ ...s, givenLabel: '3' }));
  const progress = reviewProgress(shown, mapped, ['3', 'five']);
  assert.equal(progress.overall.accepted, 1, 'the relabel to "5" is the suggestion, now called "five"');
});

test('renaming a class to "constructor", "toString" or "__proto__" keeps its typical images', () => {
  const ex = (path: string) => ({ path, imageUri: `x/${path}` });
  const withExamples: Ready = {
    ...content,
    classExamples: { cat: [ex('cat/1.png')], dog: [ex('dog/1.png')], fox: [ex('fox/1.png')] },
  };
  const renamed = contentAfterClassActions(withExamples, [
    { action: 'rename', from: 'cat', to: 'constructor' },
    { action: 'rename', from: 'dog', to: 'toString' },
    { action: 'rename', from: 'fox', to: '__proto__' },
  ]);
  const examples = renamed.classExamples ?? {};
  assert.deepEqual(renamed.classes, ['constructor', 'toString', '__proto__']);
  assert.deepEqual(ownValue(examples, 'constructor'), [ex('cat/1.png')]);
  assert.deepEqual(ownValue(examples, 'toString'), [ex('dog/1.png')]);
  assert.deepEqual(ownValue(examples, '__proto__'), [ex('fox/1.png')]);
  assert.equal(ownValue(withExamples.classExamples ?? {}, 'constructor'), undefined, 'an inherited name is no entry');
});
