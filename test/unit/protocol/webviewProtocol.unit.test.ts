import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReviewContent } from '../../../src/extension/reviewContent';
import { parseHostMessage, parseWebviewMessage } from '../../../src/protocol/webview';
import { sampleDigitsReport } from '../../helpers/sampleReport';

test('valid webview messages pass through unchanged', () => {
  const messages = [
    { type: 'webview/ready' },
    { type: 'review/decide', seq: 1, path: '0/00005.png', decision: { action: 'relabel', label: '3' } },
    { type: 'review/decide', seq: 2, path: '0/00005.png', decision: null },
    { type: 'review/decideMany', seq: 3, changes: [{ path: 'a.png', decision: { action: 'keep' } }, { path: 'b.png', decision: { action: 'remove' } }] },
    { type: 'review/openImage', path: '0/00005.png' },
  ];
  for (const message of messages) assert.deepEqual(parseWebviewMessage(message), { ok: true, message });
});

test('malformed webview messages are refused with the field at fault', () => {
  const problem = (value: unknown) => {
    const parsed = parseWebviewMessage(value);
    assert.equal(parsed.ok, false, JSON.stringify(value));
    return parsed.ok ? '' : parsed.problem;
  };
  assert.match(problem(null), /not an object/);
  assert.match(problem({ type: 'review/delete' }), /unknown message type "review\/delete"/);
  assert.match(problem({ type: 'review/decide', seq: 1, path: '', decision: null }), /"path"/);
  assert.match(problem({ type: 'review/decide', seq: -1, path: 'a', decision: null }), /"seq"/);
  assert.match(problem({ type: 'review/decide', seq: 1, path: 'a', decision: { action: 'relabel' } }), /non-empty "label"/);
  assert.match(problem({ type: 'review/decide', seq: 1, path: 'a', decision: { action: 'keep', label: 'x' } }), /unexpected fields/);
  assert.match(problem({ type: 'review/decide', seq: 1, path: 'a', decision: { action: 'burn' } }), /unknown action "burn"/);
  assert.match(problem({ type: 'review/decideMany', seq: 1, changes: [{ path: 'a', decision: null }, { path: 3 }] }), /changes\[1\]/);
});

test('host messages are checked down to each suspect', async () => {
  const content = buildReviewContent(await sampleDigitsReport(), 1000, (p) => `https://x/${p}`);
  const didChange = { type: 'suspects/didChange', datasetRoot: '/data/digits', datasetName: 'digits', content, decisions: { 'a.png': { action: 'keep' } } };
  assert.equal(parseHostMessage(didChange).ok, true);
  assert.equal(parseHostMessage({ type: 'decisions/didChange', decisions: {}, ack: 4 }).ok, true);
  assert.equal(parseHostMessage({ type: 'suspects/didChange', datasetRoot: '/d', datasetName: 'd', content: { status: 'noReport', message: 'none' }, decisions: {} }).ok, true);

  assert.equal(content.status, 'ready');
  if (content.status !== 'ready') return;
  const broken = { ...didChange, content: { ...content, suspects: content.suspects.map((s, i) => (i === 5 ? { ...s, score: 'high' } : s)) } };
  const parsed = parseHostMessage(broken);
  assert.equal(parsed.ok, false);
  assert.match(parsed.ok ? '' : parsed.problem, /suspects\[5\]: "score"/);
  assert.equal(parseHostMessage({ type: 'decisions/didChange', decisions: { a: { action: 'nope' } } }).ok, false);
});
