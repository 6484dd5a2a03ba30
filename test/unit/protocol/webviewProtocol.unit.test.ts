import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReviewContent } from '../../../src/extension/review/reviewContent';
import { MAX_THUMBNAILS_PER_REQUEST, parseHostMessage, parseWebviewMessage } from '../../../src/protocol/webview';
import { sampleDigitsReport } from '../../helpers/sampleReport';

test('valid webview messages pass through unchanged', () => {
  const messages = [
    { type: 'webview/ready' },
    { type: 'review/decide', seq: 1, path: '0/00005.png', decision: { action: 'relabel', label: '3' } },
    { type: 'review/decide', seq: 2, path: '0/00005.png', decision: null },
    {
      type: 'review/decideMany',
      seq: 3,
      changes: [
        { path: 'a.png', decision: { action: 'keep' } },
        { path: 'b.png', decision: { action: 'remove' } },
      ],
    },
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
  assert.match(
    problem({ type: 'review/decide', seq: 1, path: 'a', decision: { action: 'relabel' } }),
    /non-empty "label"/,
  );
  assert.match(
    problem({ type: 'review/decide', seq: 1, path: 'a', decision: { action: 'keep', label: 'x' } }),
    /unexpected fields/,
  );
  assert.match(
    problem({ type: 'review/decide', seq: 1, path: 'a', decision: { action: 'burn' } }),
    /unknown action "burn"/,
  );
  assert.match(
    problem({ type: 'review/decideMany', seq: 1, changes: [{ path: 'a', decision: null }, { path: 3 }] }),
    /changes\[1\]/,
  );
});

test('host messages are checked down to each suspect', async () => {
  const content = buildReviewContent(await sampleDigitsReport(), 1000, (p) => `https://x/${p}`);
  const didChange = {
    type: 'suspects/didChange',
    datasetRoot: '/data/digits',
    datasetName: 'digits',
    content,
    decisions: { 'a.png': { action: 'keep' } },
  };
  assert.equal(parseHostMessage(didChange).ok, true);
  assert.equal(parseHostMessage({ type: 'decisions/didChange', decisions: {}, ack: 4 }).ok, true);
  assert.equal(
    parseHostMessage({
      type: 'suspects/didChange',
      datasetRoot: '/d',
      datasetName: 'd',
      content: { status: 'noReport', message: 'none' },
      decisions: {},
    }).ok,
    true,
  );

  assert.equal(content.status, 'ready');
  if (content.status !== 'ready') return;
  const broken = {
    ...didChange,
    content: { ...content, suspects: content.suspects.map((s, i) => (i === 5 ? { ...s, score: 'high' } : s)) },
  };
  const parsed = parseHostMessage(broken);
  assert.equal(parsed.ok, false);
  assert.match(parsed.ok ? '' : parsed.problem, /suspects\[5\]: "score"/);
  assert.equal(parseHostMessage({ type: 'decisions/didChange', decisions: { a: { action: 'nope' } } }).ok, false);
});

test('conflict groups and the swap matrix are checked when present', async () => {
  const content = buildReviewContent(await sampleDigitsReport(), 1000, (p) => `https://x/${p}`);
  assert.ok(content.status === 'ready' && content.swaps, 'the sample report has a swap matrix');
  const message = (extra: object) => ({
    type: 'suspects/didChange',
    datasetRoot: '/d',
    datasetName: 'd',
    content: { ...content, ...extra },
    decisions: {},
  });
  const member = (path: string, label: string) => ({ path, label, imageUri: `https://x/${path}` });
  assert.equal(
    parseHostMessage(message({ conflicts: [{ kind: 'near', members: [member('a.png', '1'), member('b.png', '7')] }] }))
      .ok,
    true,
  );
  const problem = (extra: object) => {
    const parsed = parseHostMessage(message(extra));
    return parsed.ok ? '' : parsed.problem;
  };
  assert.match(problem({ conflicts: [{ kind: 'fuzzy', members: [] }] }), /conflicts\[0\]: "kind"/);
  // A copy set: one member with its count and a few more paths (issue #18).
  const set = { ...member('a.png', '1'), copies: 20_000, morePaths: ['c.png', 'd.png'] };
  assert.equal(problem({ conflicts: [{ kind: 'exact', members: [set, member('b.png', '7')] }] }), '');
  assert.match(
    problem({ conflicts: [{ kind: 'exact', members: [{ ...set, copies: -1 }, member('b.png', '7')] }] }),
    /copies/,
  );
  assert.match(problem({ conflicts: [{ kind: 'exact', members: [member('a.png', '1')] }] }), /at least two/);
  assert.match(
    problem({ conflicts: [{ kind: 'exact', members: [member('a.png', '1'), { path: 'b.png', label: 2 }] }] }),
    /members\[1\]/,
  );
  const counts = content.swaps.counts.map((row) => [...row]);
  counts[2][3] = -1;
  assert.match(problem({ swaps: { ...content.swaps, counts } }), /10×10 non-negative/);
  assert.match(problem({ swaps: { ...content.swaps, classes: ['x'] } }), /content's classes/);
});

test('an undo flag on decisions, the class examples and the spot-check pool are checked', async () => {
  const undo = { type: 'review/decide', seq: 4, path: 'a.png', decision: null, undo: true };
  assert.deepEqual(parseWebviewMessage(undo), { ok: true, message: undo });
  const many = { type: 'review/decideMany', seq: 5, changes: [{ path: 'a.png', decision: null }], undo: true };
  assert.deepEqual(parseWebviewMessage(many), { ok: true, message: many });
  const badUndo = parseWebviewMessage({ ...undo, undo: 'yes' });
  assert.ok(!badUndo.ok && /"undo" must be a boolean/.test(badUndo.problem));

  const content = buildReviewContent(await sampleDigitsReport(), 1000, (p) => `https://x/${p}`);
  assert.ok(content.status === 'ready' && content.spotCheck && content.classExamples);
  const message = (extra: object) => ({
    type: 'suspects/didChange',
    datasetRoot: '/d',
    datasetName: 'd',
    content: { ...content, ...extra },
    decisions: {},
  });
  assert.equal(parseHostMessage(message({})).ok, true);
  const problem = (extra: object) => {
    const parsed = parseHostMessage(message(extra));
    return parsed.ok ? '' : parsed.problem;
  };
  assert.match(problem({ classExamples: { '3': [{ path: 'a.png' }] } }), /classExamples\["3"\]/);
  assert.match(problem({ spotCheck: { ...content.spotCheck, unflaggedTotal: 3 } }), /at most unflaggedTotal/);
  assert.match(
    problem({ spotCheck: { ...content.spotCheck, samples: [{ path: 'a.png' }] } }),
    /spotCheck\.samples\[0\]/,
  );
  assert.match(problem({ spotCheck: { ...content.spotCheck, seed: 0.5 } }), /seed/);
});

test("a suspect's neighbours are checked when present", async () => {
  const content = buildReviewContent(await sampleDigitsReport(), 1000, (p) => `https://x/${p}`);
  assert.ok(content.status === 'ready');
  const withNeighbours = (neighbours: unknown) => ({
    type: 'suspects/didChange',
    datasetRoot: '/d',
    datasetName: 'd',
    decisions: {},
    content: { ...content, suspects: content.suspects.map((s, i) => (i === 2 ? { ...s, neighbours } : s)) },
  });
  const problem = (neighbours: unknown) => {
    const parsed = parseHostMessage(withNeighbours(neighbours));
    return parsed.ok ? '' : parsed.problem;
  };
  assert.ok(content.suspects[2].neighbours, 'the sample report gives flagged suspects neighbours');
  assert.equal(problem(content.suspects[2].neighbours), '');
  assert.match(problem([]), /suspects\[2\]: "neighbours" must be an object/);
  assert.match(problem({ given: [] }), /"neighbours.suggested" must be an array/);
  assert.match(
    problem({ given: [], suggested: [{ path: 'a.png', imageUri: 'u', distance: 'near' }] }),
    /neighbours.suggested\[0\]: needs/,
  );
});

test('class actions: review/setClassActions and the class figures of the content are checked', async () => {
  const classActions = [
    { action: 'merge', from: '5', into: '3' },
    { action: 'rename', from: '7', to: 'seven/7' },
  ];
  assert.deepEqual(parseWebviewMessage({ type: 'review/setClassActions', seq: 4, classActions }), {
    ok: true,
    message: { type: 'review/setClassActions', seq: 4, classActions },
  });
  const refused = parseWebviewMessage({
    type: 'review/setClassActions',
    seq: 5,
    classActions: [{ action: 'merge', from: '5' }],
  });
  assert.deepEqual(refused, {
    ok: false,
    problem: 'review/setClassActions: classActions[0]: "into" must be a string, got nothing',
  });
  assert.equal(parseHostMessage({ type: 'decisions/didChange', decisions: {}, classActions, ack: 5 }).ok, true);
  assert.equal(parseHostMessage({ type: 'decisions/didChange', decisions: {}, classActions: 'none' }).ok, false);

  const content = buildReviewContent(await sampleDigitsReport(), 1000, (p) => `https://x/${p}`);
  assert.ok(
    content.status === 'ready' && content.classHealth?.length === 10,
    'the sample report carries per-class figures',
  );
  const didChange = {
    type: 'suspects/didChange',
    datasetRoot: '/d',
    datasetName: 'd',
    content,
    decisions: {},
    classActions,
  };
  assert.equal(parseHostMessage(didChange).ok, true);
  const badHealth = {
    ...didChange,
    content: { ...content, classHealth: [{ name: '0', count: -1, flagged: 0, heldBack: 0, flagRate: 0 }] },
  };
  assert.match(JSON.stringify(parseHostMessage(badHealth)), /content.classHealth\[0\]/);
});

test('thumbnail requests and answers are checked', () => {
  const request = { type: 'thumbnails/request', paths: ['0/00005.png', '3/00007.png'] };
  assert.deepEqual(parseWebviewMessage(request), { ok: true, message: request });
  const refused = (value: unknown) => {
    const parsed = parseWebviewMessage(value);
    return parsed.ok ? '' : parsed.problem;
  };
  assert.match(
    refused({ type: 'thumbnails/request', paths: ['a.png', ''] }),
    /"paths" must be an array of non-empty strings/,
  );
  assert.match(refused({ type: 'thumbnails/request', paths: 'a.png' }), /"paths"/);
  assert.match(
    refused({
      type: 'thumbnails/request',
      paths: Array.from({ length: MAX_THUMBNAILS_PER_REQUEST + 1 }, (_, i) => `${i}.png`),
    }),
    /at most 1000 at once/,
  );
  const answer = {
    type: 'thumbnails/didCreate',
    thumbnails: { '0/00005.png': 'https://x/.label-audit/thumbs/ab/ab12.webp' },
  };
  assert.deepEqual(parseHostMessage(answer), { ok: true, message: answer });
  assert.equal(parseHostMessage({ type: 'thumbnails/didCreate', thumbnails: { 'a.png': 3 } }).ok, false);
  assert.equal(parseHostMessage({ type: 'thumbnails/didCreate', thumbnails: ['x'] }).ok, false);
});

test('each problem names the message type, where and the field, in one line', () => {
  const problem = (value: unknown) => {
    const parsed = parseWebviewMessage(value);
    return parsed.ok ? '' : parsed.problem;
  };
  assert.equal(
    problem({ type: 'review/decideMany', seq: 1, changes: [{ path: 'a', decision: null }, { path: 3 }] }),
    'review/decideMany: changes[1]: "path" must be a non-empty string',
  );
  assert.equal(
    problem({ type: 'review/decide', seq: 1, path: 'a', decision: { action: 'relabel', label: '  ' } }),
    'review/decide: "decision" relabel needs a non-empty "label"',
  );
  assert.equal(
    problem({ type: 'review/decide', seq: 1, path: 'a', decision: [] }),
    'review/decide: "decision" must be an object or null',
  );
  // A missing field reads like a wrong one.
  assert.equal(
    problem({ type: 'review/decide', seq: 1, decision: null }),
    'review/decide: "path" must be a non-empty string',
  );
  assert.equal(problem({ type: 'review/decideMany', seq: 1 }), 'review/decideMany: "changes" must be an array');
  assert.equal(problem([]), 'message is not an object');
  assert.equal(
    JSON.stringify(parseHostMessage({ type: 'thumbnails/didCreate', thumbnails: { 'a.png': 3 } })),
    JSON.stringify({ ok: false, problem: 'thumbnails/didCreate: thumbnails["a.png"]: must be a URI string' }),
  );
  assert.equal(
    JSON.stringify(parseHostMessage({ type: 'decisions/didChange', decisions: {}, ack: 1.5 })),
    JSON.stringify({ ok: false, problem: 'decisions/didChange: "ack" must be a non-negative integer' }),
  );
});

test('fields the webview adds are dropped; paths named like Object members are kept as entries', () => {
  const parsed = parseWebviewMessage({
    type: 'review/openImage',
    path: 'a.png',
    command: 'rm -rf',
  });
  assert.deepEqual(parsed, { ok: true, message: { type: 'review/openImage', path: 'a.png' } });
  // Parsed from JSON, as a message arrives: a "__proto__" key in a literal would set the prototype instead.
  const decisions = JSON.parse('{"__proto__":{"action":"keep"},"constructor":{"action":"remove"}}') as unknown;
  const didChange = parseHostMessage({ type: 'decisions/didChange', decisions, ack: 2 });
  assert.ok(didChange.ok && didChange.message.type === 'decisions/didChange');
  assert.ok(Object.hasOwn(didChange.message.decisions, '__proto__'), 'a path named "__proto__" stays a key');
  assert.deepEqual(Object.keys(didChange.message.decisions), ['__proto__', 'constructor']);
  const bad = JSON.parse('{"__proto__":{"action":"burn"}}') as unknown;
  const refused = parseHostMessage({ type: 'decisions/didChange', decisions: bad });
  assert.deepEqual(refused, {
    ok: false,
    problem: 'decisions/didChange: decisions["__proto__"]: "action" is an unknown action "burn"',
  });
});
