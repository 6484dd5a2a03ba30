import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReviewContent, changeProblem } from '../../../src/extension/reviewContent';
import { sampleAnswerKey, sampleDigitsReport } from '../../helpers/sampleReport';

test('the review lists flagged suspects first, most suspect first, with their image URIs', async () => {
  const report = await sampleDigitsReport();
  const content = buildReviewContent(report, 1000, (path) => `https://webview/${path}`);
  assert.equal(content.status, 'ready');
  if (content.status !== 'ready') return;
  const answers = sampleAnswerKey();
  assert.equal(content.flaggedTotal, answers.size);
  assert.equal(content.auditedTotal, 400);
  assert.equal(content.hiddenCount, 0);
  assert.deepEqual(new Set(content.suspects.slice(0, answers.size).map((s) => s.path)), new Set(answers.keys()));
  assert.ok(content.suspects.slice(answers.size).every((s) => !s.flagged));
  const first = content.suspects[0];
  assert.equal(first.imageUri, `https://webview/${first.path}`);
  assert.equal(first.suggestedLabel, answers.get(first.path));
  assert.deepEqual(content.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('maxSuspectsShown caps the list and counts what it hides', async () => {
  const report = await sampleDigitsReport();
  const content = buildReviewContent(report, 30, (p) => p);
  assert.equal(content.status === 'ready' && content.suspects.length, 30);
  assert.equal(content.status === 'ready' && content.hiddenCount, 370);
  const tiny = buildReviewContent(report, 10, (p) => p);
  assert.ok(tiny.status === 'ready' && tiny.suspects.every((s) => s.flagged), 'the limit cuts unflagged samples first');
  const fallback = buildReviewContent(report, -5, (p) => p);
  assert.equal(fallback.status === 'ready' && fallback.suspects.length, 400, 'a nonsense limit falls back to the default');
});

test('changes from the webview must name a sample and a class of the report', () => {
  const report = { samplePaths: new Set(['0/00005.png']), classes: ['0', '3'] };
  assert.equal(changeProblem({ path: '0/00005.png', decision: { action: 'relabel', label: '3' } }, report), undefined);
  assert.equal(changeProblem({ path: '0/00005.png', decision: null }, report), undefined);
  assert.match(changeProblem({ path: '../etc/passwd', decision: { action: 'remove' } }, report) ?? '', /not a sample/);
  assert.match(changeProblem({ path: '0/00005.png', decision: { action: 'relabel', label: '9' } }, report) ?? '', /not a class/);
});
