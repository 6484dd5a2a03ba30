import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { loadDataset } from '../../../../src/core/data/dataset';
import { defaultDecisionsPath, readDecisionsDocument } from '../../../../src/core/review/decisions';
import { decisionsLockPath, mergeClassActions } from '../../../../src/core/review/sharedDecisions';
import { DecisionStore } from '../../../../src/extension/review/decisionStore';
import { REPO } from '../../../helpers/repo';
import { realImages, writeDataset } from '../../../helpers/realImages';
import { runTogether } from '../../../helpers/startTogether';

const run = promisify(execFile);
const CHILD = join(REPO, 'test', 'helpers', 'decisionWriter.child.ts');

// Two review windows on one dataset of real MNIST digits (regression for issue 11 item 3: each
// store rewrote decisions.json from memory, so 6 + 6 decisions left 6).
let root: string;
let paths: string[];
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'label-audit-shared-decisions-'));
  const { images, labels, classNames } = realImages(80, { seed: 11 });
  await writeDataset(root, { images, labels: labels.map((l) => classNames[l] as string) }, 'folder');
  paths = (await loadDataset(root)).samples.map((sample) => sample.path);
  assert.equal(paths.length, 80);
});
after(() => rm(root, { recursive: true, force: true }));

async function freshDecisions(): Promise<void> {
  await rm(join(root, '.label-audit'), { recursive: true, force: true });
}

test('two stores deciding alternately keep all 6 + 6 decisions', async () => {
  await freshDecisions();
  const a = await DecisionStore.open(root);
  const b = await DecisionStore.open(root);
  for (let i = 0; i < 6; i++) {
    await a.decide(paths[2 * i] as string, { action: 'remove' });
    await b.decide(paths[2 * i + 1] as string, { action: 'relabel', label: '7' });
  }
  const { decisions } = await readDecisionsDocument(defaultDecisionsPath(root));
  assert.equal(Object.keys(decisions).length, 12);
  for (let i = 0; i < 6; i++) {
    assert.deepEqual(decisions[paths[2 * i] as string], { action: 'remove' });
    assert.deepEqual(decisions[paths[2 * i + 1] as string], { action: 'relabel', label: '7' });
  }
  // Each store's view after its last write includes the other's decisions.
  assert.equal(Object.keys(b.decisions).length, 12);
});

test("one store's undo takes back only its own sample, not the other store's change", async () => {
  await freshDecisions();
  const a = await DecisionStore.open(root);
  const b = await DecisionStore.open(root);
  const [x, y] = paths as [string, string];
  await a.decide(x, { action: 'relabel', label: '3' });
  await b.decide(y, { action: 'remove' });
  // The webview's undo sends the previous decision of the samples it takes back (here: none).
  await a.decideMany([{ path: x, decision: undefined }]);
  const { decisions } = await readDecisionsDocument(defaultDecisionsPath(root));
  assert.deepEqual(decisions, { [y]: { action: 'remove' } });
  assert.deepEqual(a.decisions, { [y]: { action: 'remove' } });
});

test("reload picks up the other store's decisions and tells the listeners once", async () => {
  await freshDecisions();
  const a = await DecisionStore.open(root);
  const b = await DecisionStore.open(root);
  let fired = 0;
  a.onDidChange(() => fired++);
  await b.decide(paths[5] as string, { action: 'keep' });
  assert.equal(await a.reload(), true);
  assert.deepEqual(a.decisions, { [paths[5] as string]: { action: 'keep' } });
  assert.equal(fired, 1);
  assert.equal(await a.reload(), false, 'nothing new: no event');
  assert.equal(fired, 1);
});

test('class actions made in two windows are merged, and an undo takes back only its own', async () => {
  await freshDecisions();
  const a = await DecisionStore.open(root);
  const b = await DecisionStore.open(root);
  await a.setClassActions([{ action: 'merge', from: '5', into: '3' }]);
  await b.setClassActions([{ action: 'rename', from: '9', to: 'nine' }]);
  let onDisk = await readDecisionsDocument(defaultDecisionsPath(root));
  assert.deepEqual(onDisk.classActions, [
    { action: 'merge', from: '5', into: '3' },
    { action: 'rename', from: '9', to: 'nine' },
  ]);
  await a.setClassActions([]); // a's undo of its merge, from the list a saw
  onDisk = await readDecisionsDocument(defaultDecisionsPath(root));
  assert.deepEqual(onDisk.classActions, [{ action: 'rename', from: '9', to: 'nine' }]);
  assert.deepEqual(mergeClassActions([], [], []), []);
});

test('two processes saving 40 decisions each at once lose none, and leave no lock or temp file', async () => {
  await freshDecisions();
  const first = paths.slice(0, 40);
  const second = paths.slice(40, 80);
  await runTogether(CHILD, [
    [root, 'first', ...first],
    [root, 'second', ...second],
  ]);
  const { decisions } = await readDecisionsDocument(defaultDecisionsPath(root));
  const missing = [...first.filter((p) => decisions[p]?.action !== 'relabel'), ...second.filter((p) => !decisions[p])];
  assert.deepEqual(missing, [], 'every decision of both processes is in the file');
  for (const path of first) assert.deepEqual(decisions[path], { action: 'relabel', label: 'first' });
  for (const path of second) assert.deepEqual(decisions[path], { action: 'relabel', label: 'second' });
  assert.deepEqual(await readdir(join(root, '.label-audit')), ['decisions.json']);
});

test('a lock left by a dead process is taken over', async () => {
  await freshDecisions();
  const store = await DecisionStore.open(root);
  await store.decide(paths[0] as string, { action: 'keep' });
  // A pid that is certainly not running: a child that has exited.
  const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const lock = decisionsLockPath(defaultDecisionsPath(root));
  await writeFile(
    lock,
    JSON.stringify({
      pid: Number(stdout),
      host: (await import('node:os')).hostname(),
      token: 'x',
      time: new Date().toISOString(),
    }),
  );
  await store.decide(paths[1] as string, { action: 'remove' });
  const { decisions } = await readDecisionsDocument(defaultDecisionsPath(root));
  assert.equal(Object.keys(decisions).length, 2);
  assert.deepEqual(await readdir(join(root, '.label-audit')), ['decisions.json']);
});
