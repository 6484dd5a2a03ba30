import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressTracker } from '../../../../src/core/progress';
import type { AuditPhase, AuditProgress } from '../../../../src/core/shared/types';
import { describeProgress, ProgressIncrements } from '../../../../src/extension/audit/progressNotification';

test('each phase is described with its counts, the percentage and the time left', () => {
  assert.equal(describeProgress({ phase: 'loading', fraction: 0, overall: 0 }), 'Reading labels · 0%');
  assert.equal(
    describeProgress({ phase: 'decoding', fraction: 0.5, overall: 0.045, done: 200, total: 400, etaSeconds: 42.4 }),
    'Decoding images 200/400 · 4% · about 42 s left',
  );
  assert.equal(
    describeProgress({
      phase: 'training',
      fraction: 0.4,
      overall: 0.444,
      erm: { epoch: 3, epochs: 8 },
      mixup: { epoch: 2, epochs: 8 },
      etaSeconds: 150,
    }),
    'Training — ERM epoch 3/8, mixup epoch 2/8 · 44% · about 3 min left',
  );
  assert.equal(
    describeProgress({
      phase: 'training',
      fraction: 0.8,
      overall: 0.8,
      erm: { epoch: 8, epochs: 8 },
      mixup: { epoch: 8, epochs: 8 },
      folds: { done: 1, total: 4 },
    }),
    'Training — ERM epoch 8/8, mixup epoch 8/8, folds 1/4 · 80%',
  );
  assert.equal(
    describeProgress({ phase: 'writing', fraction: 1, overall: 1, etaSeconds: 0 }),
    'Scoring and writing the report · 100%',
  );
});

test('the increments of a whole audit add up to 100 and are never negative', () => {
  // The overall fractions a real audit reports, through the engine's own tracker (unthrottled).
  const seen: AuditProgress[] = [];
  const tracker = new ProgressTracker((p) => seen.push(p), 0);
  const steps: [AuditPhase, number][] = [
    ['loading', 0],
    ['loading', 1],
    ['decoding', 0.5],
    ['decoding', 1],
    ['training', 0.3],
    ['training', 0.2],
    ['training', 1],
    ['writing', 0],
    ['writing', 1],
  ];
  for (const [phase, fraction] of steps) tracker.report(phase, fraction);
  const increments = new ProgressIncrements();
  const steps100 = seen.map((p) => increments.next(p.overall));
  assert.ok(
    steps100.every((i) => i >= 0),
    `no negative increment: ${steps100}`,
  );
  assert.equal(steps100[5], 0, 'a fraction that goes back does not move the bar back');
  assert.ok(Math.abs(steps100.reduce((a, b) => a + b, 0) - 100) < 1e-9);
});
