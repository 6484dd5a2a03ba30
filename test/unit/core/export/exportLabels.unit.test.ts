import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataset } from '../../../../src/core/data/dataset';
import { AuditError } from '../../../../src/core/errors';
import { exportCleanedLabels } from '../../../../src/core/export/exportLabels';
import type { Dataset, Decisions } from '../../../../src/core/shared/types';
import { realImages, writeDataset } from '../../../helpers/realImages';

// 12 real mnist digits, classes '0', '1', '2' (4 each, round-robin: image i has class i % 3).
const COUNT = 12;
const NOW = new Date('2026-11-25T10:00:00.000Z');
let base: string;
let digits: { images: Uint8Array[]; labels: string[] };

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'label-audit-export-'));
  const real = realImages(COUNT, { classes: [0, 1, 2], seed: 7 });
  digits = { images: real.images, labels: real.labels.map((id) => real.classNames[id]) };
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

let datasets = 0;
/** A fresh dataset folder with the 12 digits written as PNGs in the given layout. */
async function freshDataset(layout: 'folder' | 'csv' | 'json'): Promise<{ root: string; paths: string[] }> {
  const root = join(base, `dataset-${datasets++}`);
  const paths = await writeDataset(root, digits, layout);
  return { root, paths };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** path → label of the loaded samples. */
function labelsOf(dataset: Dataset): Map<string, string> {
  return new Map(dataset.samples.map((sample) => [sample.path, sample.label]));
}

/** The given labels with the decisions applied: what a reload of the export must show. */
function expectedLabels(paths: readonly string[], decisions: Decisions, prefix = ''): Map<string, string> {
  const expected = new Map<string, string>();
  paths.forEach((path, i) => {
    const decision = decisions[path];
    if (decision?.action === 'remove') return;
    expected.set(prefix + path, decision?.action === 'relabel' ? decision.label : digits.labels[i]);
  });
  return expected;
}

/** A label other than the given one, for relabel decisions. */
function otherLabel(i: number): string {
  return String((Number(digits.labels[i]) + 1) % 3);
}

function rejectsWith(reason: AuditError['reason'], pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(AuditError.is(error, reason), `expected AuditError ${reason}, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('exportCleanedLabels: CSV', () => {
  // Two dialects: a spreadsheet export (BOM, CRLF, ',') and a European one (';', LF, no BOM).
  const dialects = [
    { name: 'BOM + CRLF + comma', bom: true, eol: '\r\n', d: ',' },
    { name: 'LF + semicolon', bom: false, eol: '\n', d: ';' },
  ] as const;

  for (const { name, bom, eol, d } of dialects) {
    it(`round-trips keep/relabel/remove byte-for-byte (${name})`, async () => {
      const { root, paths } = await freshDataset('csv');
      // Label column before the path column, extra columns around them, cells that need quotes
      // (delimiter, quotes, a line break even in a CRLF file), a row whose image is missing and two
      // rows repeating a sample's path in another spelling ('./', '\').
      const notes = [
        'plain',
        `"has${d} delimiter"`,
        '"say ""hi"""',
        '"two\nlines"',
        ...Array.from({ length: COUNT - 4 }, (_, i) => `note ${i + 4}`),
      ];
      const row = (id: string, label: string, path: string, note: string): string => [id, label, path, note].join(d);
      const rows = paths.map((path, i) => row(String(i), digits.labels[i], path, notes[i]));
      const missingRow = row('98', '1', 'images/missing.png', 'gone');
      const dupRemoved = row('5b', digits.labels[5], './images/00005.png', 'duplicate');
      const dupRelabeled = row('6b', digits.labels[6], 'images\\00006.png', 'duplicate');
      const header = ['id', 'label', 'path', 'note'].join(d);
      const lines = [header, ...rows.slice(0, 8), missingRow, dupRemoved, dupRelabeled, ...rows.slice(8)];
      const manifest = join(root, 'labels.csv');
      const original = Buffer.from(`${bom ? '\uFEFF' : ''}${lines.join(eol)}${eol}`, 'utf8');
      await writeFile(manifest, original);

      const dataset = await loadDataset(manifest);
      assert.equal(dataset.samples.length, COUNT, 'every image row is a sample');
      assert.deepEqual(dataset.issues.map((issue) => issue.kind).sort(), [
        'duplicateEntry',
        'duplicateEntry',
        'missingFile',
      ]);

      const decisions: Decisions = {
        [paths[0]]: { action: 'keep' },
        [paths[1]]: { action: 'relabel', label: otherLabel(1) },
        [paths[3]]: { action: 'relabel', label: digits.labels[3] },
        [paths[4]]: { action: 'relabel', label: otherLabel(4) },
        [paths[5]]: { action: 'remove' },
        [paths[6]]: { action: 'relabel', label: otherLabel(6) },
        [paths[9]]: { action: 'relabel', label: 'nine; or "9"' },
      };
      const result = await exportCleanedLabels(dataset, decisions, { now: NOW });

      assert.equal(result.labelsPath, join(root, 'labels.cleaned.csv'));
      assert.equal(result.logPath, join(root, 'labels.cleaned.decisions.csv'));
      assert.deepEqual(
        { kept: result.kept, relabeled: result.relabeled, removed: result.removed, unchanged: result.unchanged },
        { kept: 2, relabeled: 4, removed: 1, unchanged: 5 },
      );
      // The original is untouched, byte for byte.
      assert.equal(sha256(await readFile(manifest)), sha256(original));

      // Exactly the original bytes, except: relabeled rows (and the duplicate of one) carry the new
      // label, the removed row and its duplicate are gone, the new label with a quote is quoted.
      const newLabel9 = '"nine; or ""9"""';
      const expectedLines = [
        header,
        rows[0],
        row('1', otherLabel(1), paths[1], notes[1]),
        rows[2],
        rows[3],
        row('4', otherLabel(4), paths[4], notes[4]),
        row('6', otherLabel(6), paths[6], notes[6]),
        rows[7],
        missingRow,
        row('6b', otherLabel(6), 'images\\00006.png', 'duplicate'),
        rows[8],
        row('9', newLabel9, paths[9], notes[9]),
        ...rows.slice(10),
      ];
      const exported = await readFile(result.labelsPath, 'utf8');
      assert.equal(exported, `${bom ? '\uFEFF' : ''}${expectedLines.join(eol)}${eol}`);

      const reloaded = await loadDataset(result.labelsPath);
      assert.deepEqual(labelsOf(reloaded), expectedLabels(paths, decisions));
      assert.deepEqual(reloaded.issues.map((issue) => issue.kind).sort(), [
        'duplicateEntry',
        'missingFile',
        'smallClass',
      ]);

      const log = await readFile(result.logPath, 'utf8');
      // Every row names the labels file it belongs to by hash; the last row is the export itself.
      const sha = sha256(Buffer.from(exported));
      const logLines = [
        'path,given_label,action,final_label,exported_at,labels_sha256',
        `${paths[0]},${digits.labels[0]},keep,${digits.labels[0]},${NOW.toISOString()},${sha}`,
        `${paths[1]},${digits.labels[1]},relabel,${otherLabel(1)},${NOW.toISOString()},${sha}`,
        `${paths[3]},${digits.labels[3]},keep,${digits.labels[3]},${NOW.toISOString()},${sha}`,
        `${paths[4]},${digits.labels[4]},relabel,${otherLabel(4)},${NOW.toISOString()},${sha}`,
        `${paths[5]},${digits.labels[5]},remove,,${NOW.toISOString()},${sha}`,
        `${paths[6]},${digits.labels[6]},relabel,${otherLabel(6)},${NOW.toISOString()},${sha}`,
        `${paths[9]},${digits.labels[9]},relabel,"nine; or ""9""",${NOW.toISOString()},${sha}`,
        `labels.cleaned.csv,,export,,${NOW.toISOString()},${sha}`,
      ];
      assert.equal(log, `${bom ? '\uFEFF' : ''}${logLines.join(eol)}${eol}`);
    });
  }

  it('writes an unchanged copy when there are no decisions', async () => {
    const { root } = await freshDataset('csv');
    const manifest = join(root, 'labels.csv');
    const result = await exportCleanedLabels(await loadDataset(manifest), {}, { now: NOW });
    assert.equal(await readFile(result.labelsPath, 'utf8'), await readFile(manifest, 'utf8'));
    const exported = await readFile(result.labelsPath, 'utf8');
    assert.equal(
      await readFile(result.logPath, 'utf8'),
      `path,given_label,action,final_label,exported_at,labels_sha256\nlabels.cleaned.csv,,export,,${NOW.toISOString()},${sha256(Buffer.from(exported))}\n`,
    );
    assert.equal(result.unchanged, COUNT);
  });
});

describe('exportCleanedLabels: JSON', () => {
  it('keeps the array shape, other fields, key order and number labels', async () => {
    const { root, paths } = await freshDataset('json');
    // Label before path, numbers as labels, a nested field, and an entry that is not an object.
    const document = [
      ...paths.map((path, i) => ({ id: i, class: Number(digits.labels[i]), file: path, meta: { source: 'mnist', i } })),
      'not an entry',
    ];
    const manifest = join(root, 'labels.json');
    const original = Buffer.from(JSON.stringify(document, null, 4), 'utf8');
    await writeFile(manifest, original);
    const dataset = await loadDataset(manifest);
    assert.equal(dataset.samples.length, COUNT);

    const decisions: Decisions = {
      [paths[2]]: { action: 'relabel', label: otherLabel(2) },
      [paths[3]]: { action: 'remove' },
      [paths[10]]: { action: 'relabel', label: 'ten' },
      [paths[11]]: { action: 'keep' },
    };
    const result = await exportCleanedLabels(dataset, decisions, { now: NOW });
    assert.equal(result.labelsPath, join(root, 'labels.cleaned.json'));
    assert.equal(sha256(await readFile(manifest)), sha256(original));

    const expected = [
      ...document.slice(0, 2),
      { ...(document[2] as object), class: Number(otherLabel(2)) },
      ...document.slice(4, 10),
      { ...(document[10] as object), class: 'ten' },
      ...document.slice(11),
    ];
    assert.equal(await readFile(result.labelsPath, 'utf8'), `${JSON.stringify(expected, null, 2)}\n`);
    assert.deepEqual(labelsOf(await loadDataset(result.labelsPath)), expectedLabels(paths, decisions));
    assert.deepEqual(
      { kept: result.kept, relabeled: result.relabeled, removed: result.removed, unchanged: result.unchanged },
      { kept: 1, relabeled: 2, removed: 1, unchanged: 8 },
    );
  });

  it('keeps the path → label map shape and its key order', async () => {
    const { root, paths } = await freshDataset('json');
    const document = Object.fromEntries(paths.map((path, i) => [path, digits.labels[i]]).reverse());
    const manifest = join(root, 'labels.json');
    await writeFile(manifest, JSON.stringify(document));
    const dataset = await loadDataset(manifest);
    const decisions: Decisions = {
      [paths[0]]: { action: 'remove' },
      [paths[7]]: { action: 'relabel', label: otherLabel(7) },
    };
    const result = await exportCleanedLabels(dataset, decisions, { outPath: join(root, 'reviewed.json'), now: NOW });

    assert.equal(result.labelsPath, join(root, 'reviewed.json'));
    assert.equal(result.logPath, join(root, 'reviewed.decisions.csv'));
    const expected = Object.fromEntries(
      Object.entries(document)
        .filter(([path]) => path !== paths[0])
        .map(([path, label]) => [path, path === paths[7] ? otherLabel(7) : label]),
    );
    assert.equal(await readFile(result.labelsPath, 'utf8'), `${JSON.stringify(expected, null, 2)}\n`);
    assert.deepEqual(labelsOf(await loadDataset(result.labelsPath)), expectedLabels(paths, decisions));
  });
});

describe('exportCleanedLabels: folder per class', () => {
  const decisionsFor = (paths: string[]): Decisions => ({
    [paths[0]]: { action: 'relabel', label: otherLabel(0) },
    [paths[1]]: { action: 'remove' },
    [paths[2]]: { action: 'keep' },
  });

  it('writes <root>/labels.cleaned.csv that loads as the decided dataset', async () => {
    const { root, paths } = await freshDataset('folder');
    const dataset = await loadDataset(root);
    // Folder datasets list samples sorted by path; the helper's paths are '<label>/<index>.png'.
    const sorted = [...paths].sort();
    const decisions = decisionsFor(sorted);
    const result = await exportCleanedLabels(dataset, decisions, { now: NOW });

    assert.equal(result.labelsPath, join(root, 'labels.cleaned.csv'));
    const text = await readFile(result.labelsPath, 'utf8');
    assert.match(text, /^path,label\n/);
    const reloaded = await loadDataset(result.labelsPath);
    assert.equal(reloaded.format, 'csv');
    assert.deepEqual(labelsOf(reloaded), expectedLabels(paths, decisions));
    // The export does not change how the folder itself loads.
    const again = await loadDataset(root);
    assert.equal(again.format, 'folder');
    assert.deepEqual(labelsOf(again), labelsOf(dataset));
  });

  it('writes a JSON array, with paths relative to a folder above the root', async () => {
    const { root, paths } = await freshDataset('folder');
    const dataset = await loadDataset(root);
    const decisions = decisionsFor([...paths].sort());
    const outPath = join(root, '..', `${root.split(/[\\/]/).pop()}-reviewed.json`);
    const result = await exportCleanedLabels(dataset, decisions, { outPath, now: NOW });

    const document: unknown = JSON.parse(await readFile(result.labelsPath, 'utf8'));
    assert.ok(Array.isArray(document));
    assert.deepEqual(Object.keys(document[0] as object), ['path', 'label']);
    const prefix = `${root.split(/[\\/]/).pop()}/`;
    const reloaded = await loadDataset(result.labelsPath);
    assert.deepEqual(labelsOf(reloaded), expectedLabels(paths, decisions, prefix));
    await rm(result.labelsPath);
    await rm(result.logPath);
  });

  it('writes JSON next to the root when asked with folderFormat', async () => {
    const { root, paths } = await freshDataset('folder');
    const result = await exportCleanedLabels(await loadDataset(root), {}, { folderFormat: 'json', now: NOW });
    assert.equal(result.labelsPath, join(root, 'labels.cleaned.json'));
    assert.deepEqual(labelsOf(await loadDataset(result.labelsPath)), expectedLabels(paths, {}));
  });
});

describe('exportCleanedLabels: refusals', () => {
  it('never overwrites the original label file, even with overwrite, nor through a symlink', async () => {
    const { root } = await freshDataset('csv');
    const manifest = join(root, 'labels.csv');
    const original = await readFile(manifest);
    const dataset = await loadDataset(manifest);
    const decisions: Decisions = { 'images/00000.png': { action: 'remove' } };
    await assert.rejects(
      exportCleanedLabels(dataset, decisions, { outPath: manifest, overwrite: true }),
      rejectsWith('badOption', /labels\.csv: it is the original label file/),
    );
    await symlink(manifest, join(root, 'link.csv'));
    await assert.rejects(
      exportCleanedLabels(dataset, decisions, { outPath: join(root, 'link.csv'), overwrite: true }),
      rejectsWith('badOption', /link\.csv: it is the original label file/),
    );
    assert.ok((await readFile(manifest)).equals(original));
    assert.deepEqual((await readdir(root)).sort(), ['images', 'labels.csv', 'link.csv']);
  });

  it('refuses to replace a previous export unless overwrite is set', async () => {
    const { root } = await freshDataset('csv');
    const dataset = await loadDataset(join(root, 'labels.csv'));
    const first = await exportCleanedLabels(dataset, { 'images/00000.png': { action: 'remove' } }, { now: NOW });
    const firstText = await readFile(first.labelsPath, 'utf8');
    await assert.rejects(
      exportCleanedLabels(dataset, {}, { now: NOW }),
      rejectsWith('exportExists', /labels\.cleaned\.csv already exists; pass `overwrite: true`/),
    );
    assert.equal(await readFile(first.labelsPath, 'utf8'), firstText);

    // The log alone in the way is refused too, before anything is written.
    await rm(first.labelsPath);
    await assert.rejects(
      exportCleanedLabels(dataset, {}, { now: NOW }),
      rejectsWith('exportExists', /labels\.cleaned\.decisions\.csv already exists/),
    );
    await assert.rejects(readFile(first.labelsPath));

    const second = await exportCleanedLabels(dataset, {}, { now: NOW, overwrite: true });
    assert.equal(await readFile(second.labelsPath, 'utf8'), await readFile(join(root, 'labels.csv'), 'utf8'));
  });

  it('names a decided path that is not in the dataset, and writes nothing', async () => {
    const { root } = await freshDataset('csv');
    const manifest = join(root, 'labels.csv');
    await writeFile(manifest, `${await readFile(manifest, 'utf8')}images/gone.png,1\n`);
    const dataset = await loadDataset(manifest);
    await assert.rejects(
      exportCleanedLabels(dataset, { 'images/00001.png': { action: 'keep' }, 'images/nope.png': { action: 'remove' } }),
      rejectsWith(
        'decisionsMalformed',
        /"images\/nope\.png", which is not a sample of .*labels\.csv: no sample has that path/,
      ),
    );
    await assert.rejects(
      exportCleanedLabels(dataset, { 'images/gone.png': { action: 'relabel', label: '2' } }),
      rejectsWith('decisionsMalformed', /"images\/gone\.png".*skipped when the dataset was read \(.*does not exist\)/),
    );
    assert.deepEqual((await readdir(root)).sort(), ['images', 'labels.csv']);
  });

  it('refuses outputs that could not be read back', async () => {
    const csv = await freshDataset('csv');
    const csvDataset = await loadDataset(join(csv.root, 'labels.csv'));
    await assert.rejects(
      exportCleanedLabels(csvDataset, {}, { outPath: join(base, 'elsewhere.csv') }),
      rejectsWith('badOption', /relative to its folder, so it must be written in .*, next to the original/),
    );
    await assert.rejects(
      exportCleanedLabels(csvDataset, {}, { outPath: join(csv.root, 'labels.cleaned.json') }),
      rejectsWith('badOption', /\.json extension but the dataset's labels are csv/),
    );
    const folder = await freshDataset('folder');
    const folderDataset = await loadDataset(folder.root);
    await assert.rejects(
      exportCleanedLabels(folderDataset, {}, { outPath: join(folder.root, '0', 'labels.csv') }),
      rejectsWith('badOption', /must be written in .* or a folder above it/),
    );
    await assert.rejects(
      exportCleanedLabels(folderDataset, {}, { outPath: join(folder.root, 'x.json'), folderFormat: 'csv' }),
      rejectsWith('badOption', /ends in \.json but the folder export format is csv/),
    );
  });
});
