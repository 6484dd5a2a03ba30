import assert from 'node:assert/strict';
import { test } from 'node:test';
import { typicalExamples } from '../../../../src/core/review/classExamples';
import { spotCheckSample, spotCheckSeed } from '../../../../src/core/review/spotCheck';
import { sampleDigitsReport } from '../../../helpers/sampleReport';

test('typical examples: per class the unflagged samples both models are surest of, most typical first', async () => {
  const report = await sampleDigitsReport();
  const examples = typicalExamples(report.samples, report.dataset.classes, 3);
  assert.deepEqual([...examples.keys()], report.dataset.classes);
  for (const label of report.dataset.classes) {
    const picked = examples.get(label) ?? [];
    assert.equal(picked.length, 3);
    const confidence = (s: (typeof picked)[number]) => Math.min(s.ermGiven, s.mixupGiven);
    const rest = report.samples.filter((s) => !s.flagged && s.givenLabel === label && !picked.includes(s));
    assert.ok(picked.every((s) => !s.flagged && s.givenLabel === label));
    assert.ok(
      picked.every((s, i) => i === 0 || confidence(picked[i - 1]) >= confidence(s)),
      'most typical first',
    );
    assert.ok(
      rest.every((s) => confidence(s) <= confidence(picked[2])),
      `nothing left out of ${label} is more typical`,
    );
  }
  // A flagged image never shows a class, even if one model is sure of it; a class without unflagged images gets none.
  const tiny = typicalExamples(
    [
      { givenLabel: 'a', ermGiven: 0.99, mixupGiven: 0.99, flagged: true },
      { givenLabel: 'a', ermGiven: 0.99, mixupGiven: 0.2, flagged: false },
      { givenLabel: 'a', ermGiven: 0.6, mixupGiven: 0.7, flagged: false },
    ],
    ['a', 'b'],
  );
  assert.deepEqual(
    tiny.get('a')?.map((s) => s.ermGiven),
    [0.6, 0.99],
    'ranked by the lower of the two confidences',
  );
  assert.deepEqual(tiny.get('b'), []);
  assert.throws(() => typicalExamples([], ['a'], 0), /perClass/);
});

test('the spot-check sample is seeded by the report: the same images on every reload, nested by size, new per audit', async () => {
  const report = await sampleDigitsReport();
  const unflagged = report.samples.filter((s) => !s.flagged);
  const seed = spotCheckSeed(report.createdAt);
  assert.equal(seed, spotCheckSeed(report.createdAt));
  const fifty = spotCheckSample(unflagged, seed, 50);
  assert.equal(fifty.length, 50);
  assert.equal(new Set(fifty).size, 50, 'drawn without replacement');
  assert.deepEqual(spotCheckSample(unflagged, seed, 50), fifty, 'stable');
  assert.deepEqual(
    spotCheckSample(unflagged, seed, 100).slice(0, 50),
    fifty,
    'a larger check starts with the smaller one',
  );
  assert.notDeepEqual(
    spotCheckSample(unflagged, spotCheckSeed('2026-12-01T00:00:00.000Z'), 50),
    fifty,
    'another report, another draw',
  );
  assert.equal(spotCheckSample(unflagged, seed, 10_000).length, unflagged.length, 'capped at the population');
  // Not just the first images of the report: the draw spreads over every class.
  assert.ok(new Set(fifty.map((s) => s.givenLabel)).size >= 8);
  assert.throws(() => spotCheckSample(unflagged, seed, -1), /size/);
});
