import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { AuditReport } from '../../../../src/core/report';
import { findingsOf } from '../../../../src/extension/findings/findings';
import { sampleAnswerKey, sampleDigitsReport } from '../../../helpers/sampleReport';

let report: AuditReport;
before(async () => {
  report = await sampleDigitsReport();
});

test('every flagged suspect of the sample audit is a warning, most suspect first, naming the suggestion', () => {
  const findings = findingsOf(report, {}, []);
  const answers = sampleAnswerKey();
  assert.equal(findings.length, 24);
  assert.deepEqual(new Set(findings.map((f) => f.path)), new Set(answers.keys()));
  for (const f of findings) {
    assert.equal(f.severity, 'warning');
    assert.equal(f.suggestedLabel, answers.get(f.path));
    assert.match(
      f.message,
      new RegExp(
        `likely '${f.suggestedLabel}', not '${f.givenLabel}' \\(mixup \\d+% '${f.suggestedLabel}', \\d+% '${f.givenLabel}'; ERM \\d+% '${f.givenLabel}'\\)`,
      ),
    );
  }
  for (let i = 1; i < findings.length; i++) assert.ok(findings[i - 1].score >= findings[i].score);
});

test('a decided sample has no finding; the cap keeps the most suspect', () => {
  const all = findingsOf(report, {}, []);
  const decided = findingsOf(report, { [all[0].path]: { action: 'keep' } }, []);
  assert.equal(decided.length, 23);
  assert.ok(!decided.some((f) => f.path === all[0].path));
  assert.deepEqual(
    findingsOf(report, {}, [], 5).map((f) => f.path),
    all.slice(0, 5).map((f) => f.path),
  );
});

test('labels are named as the reviewer sees them after a class rename', () => {
  const first = findingsOf(report, {}, [])[0];
  const renamed = findingsOf(report, {}, [{ action: 'rename', from: first.suggestedLabel, to: 'renamed' }]);
  const same = renamed.find((f) => f.path === first.path);
  assert.equal(same?.suggestedLabel, 'renamed');
  assert.match(same?.message ?? '', /likely 'renamed'/);
});

test('held-back samples are information and conflicting duplicates hints, after the warnings', () => {
  const clean = report.samples.filter((s) => !s.flagged);
  const heldBack = { ...clean[0], heldBack: true };
  const [a, b] = [clean[1], clean[2]];
  const variant: AuditReport = {
    ...report,
    samples: report.samples.map((s) => (s.path === heldBack.path ? heldBack : s)),
    conflicts: [
      {
        kind: 'exact',
        members: [
          { path: a.path, label: a.givenLabel },
          { path: b.path, label: b.givenLabel === '1' ? '2' : '1' },
        ],
      },
    ],
  };
  const findings = findingsOf(variant, {}, []);
  assert.equal(findings.length, 27);
  assert.deepEqual(
    findings.slice(24).map((f) => [f.path, f.severity]),
    [
      [heldBack.path, 'information'],
      ...[a, b]
        .map((s) => [s.path, 'hint'] as const)
        .sort(
          (x, y) =>
            (variant.samples.find((s) => s.path === y[0])?.score ?? 0) -
            (variant.samples.find((s) => s.path === x[0])?.score ?? 0),
        ),
    ],
  );
  assert.match(findings[25].message, /an exact copy of "/);
});
