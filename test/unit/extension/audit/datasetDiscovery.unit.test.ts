import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { loadDataset } from '../../../../src/core/data/dataset';
import { findDatasets } from '../../../../src/extension/audit/datasetDiscovery';

// A workspace made of real digit PNGs from the sample dataset, laid out in every way the search
// must find or pass over.
import { SAMPLE_DIGITS as DIGITS } from '../../../helpers/repo';
import { AUDIT_DIR } from '../../../../src/core/report';
let workspace: string;

/** Copies the first `count` images of each of `classes` from the sample digits into `target/<class>/`. */
async function classFolders(target: string, classes: string[], count = 6): Promise<void> {
  for (const label of classes) {
    const files = (await readdir(join(DIGITS, label))).sort().slice(0, count);
    await mkdir(join(target, label), { recursive: true });
    for (const file of files) await cp(join(DIGITS, label, file), join(target, label, file));
  }
}

/** Copies images flat into `target/images/` and writes a labels.csv naming them. */
async function manifestDataset(target: string, name: string): Promise<void> {
  const rows = ['path,label'];
  for (const label of ['3', '5']) {
    const files = (await readdir(join(DIGITS, label))).sort().slice(0, 6);
    await mkdir(join(target, 'images'), { recursive: true });
    for (const file of files) {
      await cp(join(DIGITS, label, file), join(target, 'images', `${label}-${file}`));
      rows.push(`images/${label}-${file},${label}`);
    }
  }
  if (name.endsWith('.csv')) await writeFile(join(target, name), rows.join('\n') + '\n');
  else
    await writeFile(
      join(target, name),
      JSON.stringify(rows.slice(1).map((r) => ({ path: r.split(',')[0], label: r.split(',')[1] }))),
    );
}

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'label-audit-discovery-'));
  await classFolders(join(workspace, 'data', 'digits'), ['0', '1', '2']);
  await mkdir(join(workspace, 'data', 'digits', AUDIT_DIR), { recursive: true });
  await writeFile(join(workspace, 'data', 'digits', AUDIT_DIR, 'report.json'), '{}');
  await manifestDataset(join(workspace, 'data', 'csv'), 'labels.csv');
  // Two label files in one folder: each is a dataset of its own (the folder alone would be ambiguous).
  await manifestDataset(join(workspace, 'two'), 'labels.csv');
  await manifestDataset(join(workspace, 'two'), 'annotations.json');
  // Only one class folder with images: not a dataset.
  await classFolders(join(workspace, 'single'), ['7']);
  // Never searched: dependencies, VCS and our own working folder, even if they look like datasets.
  await classFolders(join(workspace, 'node_modules', 'some-package', 'fixtures'), ['4', '5']);
  await classFolders(join(workspace, '.git', 'objects'), ['4', '5']);
  await classFolders(join(workspace, 'data', 'csv', AUDIT_DIR, 'cache'), ['4', '5']);
  // Five levels down: beyond the default depth of 4.
  await classFolders(join(workspace, 'a', 'b', 'c', 'd', 'deep'), ['8', '9']);
});

after(async () => {
  await rm(workspace, { recursive: true, force: true });
});

test('finds folder-per-class datasets and label files, shallow ones first, and nothing else', async () => {
  const found = await findDatasets([workspace]);
  const rel = (path: string) => relative(workspace, path).split('\\').join('/');
  assert.deepEqual(
    found.map((d) => ({
      path: rel(d.path),
      root: rel(d.root),
      format: d.format,
      classes: d.classes,
      hasReport: d.hasReport,
    })),
    [
      { path: 'two/annotations.json', root: 'two', format: 'json', classes: undefined, hasReport: false },
      { path: 'two/labels.csv', root: 'two', format: 'csv', classes: undefined, hasReport: false },
      { path: 'data/csv/labels.csv', root: 'data/csv', format: 'csv', classes: undefined, hasReport: false },
      { path: 'data/digits', root: 'data/digits', format: 'folder', classes: 3, hasReport: true },
    ],
  );
});

test('every dataset found is one the engine can load, with the format found', async () => {
  for (const detected of await findDatasets([workspace])) {
    const dataset = await loadDataset(detected.path);
    assert.equal(dataset.format, detected.format, detected.path);
    assert.equal(dataset.root, detected.root);
    assert.ok(dataset.samples.length >= 12, `${detected.path}: ${dataset.samples.length} samples`);
  }
});

test('the bounds hold: depth, number of results and number of folders read', async () => {
  const deeper = await findDatasets([workspace], { maxDepth: 5 });
  assert.ok(
    deeper.some((d) => d.path.endsWith(join('d', 'deep'))),
    'depth 5 reaches a/b/c/d/deep',
  );
  assert.equal((await findDatasets([workspace], { maxResults: 2 })).length, 2);
  assert.deepEqual(
    await findDatasets([workspace], { maxFolders: 1 }),
    [],
    'one folder read: only the workspace root, no dataset',
  );
  assert.deepEqual(await findDatasets([join(workspace, 'missing')]), [], 'a missing root is passed over');
});

test('several roots are searched in turn, a dataset root given directly is found at depth 0', async () => {
  const found = await findDatasets([join(workspace, 'data', 'digits'), join(workspace, 'data', 'csv')]);
  assert.deepEqual(
    found.map((d) => d.format),
    ['folder', 'csv'],
  );
});
