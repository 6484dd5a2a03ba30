/**
 * The class rules on a real audit of real MNIST digits: a rare class is warned about (saying how
 * many images would do), no class has more than half its members flagged, and one digit split
 * into two folders at random ("1" and "one") is suggested for a merge, in the report and the CLI
 * summary.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runAudit } from '../../../../src/core/audit';
import { chooseBackend } from '../../../../src/engine/backend';
import { formatSuspects } from '../../../../src/cli/summary';
import { realImages, writeDataset } from '../../../helpers/realImages';

// Digits 0, 1, 2, 3 (60 each) and 6 images of 4; the 60 ones go half to "1", half to "one".
let root: string;

before(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'label-audit-classes-'));
  const common = realImages(240, { classes: [0, 1, 2, 3], seed: 5 });
  const rare = realImages(6, { classes: [4], seed: 6 });
  let ones = 0;
  const labels = common.labels.map((id) => (id === 1 ? (ones++ % 2 === 0 ? '1' : 'one') : String(id)));
  await writeDataset(
    root,
    { images: [...common.images, ...rare.images], labels: [...labels, ...rare.labels.map(String)] },
    'folder',
  );
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('a real audit warns about the rare class, caps flags at half a class and suggests merging a split class', async () => {
  const { report } = await runAudit(root, {
    backend: 'wasm',
    epochs: 12,
    minSampleSteps: 0,
    batchSize: 32,
    imageSize: 28,
  });
  const health = new Map((report.classes ?? []).map((c) => [c.name, c]));
  assert.deepEqual([...health.keys()], ['0', '1', '2', '3', '4', 'one']);
  assert.equal(health.get('4')?.count, 6);
  // Classes of 6, 30, 30, 60, 60, 60 images: median 45, so half of it, 23, would be enough.
  assert.match(health.get('4')?.warning ?? '', /only 6 images of "4".*about 23 would be enough \(17 more\)/);
  for (const name of ['0', '2', '3']) assert.equal(health.get(name)?.warning, undefined, `no warning for ${name}`);
  for (const c of report.classes ?? []) {
    assert.ok(c.flagged <= Math.floor(c.count / 2), `${c.name}: ${c.flagged} of ${c.count} flagged`);
    assert.equal(c.flagged, report.samples.filter((s) => s.givenLabel === c.name && s.flagged).length);
    assert.equal(c.heldBack, report.samples.filter((s) => s.givenLabel === c.name && s.heldBack).length);
  }
  const merges = report.mergeSuggestions ?? [];
  assert.deepEqual(
    merges.map((m) => [m.from, m.into].sort()),
    [['1', 'one']],
    `suggestions: ${JSON.stringify(merges)}`,
  );
  const summary = formatSuspects(report, 5);
  assert.match(summary, /Class warnings \(\d\):\n {2}4 \(6 images, \d+ flagged\): only 6 images/);
  assert.match(summary, /Merge suggested: "(1|one)" into "(one|1)"/);
});
