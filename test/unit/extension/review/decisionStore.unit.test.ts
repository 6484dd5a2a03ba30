import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { defaultDecisionsPath, readDecisions } from '../../../../src/core/review/decisions';
import { AuditError } from '../../../../src/core/errors';
import { DecisionStore } from '../../../../src/extension/review/decisionStore';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'label-audit-store-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

test('every decision is on disk when decide resolves, and a new store reads them back', async () => {
  const store = await DecisionStore.open(root);
  assert.deepEqual(store.decisions, {});
  await store.decide('3/001.png', { action: 'relabel', label: '5' });
  assert.deepEqual(await readDecisions(defaultDecisionsPath(root)), { '3/001.png': { action: 'relabel', label: '5' } });
  await store.decide('4/002.png', { action: 'remove' });
  await store.decide('3/001.png', undefined);
  const reopened = await DecisionStore.open(root);
  assert.deepEqual(reopened.decisions, { '4/002.png': { action: 'remove' } });
});

test('a burst of decisions is written in order and ends with the newest state', async () => {
  const store = await DecisionStore.open(root);
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 40; i++)
    writes.push(
      store.decide(`img/${String(i).padStart(3, '0')}.png`, i % 2 ? { action: 'keep' } : { action: 'remove' }),
    );
  writes.push(store.decide('img/000.png', undefined));
  await Promise.all(writes);
  const onDisk = await readDecisions(defaultDecisionsPath(root));
  assert.equal(Object.keys(onDisk).length, 39);
  assert.equal(onDisk['img/000.png'], undefined);
  assert.deepEqual(onDisk['img/039.png'], { action: 'keep' });
  // Atomic writes leave no temp files behind.
  assert.deepEqual(await readdir(dirname(defaultDecisionsPath(root))), ['decisions.json']);
});

test('decideMany writes once and onDidChange fires per change', async () => {
  const store = await DecisionStore.open(root);
  let fired = 0;
  const subscription = store.onDidChange(() => fired++);
  await store.decideMany([
    { path: 'a.png', decision: { action: 'keep' } },
    { path: 'b.png', decision: { action: 'relabel', label: 'cat' } },
  ]);
  assert.equal(fired, 1);
  assert.deepEqual(store.decisions, { 'a.png': { action: 'keep' }, 'b.png': { action: 'relabel', label: 'cat' } });
  subscription.dispose();
  await store.decide('a.png', undefined);
  assert.equal(fired, 1, 'a disposed listener is not called');
});

test('an invalid decision is refused and the file keeps its last good state', async () => {
  const store = await DecisionStore.open(root);
  await store.decide('a.png', { action: 'keep' });
  await assert.rejects(store.decide('b.png', { action: 'relabel', label: ' padded ' }), (e) =>
    AuditError.is(e, 'decisionsMalformed'),
  );
  assert.deepEqual(await readDecisions(defaultDecisionsPath(root)), { 'a.png': { action: 'keep' } });
  assert.deepEqual(store.decisions, { 'a.png': { action: 'keep' } }, 'nor is it kept in memory');
  await store.decide('c.png', { action: 'remove' });
  assert.deepEqual(await readDecisions(defaultDecisionsPath(root)), {
    'a.png': { action: 'keep' },
    'c.png': { action: 'remove' },
  });
});

test('a malformed decisions file is reported with its name', async () => {
  const file = defaultDecisionsPath(root);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, '{"version": 1, "decisions": {"a.png": {"action": "burn"}}}');
  await assert.rejects(
    DecisionStore.open(root),
    (e) => AuditError.is(e, 'decisionsMalformed') && e.message.includes(file) && /burn/.test(e.message),
  );
  assert.match(await readFile(file, 'utf8'), /burn/, 'the bad file is left for the user to fix');
});
