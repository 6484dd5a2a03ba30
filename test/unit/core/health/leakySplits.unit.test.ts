import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../../../src/core/data/dataset';
import { decodeImages } from '../../../../src/core/data/decode';
import { findDuplicates } from '../../../../src/core/detection/duplicates';
import { findLeaks, folderSplit, sampleSplits } from '../../../../src/core/health/leakySplits';
import { realImages, writePng } from '../../../helpers/realImages';
import { withTempDir } from '../../../helpers/tempDir';

async function leaksOf(path: string) {
  const dataset = await loadDataset(path);
  const decoded = await decodeImages(dataset, { size: 32 });
  const groups = findDuplicates(
    decoded.images,
    decoded.kept.map((i) => dataset.samples[i]),
    decoded.contentOf,
  ).groups;
  const splits = sampleSplits(dataset);
  return splits && findLeaks(dataset, decoded.kept, splits, groups);
}

test('folderSplit finds a split folder at any level, outermost first', () => {
  assert.equal(folderSplit('cat/train/1.png'), 'train');
  assert.equal(folderSplit('Validation/cat/1.png'), 'val');
  assert.equal(folderSplit('data/TEST/cat/valid/1.png'), 'test');
  assert.equal(folderSplit('cat/trainee/1.png'), '');
  assert.equal(folderSplit('train.png'), '');
});

test('a split column: copies across splits are listed (exact first), with per-split class counts', async () => {
  await withTempDir('leaks-csv', async (root) => {
    const { images, labels } = realImages(40, { seed: 41 });
    const rows = ['path,label,split'];
    for (let i = 0; i < images.length; i++) {
      await writePng(join(root, 'images', `${i}.png`), images[i]);
      rows.push(`images/${i}.png,${labels[i]},${i < 30 ? 'train' : 'test'}`);
    }
    // An exact copy of a training image in test, and a near copy (brightened by 2) in test.
    await copyFile(join(root, 'images', '0.png'), join(root, 'images', 'copy.png'));
    rows.push(`images/copy.png,${labels[0]},test`);
    await writePng(
      join(root, 'images', 'near.png'),
      Uint8Array.from(images[1], (v) => Math.min(255, v + 2)),
    );
    rows.push(`images/near.png,${labels[1]},test`);
    // A copy inside one split is no leak.
    await copyFile(join(root, 'images', '2.png'), join(root, 'images', 'same-split.png'));
    rows.push(`images/same-split.png,${labels[2]},train`);
    await writeFile(join(root, 'labels.csv'), `${rows.join('\n')}\n`);
    const leaks = await leaksOf(join(root, 'labels.csv'));
    assert.ok(leaks);
    assert.equal(leaks.source, 'column');
    assert.deepEqual(
      leaks.groups.map((g) => [g.kind, g.members.map((m) => `${m.path}@${m.split}`)]),
      [
        ['exact', ['images/0.png@train', 'images/copy.png@test']],
        ['near', ['images/1.png@train', 'images/near.png@test']],
      ],
    );
    assert.equal(leaks.images, 4);
    assert.deepEqual(
      leaks.splits.map((s) => [s.split, s.samples]),
      [
        ['train', 31],
        ['test', 12],
      ],
    );
    const trainCounts = leaks.splits[0].classes;
    assert.equal(
      Object.values(trainCounts).reduce((a, b) => a + b, 0),
      31,
    );
  });
});

test('split folders inside class folders are splits; a dataset without splits has none', async () => {
  await withTempDir('leaks-folders', async (root) => {
    const { images, labels } = realImages(20, { seed: 42 });
    for (let i = 0; i < images.length; i++)
      await writePng(join(root, 'split', String(labels[i]), i < 15 ? 'train' : 'val', `${i}.png`), images[i]);
    const target = join(root, 'split', String(labels[3]), 'val', 'leak.png');
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(root, 'split', String(labels[3]), 'train', '3.png'), target);
    const leaks = await leaksOf(join(root, 'split'));
    assert.ok(leaks);
    assert.equal(leaks.source, 'folders');
    assert.deepEqual(
      leaks.groups.map((g) => g.members.map((m) => m.split)),
      [['train', 'val']],
    );
    for (let i = 0; i < 10; i++) await writePng(join(root, 'plain', String(labels[i]), `${i}.png`), images[i]);
    assert.equal(await leaksOf(join(root, 'plain')), undefined);
  });
});
