import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { AuditReport, ReportReasons, ReportSample } from '../../../../src/core/report';
import { userModelView } from '../../../../src/extension/review/userModelView';
import { sampleDigitsReport } from '../../../helpers/sampleReport';

// The figures of a real audit with the user's files are checked in test/unit/core/ownModelAudit.unit.test.ts;
// here, the cases where the report's reasons are not the user's model's.
let report: AuditReport;
let sample: ReportSample;
const REASONS: ReportReasons = {
  signals: { ermMemorized: true, mixupRejects: true, outOfSampleRejects: true },
  scores: { ermMixup: 0.9, confidentLearning: 0.8 },
  outOfSampleGiven: 0.04,
  suggestions: { ermMixup: '7', confidentLearning: '1' },
  suggestionsAgree: false,
};

before(async () => {
  report = await sampleDigitsReport();
  sample = report.samples[0];
});

const withOwnModel = (own: NonNullable<AuditReport['settings']['ownModel']>): AuditReport => ({
  ...report,
  settings: { ...report.settings, ownModel: own },
});

test("the user's pred_probs: its probability of the given label and its suggestion", () => {
  const view = userModelView(withOwnModel({ predProbs: 'probs.csv' }), { ...sample, reasons: REASONS });
  assert.deepEqual(view, { predProbs: { given: 0.04, suggestion: '1' } });
});

test('fold models (no pred_probs file) are ours, not the user model: nothing shown', () => {
  assert.equal(userModelView(report, { ...sample, reasons: REASONS }), undefined);
  assert.equal(userModelView(withOwnModel({ embeddings: 'e.csv' }), { ...sample, reasons: REASONS }), undefined);
});

test('an image the pred_probs file had no row for shows no probability, but still its kNN agreement', () => {
  const reasons: ReportReasons = {
    ...REASONS,
    noOutOfSampleRow: true,
    neighbours: { agreement: 0.2, score: 0.7, suggestion: '7' },
  };
  const view = userModelView(withOwnModel({ predProbs: 'p.csv', embeddings: 'e.csv' }), { ...sample, reasons });
  assert.deepEqual(view, { neighbours: { agreement: 0.2, suggestion: '7' } });
});

test('a report without reasons (method mixup, or an older report) says nothing', () => {
  assert.equal(userModelView(withOwnModel({ predProbs: 'p.csv' }), { ...sample, reasons: undefined }), undefined);
});
