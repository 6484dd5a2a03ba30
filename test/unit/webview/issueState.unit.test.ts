import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthView, IssueSectionView } from '../../../src/protocol/webview';
import {
  STRIP_LENGTH,
  issueProgress,
  issueSections,
  moveInStrips,
  percent,
  stripShown,
} from '../../../webview/state/issueState';

const issue = (type: string, paths: string[], extra: Partial<IssueSectionView> = {}): IssueSectionView => ({
  type,
  title: type,
  threshold: 0.3,
  score: 'score',
  why: 'why',
  count: paths.length,
  share: paths.length / 100,
  datasetProperty: false,
  examples: paths.map((path) => ({ path, label: 'a', score: 0.1 })),
  ...extra,
});

const health: HealthView = {
  maxPrevalence: 0.1,
  issues: [
    issue('dark', ['a/1.png', 'a/2.png']),
    issue('light', []),
    issue('grayscale', [], { count: 40, share: 0.4, datasetProperty: true }),
    issue('blurry', ['a/2.png', 'b/3.png']),
  ],
  leakySplits: {
    source: 'folders',
    classes: [],
    splits: [],
    groupCount: 1,
    groups: [
      {
        kind: 'exact',
        size: 2,
        splits: ['train', 'test'],
        members: [
          { path: 'b/3.png', label: 'b', split: 'train' },
          { path: 'b/4.png', label: 'b', split: 'test' },
        ],
      },
    ],
  },
};

test('sections with images get a strip; dataset properties and types that found nothing get a line', () => {
  const { listed, properties, clean } = issueSections(health);
  assert.deepEqual(
    listed.map((i) => i.type),
    ['dark', 'blurry'],
  );
  assert.deepEqual(
    properties.map((i) => i.type),
    ['grayscale'],
  );
  assert.deepEqual(
    clean.map((i) => i.type),
    ['light'],
  );
});

test('a strip shows 12 images until it is expanded', () => {
  assert.equal(stripShown(48, false), STRIP_LENGTH);
  assert.equal(stripShown(48, true), 48);
  assert.equal(stripShown(5, false), 5);
});

test('arrows move along a strip and stop at its ends; up and down skip empty strips and keep the place', () => {
  const lengths = [3, 0, 2];
  assert.deepEqual(moveInStrips(lengths, { strip: 0, index: 0 }, 'left'), { strip: 0, index: 0 });
  assert.deepEqual(moveInStrips(lengths, { strip: 0, index: 1 }, 'right'), { strip: 0, index: 2 });
  assert.deepEqual(moveInStrips(lengths, { strip: 0, index: 2 }, 'right'), { strip: 0, index: 2 });
  assert.deepEqual(moveInStrips(lengths, { strip: 0, index: 2 }, 'down'), { strip: 2, index: 1 });
  assert.deepEqual(moveInStrips(lengths, { strip: 2, index: 0 }, 'up'), { strip: 0, index: 0 });
  assert.deepEqual(moveInStrips(lengths, { strip: 2, index: 1 }, 'down'), { strip: 2, index: 1 }, 'the last strip');
  assert.deepEqual(moveInStrips(lengths, { strip: 0, index: 1 }, 'end'), { strip: 0, index: 2 });
  assert.deepEqual(moveInStrips(lengths, { strip: 0, index: 2 }, 'home'), { strip: 0, index: 0 });
});

test('progress counts each image shown once, in strips and leaked groups alike', () => {
  assert.deepEqual(issueProgress(health, {}), { decided: 0, total: 4 });
  assert.deepEqual(issueProgress(health, { 'a/2.png': { action: 'remove' }, 'b/4.png': { action: 'keep' } }), {
    decided: 2,
    total: 4,
  });
});

test('shares read as percentages, small ones with a second decimal', () => {
  assert.equal(percent(0.125), '12.5%');
  assert.equal(percent(0.0004), '0.04%');
  assert.equal(percent(0), '0.0%');
});
