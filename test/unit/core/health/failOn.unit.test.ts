import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditError } from '../../../../src/core/errors';
import { checkGate, parseFailOn } from '../../../../src/core/health/failOn';
import type { ReportHealth } from '../../../../src/core/health/healthReport';
import { QUALITY_TYPES } from '../../../../src/core/health/imageQuality';

test('parseFailOn reads shares and counts, and spells types as the report does', () => {
  assert.deepEqual(parseFailOn('outliers>1%, blurry>5%,low-information>0,leakySplits>2'), [
    { type: 'outliers', limit: 0.01, percent: true, text: 'outliers>1%' },
    { type: 'blurry', limit: 0.05, percent: true, text: 'blurry>5%' },
    { type: 'lowInformation', limit: 0, percent: false, text: 'low-information>0' },
    { type: 'leakySplits', limit: 2, percent: false, text: 'leakySplits>2' },
  ]);
});

test('parseFailOn names the bad rule and what was expected', () => {
  const message = (text: string) => {
    try {
      parseFailOn(text);
    } catch (error) {
      assert.ok(AuditError.is(error, 'badOption'));
      return (error as Error).message;
    }
    return assert.fail(`${text} was accepted`);
  };
  assert.match(message('fuzzy>1%'), /unknown type "fuzzy"; known: dark, light, blurry/);
  assert.match(message('blurry<5%'), /"blurry<5%" is not of the form <type>><limit>/);
  assert.match(message('blurry>150%'), /at most 100%/);
  assert.match(message('dark>1.5'), /whole number/);
  assert.match(message(' , '), /at least one rule/);
});

test('checkGate fails a rule only when the count is above its limit, and passes types not measured', () => {
  const issue = (count: number) => ({
    threshold: 0.3,
    score: '',
    why: '',
    count,
    share: count / 200,
    datasetProperty: count > 20,
    flagged: [],
    scores: [],
  });
  const health = {
    maxPrevalence: 0.1,
    imageQuality: {
      measuredAt: 32,
      types: Object.fromEntries(QUALITY_TYPES.map((t) => [t, issue(t === 'blurry' ? 30 : 0)])),
    },
    seconds: 0,
  } as unknown as ReportHealth;
  const failed = checkGate(parseFailOn('blurry>10%,dark>0,outliers>0,leakySplits>0'), health, 200);
  assert.deepEqual(
    failed.map((f) => [f.rule.text, f.count, f.share]),
    [['blurry>10%', 30, 0.15]],
  );
  assert.deepEqual(checkGate(parseFailOn('blurry>15%'), health, 200), []);
});
