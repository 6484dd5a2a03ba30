import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  capClassFlags,
  classHealth,
  enoughImages,
  largerCounts,
  MAX_CLASS_FLAG_RATE,
  mixupTieCounts,
  RARE_CLASS_MIN_IMAGES,
  RARE_CLASS_MIN_SHARE,
  suggestMerges,
} from '../../../../src/core/detection/classHealth';
import type { Verdict } from '../../../../src/core/detection/flag';

/** A verdict with the fields the class rules read. */
function verdict(index: number, givenLabel: number, score: number, flagged: boolean): Verdict {
  return {
    index,
    givenLabel,
    score,
    flagged,
    ermGiven: 0.5,
    mixupGiven: 0.5,
    suggestedLabel: (givenLabel + 1) % 3,
    mixupSuggested: 0.5,
    margin: 2 * score - 1,
    ermFits: false,
    mixupRejects: flagged,
  };
}

describe('capClassFlags', () => {
  it('never flags more than half of a class, keeping its strongest suspects', () => {
    // Class 0: 6 members, all rejected (scores .60–.95); class 1: 4 members, 1 rejected.
    const verdicts = [
      ...[0.95, 0.6, 0.9, 0.7, 0.85, 0.8].map((score, i) => verdict(i, 0, score, true)),
      ...[0.9, 0.2, 0.1, 0.3].map((score, i) => verdict(6 + i, 1, score, score > 0.5)),
    ];
    const capped = capClassFlags(verdicts);
    const flagged = capped.filter((v) => v.flagged);
    assert.deepEqual(
      flagged
        .filter((v) => v.givenLabel === 0)
        .map((v) => v.score)
        .sort(),
      [0.85, 0.9, 0.95],
      'the 3 strongest of 6 stay flagged',
    );
    assert.deepEqual(
      capped
        .filter((v) => v.heldBack)
        .map((v) => v.score)
        .sort(),
      [0.6, 0.7, 0.8],
    );
    assert.deepEqual(
      flagged.filter((v) => v.givenLabel === 1).map((v) => v.index),
      [6],
      'a class under the cap is untouched',
    );
    assert.deepEqual(
      capped.map((v) => v.index),
      verdicts.map((v) => v.index),
      'order kept',
    );
    assert.equal(verdicts.filter((v) => v.flagged).length, 7, 'the input is not modified');
  });

  it('a class of two keeps one flag; a class of one keeps none', () => {
    const capped = capClassFlags([verdict(0, 0, 0.9, true), verdict(1, 0, 0.8, true), verdict(2, 1, 0.99, true)]);
    assert.deepEqual(
      capped.map((v) => v.flagged),
      [true, false, false],
    );
  });

  it('takes another rate and refuses a rate outside (0, 1]', () => {
    const verdicts = [0.9, 0.8, 0.7, 0.6].map((score, i) => verdict(i, 0, score, true));
    assert.equal(capClassFlags(verdicts, 0.25).filter((v) => v.flagged).length, 1);
    assert.equal(capClassFlags(verdicts, 1).filter((v) => v.flagged).length, 4);
    assert.throws(() => capClassFlags(verdicts, 0), /maxRate must be in \(0, 1\]/);
    assert.equal(MAX_CLASS_FLAG_RATE, 0.5);
  });
});

describe('classHealth', () => {
  /** `count` verdicts of class `label`, the first `flagged` of them flagged. */
  const members = (label: number, count: number, flagged = 0, first = 0) =>
    Array.from({ length: count }, (_, i) => verdict(first + i, label, i < flagged ? 0.9 : 0.1, i < flagged));

  it('warns about classes under half the median class, saying how many images would be enough', () => {
    const verdicts = [
      ...members(0, 100, 3),
      ...members(1, 100, 0, 100),
      ...members(2, 100, 0, 200),
      ...members(3, 40, 2, 300),
      ...members(4, 3, 1, 400),
    ];
    const health = classHealth(['a', 'b', 'c', 'd', 'e'], verdicts);
    assert.equal(enoughImages(100), 50);
    assert.deepEqual(health[0], { name: 'a', count: 100, flagged: 3, flagRate: 0.03, heldBack: 0 });
    assert.deepEqual(
      health.map((h) => h.warning !== undefined),
      [false, false, false, true, true],
    );
    assert.match(health[3].warning ?? '', /only 40 images of "d".*about 50 would be enough \(10 more\)/);
    assert.match(health[4].warning ?? '', /only 3 images of "e".*about 50 would be enough \(47 more\)/);
    assert.equal(health[3].flagRate, 0.05);
  });

  it('a small balanced dataset is warned about below the absolute floor only', () => {
    assert.equal(RARE_CLASS_MIN_IMAGES, 20);
    assert.equal(RARE_CLASS_MIN_SHARE, 0.5);
    const tiny = classHealth(['a', 'b'], [...members(0, 8), ...members(1, 8, 0, 8)]);
    assert.ok(tiny.every((h) => /about 20 would be enough \(12 more\)/.test(h.warning ?? '')));
    const sample = classHealth(['a', 'b'], [...members(0, 38), ...members(1, 42, 0, 38)]);
    assert.ok(
      sample.every((h) => h.warning === undefined),
      '~40 images per class, balanced: no warning (the sample dataset)',
    );
  });

  it('counts held-back flags and an empty class has rate 0', () => {
    const verdicts = [...members(0, 20, 10), ...members(1, 20, 0, 20)].map((v, i) =>
      i >= 10 && i < 14 ? { ...v, heldBack: true } : v,
    );
    const health = classHealth(['a', 'b', 'c'], verdicts);
    assert.equal(health[0].heldBack, 4);
    assert.match(health[0].warning ?? '', /4 held back/);
    assert.equal(health[2].flagRate, 0, 'not NaN');
    assert.match(health[2].warning ?? '', /only 0 images of "c"/);
  });

  it('a large class over the cap is warned about too', () => {
    const verdicts = Array.from({ length: 100 }, (_, i) => verdict(i, 0, 0.9, i < 50));
    const held = verdicts.map((v, i) => (i >= 50 && i < 70 ? { ...v, heldBack: true } : v));
    const [health] = classHealth(
      ['a', 'b'],
      [...held, ...Array.from({ length: 100 }, (_, i) => verdict(100 + i, 1, 0.1, false))],
    );
    assert.doesNotMatch(health.warning ?? '', /images of/);
    assert.match(health.warning ?? '', /reject more than 50% of "a".*20 held back/);
  });
});

describe('suggestMerges', () => {
  it('suggests merging two classes confused both ways, the smaller into the larger', () => {
    // counts[given][true]: '7' and '7-crossed' swap a third of each other; '1' → '7' only one way.
    const classes = ['1', '7', '7-crossed'];
    const counts = [
      [90, 10, 0],
      [0, 80, 40],
      [0, 20, 40],
    ];
    const merges = suggestMerges(classes, counts);
    assert.deepEqual(merges, [
      { from: '7-crossed', into: '7', fromToInto: 20, intoToFrom: 40, fromShare: 0.3333, intoShare: 0.3333 },
    ]);
  });

  it('suggests nothing for one-way confusion, for swaps under a quarter, or for an empty class', () => {
    assert.deepEqual(
      suggestMerges(
        ['a', 'b'],
        [
          [60, 40],
          [5, 95],
        ],
      ),
      [],
      'b is rarely taken for a',
    );
    assert.deepEqual(
      suggestMerges(
        ['a', 'b'],
        [
          [80, 20],
          [20, 80],
        ],
      ),
      [],
      '20% both ways is pair noise, not one class',
    );
    assert.deepEqual(
      suggestMerges(
        ['a', 'b'],
        [
          [0, 0],
          [50, 50],
        ],
      ),
      [],
    );
    assert.equal(
      suggestMerges(
        ['a', 'b'],
        [
          [75, 25],
          [25, 75],
        ],
      ).length,
      1,
      'a quarter both ways is enough',
    );
  });
});

describe('mixupTieCounts', () => {
  it('counts samples mixup finds at most 2:1 for the given label over the suggestion, the two holding most of its probability; rows sum to the class sizes', () => {
    const tie = (
      index: number,
      given: number,
      suggested: number,
      mixupGiven: number,
      mixupSuggested: number,
    ): Verdict => ({
      ...verdict(index, given, 0.4, false),
      suggestedLabel: suggested,
      mixupGiven,
      mixupSuggested,
    });
    // Ties: .5/.45 and .48/.24; not: .8/.1 (far apart), .9/.44, .3/.3 (flat: the pair holds .6).
    const counts = mixupTieCounts(
      [
        tie(0, 0, 1, 0.5, 0.45),
        tie(1, 0, 1, 0.8, 0.1),
        tie(2, 1, 0, 0.48, 0.24),
        tie(3, 1, 2, 0.9, 0.44),
        tie(4, 2, 0, 0.3, 0.3),
      ],
      3,
    );
    assert.deepEqual(counts, [
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    assert.deepEqual(
      largerCounts(
        [
          [1, 0],
          [3, 1],
        ],
        [
          [0, 2],
          [1, 1],
        ],
      ),
      [
        [1, 2],
        [3, 1],
      ],
    );
  });
});
