import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainConfigs } from '../../../src/core/training/auditImages';
import { quickSampleSteps, resolveAuditOptions } from '../../../src/core/options';

test('the quick budget is epochs × images, at least minSampleSteps, and capped by maxSampleSteps', () => {
  const defaults = resolveAuditOptions({});
  assert.equal(quickSampleSteps(defaults, 10_000), 80_000, '10 000 images: 8 passes, under the cap');
  assert.equal(quickSampleSteps(defaults, 60_000), 200_000, '60 000 images: the cap, 3⅓ passes');
  assert.equal(quickSampleSteps(resolveAuditOptions({ maxSampleSteps: 0 }), 60_000), 480_000, '0 removes the cap');
  assert.equal(
    quickSampleSteps(resolveAuditOptions({ minSampleSteps: 30_000 }), 400),
    30_000,
    'small datasets get the floor',
  );
  assert.equal(
    quickSampleSteps(resolveAuditOptions({ minSampleSteps: 300_000 }), 60_000),
    300_000,
    'an explicit floor above the cap wins',
  );
});

test('both models of a large quick audit share the capped budget; a deep audit gives mixup twice that', () => {
  const quick = trainConfigs(resolveAuditOptions({}), 60_000);
  assert.equal(quick.erm.sampleSteps, 200_000);
  assert.equal(quick.mixup.sampleSteps, 200_000);
  assert.equal(trainConfigs(resolveAuditOptions({ mode: 'deep' }), 60_000).mixup.sampleSteps, 400_000);
});

test('a negative cap is refused with the option named', () => {
  assert.throws(() => resolveAuditOptions({ maxSampleSteps: -1 }), /maxSampleSteps/);
});

test("ERM's AUM weighs nothing in the score unless asked, and the weight is checked", () => {
  assert.equal(
    resolveAuditOptions().flag.aumWeight,
    0,
    'an option: it lost on Fashion-MNIST (docs/learning-dynamics.md)',
  );
  assert.equal(resolveAuditOptions({ mode: 'deep', flag: { aumWeight: 0.5 } }).flag.aumWeight, 0.5);
  assert.throws(() => resolveAuditOptions({ flag: { aumWeight: 1.5 } }), /flag\.aumWeight/);
});
