import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadDataset } from '../../../../src/core/data/dataset';
import { exportCleanedLabels } from '../../../../src/core/export/exportLabels';
import type { ClassAction, Dataset, Decisions } from '../../../../src/core/shared/types';
import { realImages, writeDataset } from '../../../helpers/realImages';

// 12 real mnist digits, classes '0', '1', '2' (4 each, image i has class i % 3), in each layout.
// Class actions: merge '1' into '0', then rename '2' to 'two/2' (a name that cannot be a folder).
const ACTIONS: ClassAction[] = [
  { action: 'merge', from: '1', into: '0' },
  { action: 'rename', from: '2', to: 'two/2' },
];
const NOW = new Date('2026-11-25T10:00:00.000Z');
let base: string;
let digits: { images: Uint8Array[]; labels: string[] };

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'label-audit-class-export-'));
  const real = realImages(12, { classes: [0, 1, 2], seed: 7 });
  digits = { images: real.images, labels: real.labels.map((id) => real.classNames[id]) };
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

let count = 0;
async function fresh(layout: 'folder' | 'csv' | 'json'): Promise<{ dataset: Dataset; paths: string[] }> {
  const root = join(base, `dataset-${count++}`);
  const paths = await writeDataset(root, digits, layout);
  return { dataset: await loadDataset(root), paths };
}

/** Per-sample decisions on top of the class actions: the order README documents. */
function decisionsFor(paths: readonly string[]): Decisions {
  const byClass = (label: string) => paths.filter((_, i) => digits.labels[i] === label);
  return {
    // A '0' relabeled to '1': '1' was merged into '0', so the relabel follows the merge and changes nothing.
    [byClass('0')[0]]: { action: 'relabel', label: '1' },
    // A '1' relabeled to '2': '2' was renamed, so it ends as 'two/2'.
    [byClass('1')[0]]: { action: 'relabel', label: '2' },
    // A merged '1' kept: keeps its class, which is now '0'.
    [byClass('1')[1]]: { action: 'keep' },
    [byClass('2')[0]]: { action: 'remove' },
  };
}

/** What a reload of the export must show: path → final label. */
function expected(paths: readonly string[], prefix = ''): Map<string, string> {
  const decisions = decisionsFor(paths);
  const map = new Map<string, string>();
  paths.forEach((path, i) => {
    const d = decisions[path];
    if (d?.action === 'remove') return;
    const label = d?.action === 'relabel' ? d.label : digits.labels[i];
    map.set(prefix + path, label === '1' ? '0' : label === '2' ? 'two/2' : label);
  });
  return map;
}

async function reloaded(labelsPath: string): Promise<Map<string, string>> {
  const dataset = await loadDataset(labelsPath);
  return new Map(dataset.samples.map((s) => [s.path, s.label]));
}

describe('exportCleanedLabels with class actions', () => {
  for (const layout of ['csv', 'json', 'folder'] as const) {
    it(`${layout}: merges and renames every label, then applies the per-sample decisions; originals untouched`, async () => {
      const { dataset, paths } = await fresh(layout);
      const originalManifest = dataset.manifestPath ? await readFile(dataset.manifestPath, 'utf8') : undefined;
      const result = await exportCleanedLabels(dataset, decisionsFor(paths), { classActions: ACTIONS, now: NOW });
      assert.deepEqual(await reloaded(result.labelsPath), expected(paths));
      assert.equal(new Set((await reloaded(result.labelsPath)).values()).size, 2, 'only "0" and "two/2" are left');
      if (dataset.manifestPath)
        assert.equal(
          await readFile(dataset.manifestPath, 'utf8'),
          originalManifest,
          'the original manifest is unchanged',
        );
      if (layout === 'folder')
        assert.ok(result.labelsPath.endsWith('labels.cleaned.csv'), 'a folder dataset exports a manifest');
      // 12 samples: 1 removed, 1 relabeled (1 → two/2), 2 kept (the relabel that follows the merge, the keep),
      // and every other sample of '1' and '2' moved by its class: 3 + 2 (the removed '2' and relabeled '1' excluded).
      assert.deepEqual(
        {
          relabeled: result.relabeled,
          removed: result.removed,
          kept: result.kept,
          classChanged: result.classChanged,
          unchanged: result.unchanged,
        },
        { relabeled: 1, removed: 1, kept: 2, classChanged: 5, unchanged: 3 },
      );
      const rows = parse(await readFile(result.logPath, 'utf8'), { columns: true }) as Record<string, string>[];
      // The last row is the export itself, naming the labels file the log belongs to.
      const exportRow = rows.at(-1);
      assert.equal(exportRow?.action, 'export');
      assert.equal(exportRow?.path, basename(result.labelsPath));
      const log = rows.slice(0, -1);
      assert.equal(log.length, 9, 'one row per decision and per sample a class action moved');
      assert.deepEqual(
        new Set(log.map((row) => row.action)),
        new Set(['relabel', 'keep', 'remove', 'merge', 'rename']),
      );
      for (const row of log.filter((r) => r.action === 'merge'))
        assert.deepEqual([row.given_label, row.final_label], ['1', '0']);
      for (const row of log.filter((r) => r.action === 'rename'))
        assert.deepEqual([row.given_label, row.final_label], ['2', 'two/2']);
    });
  }

  it('a chain (rename, then merge the new name) ends at the last class', async () => {
    const { dataset, paths } = await fresh('csv');
    const chain: ClassAction[] = [
      { action: 'rename', from: '1', to: 'one' },
      { action: 'merge', from: 'one', into: '2' },
    ];
    const result = await exportCleanedLabels(dataset, {}, { classActions: chain, now: NOW });
    const labels = await reloaded(result.labelsPath);
    paths.forEach((path, i) => assert.equal(labels.get(path), digits.labels[i] === '1' ? '2' : digits.labels[i]));
  });

  it('refuses class actions that name no class of the dataset, naming the decisions file, and writes nothing', async () => {
    const { dataset } = await fresh('csv');
    const file = join(dataset.root, 'my-decisions.json');
    const typo: ClassAction[] = [{ action: 'merge', from: '7', into: '0' }];
    await assert.rejects(
      exportCleanedLabels(dataset, {}, { classActions: typo, now: NOW, decisionsFile: file }),
      (error: Error) => error.message === `Decisions file ${file}: class action 1 (merge "7"): there is no class "7".`,
    );
    await assert.rejects(readFile(join(dataset.root, 'labels.cleaned.csv')), { code: 'ENOENT' });
  });

  it('without class actions writes the same file as before they existed', async () => {
    const { dataset, paths } = await fresh('csv');
    const decisions: Decisions = { [paths[0]]: { action: 'remove' } };
    const plain = await exportCleanedLabels(dataset, decisions, { now: NOW, outPath: join(dataset.root, 'a.csv') });
    const empty = await exportCleanedLabels(dataset, decisions, {
      now: NOW,
      outPath: join(dataset.root, 'b.csv'),
      classActions: [],
    });
    assert.equal(await readFile(plain.labelsPath, 'utf8'), await readFile(empty.labelsPath, 'utf8'));
    assert.equal(plain.classChanged, 0);
  });
});
