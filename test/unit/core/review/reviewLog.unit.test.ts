import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AuditError } from '../../../../src/core/errors';
import {
  appendReviewLog,
  currentReviewer,
  readReviewLog,
  reviewLogEntries,
  reviewLogRecords,
} from '../../../../src/core/review/reviewLog';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'label-audit-review-log-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute));

test('each changed sample becomes one entry with what it was and what it became; no-ops are left out', () => {
  const before = { 'a.png': { action: 'keep' as const } };
  const entries = reviewLogEntries(
    before,
    [
      { path: 'a.png', decision: { action: 'keep' } },
      { path: 'b.png', decision: { action: 'relabel', label: 'cat' } },
      { path: 'c.png', decision: { action: 'remove' } },
    ],
    { user: 'ada', time: at(1), undo: false },
  );
  assert.deepEqual(entries, [
    {
      time: '2026-11-30T10:01:00.000Z',
      user: 'ada',
      path: 'b.png',
      action: 'relabel',
      from: null,
      to: { action: 'relabel', label: 'cat' },
    },
    {
      time: '2026-11-30T10:01:00.000Z',
      user: 'ada',
      path: 'c.png',
      action: 'remove',
      from: null,
      to: { action: 'remove' },
    },
  ]);
  // An undo restores what was before, and says it is an undo even when it restores a decision.
  const undo = reviewLogEntries(
    { 'b.png': { action: 'relabel', label: 'cat' }, 'c.png': { action: 'keep' } },
    [
      { path: 'b.png', decision: null },
      { path: 'c.png', decision: { action: 'remove' } },
    ],
    { user: 'ada', time: at(2), undo: true },
  );
  assert.deepEqual(
    undo.map((e) => [e.path, e.action, e.from, e.to]),
    [
      ['b.png', 'undo', { action: 'relabel', label: 'cat' }, null],
      ['c.png', 'undo', { action: 'keep' }, { action: 'remove' }],
    ],
  );
});

test('the log round-trips through its file in order, skips a line cut short by a crash, and names a bad line', async () => {
  const file = join(work, 'nested', 'review-log.jsonl');
  assert.deepEqual(await readReviewLog(file), [], 'no file yet: an empty log');
  const first = reviewLogEntries({}, [{ path: 'x/1.png', decision: { action: 'remove' } }], {
    user: 'ada',
    time: at(3),
    undo: false,
  });
  const second = reviewLogEntries({ 'x/1.png': { action: 'remove' } }, [{ path: 'x/1.png', decision: null }], {
    user: 'bob',
    time: at(4),
    undo: true,
  });
  await appendReviewLog(file, first);
  await appendReviewLog(file, second);
  await appendReviewLog(file, []);
  assert.deepEqual(await readReviewLog(file), [...first, ...second]);
  await appendFile(file, '{"time":"2026-11-30T10:05:00.000Z","us');
  assert.deepEqual(await readReviewLog(file), [...first, ...second], 'a torn last line is skipped');

  const bad = join(work, 'bad.jsonl');
  await writeFile(
    bad,
    `${JSON.stringify(first[0])}\n{"time":"2026-11-30T10:05:00Z","user":"ada","path":"a","action":"burn","from":null,"to":null}\n`,
  );
  await assert.rejects(
    readReviewLog(bad),
    (error: unknown) =>
      AuditError.is(error, 'decisionsMalformed') && /bad\.jsonl, line 2: "action" must be one of/.test(error.message),
  );
  await writeFile(bad, `not json\n${JSON.stringify(first[0])}\n`);
  await assert.rejects(readReviewLog(bad), /line 1: not valid JSON/);
  await writeFile(bad, `${JSON.stringify({ ...first[0], to: { action: 'relabel' } })}\n`);
  await assert.rejects(readReviewLog(bad), /"label"/);
});

test('an append after a crash mid-append starts a new line: the torn line does not swallow the new entry', async () => {
  const file = join(work, 'torn', 'review-log.jsonl');
  const first = reviewLogEntries({}, [{ path: 'x/1.png', decision: { action: 'remove' } }], {
    user: 'ada',
    time: at(5),
    undo: false,
  });
  const next = reviewLogEntries({}, [{ path: 'x/2.png', decision: { action: 'keep' } }], {
    user: 'ada',
    time: at(6),
    undo: false,
  });
  await appendReviewLog(file, first);
  await appendFile(file, '{"time":"2026-11-30T10:05:00.000Z","us');
  await appendReviewLog(file, next);
  const problems: string[] = [];
  assert.deepEqual(await readReviewLog(file, (problem) => problems.push(problem)), [...first, ...next]);
  assert.deepEqual(problems, [`Review log ${file}, line 2: not valid JSON.`]);
  await assert.rejects(readReviewLog(file), /line 2: not valid JSON/, 'without onBadLine the read stays strict');
});

test('the table has one row per change with the given label, and the reviewer is named', () => {
  const entries = [
    ...reviewLogEntries({}, [{ path: 'b.png', decision: { action: 'relabel', label: 'cat' } }], {
      user: 'ada',
      time: at(1),
      undo: false,
    }),
    ...reviewLogEntries({ 'b.png': { action: 'relabel', label: 'cat' } }, [{ path: 'b.png', decision: null }], {
      user: 'ada',
      time: at(2),
      undo: true,
    }),
  ];
  assert.deepEqual(reviewLogRecords(entries, new Map([['b.png', 'dog']])), [
    ['timestamp', 'user', 'sample', 'given_label', 'action', 'from', 'from_label', 'to', 'to_label'],
    ['2026-11-30T10:01:00.000Z', 'ada', 'b.png', 'dog', 'relabel', 'pending', '', 'relabel', 'cat'],
    ['2026-11-30T10:02:00.000Z', 'ada', 'b.png', 'dog', 'undo', 'relabel', 'cat', 'pending', ''],
  ]);
  const me = currentReviewer();
  assert.ok(me.length > 0 && me !== 'unknown', `the OS user is named (${me})`);
});

test('a sample path named "constructor" starts pending, not as Object', () => {
  const entries = reviewLogEntries({}, [{ path: 'constructor', decision: { action: 'keep' } }], {
    user: 'ada',
    time: at(7),
    undo: false,
  });
  assert.deepEqual(
    entries.map((e) => [e.path, e.from, e.to]),
    [['constructor', null, { action: 'keep' }]],
  );
});
