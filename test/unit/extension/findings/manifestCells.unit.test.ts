import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadDataset, samplePathCandidates } from '../../../../src/core/data/dataset';
import { locateManifestRows, scanCsvCells, type ManifestRow } from '../../../../src/extension/findings/manifestCells';
import { copySampleDigits } from '../../../helpers/repo';
import { sampleDigitsReport } from '../../../helpers/sampleReport';

const spanText = (text: string, row: ManifestRow) => ({
  path: text.slice(row.path.start, row.path.end),
  label: text.slice(row.label.start, row.label.end),
});

test('CSV: BOM, CRLF, quoted cells with delimiters and quotes, padding, empty lines and other columns', () => {
  const text =
    '\uFEFFid;"file name";label\r\n' +
    '1;"3/a;b.png"; 3 \r\n' +
    '\r\n' +
    '2;"say ""hi"".png";"7"\r\n' +
    '3;plain.png;cat\r\n';
  const rows = locateManifestRows(text, 'csv');
  assert.deepEqual(
    rows.map((r) => r.writtenPath),
    ['3/a;b.png', 'say "hi".png', 'plain.png'],
  );
  assert.deepEqual(
    rows.map((r) => spanText(text, r)),
    [
      { path: '"3/a;b.png"', label: '3' },
      { path: '"say ""hi"".png"', label: '"7"' },
      { path: 'plain.png', label: 'cat' },
    ],
  );
});

test('CSV: a quoted cell may hold a line break; the next rows are still found', () => {
  const text = 'path,label,note\nx.png,1,"two\nlines"\ny.png,2,\n';
  const rows = locateManifestRows(text, 'csv');
  assert.deepEqual(
    rows.map((r) => [r.writtenPath, spanText(text, r).label]),
    [
      ['x.png', '1'],
      ['y.png', '2'],
    ],
  );
});

test('JSON: array of objects (any key spelling the audit accepts) and a path → label map', () => {
  const array = '[\n  {"file": "1/a.png", "class": "1", "extra": [1, 2]},\n  {"file": "2/b.png", "class": 2}\n]';
  assert.deepEqual(
    locateManifestRows(array, 'json').map((r) => [r.writtenPath, spanText(array, r)]),
    [
      ['1/a.png', { path: '"1/a.png"', label: '"1"' }],
      ['2/b.png', { path: '"2/b.png"', label: '2' }],
    ],
  );
  const map = '\uFEFF{ "3/c.png": "3", "4/d.png": "four" }';
  assert.deepEqual(
    locateManifestRows(map, 'json').map((r) => [r.writtenPath, spanText(map, r)]),
    [
      ['3/c.png', { path: '"3/c.png"', label: '"3"' }],
      ['4/d.png', { path: '"4/d.png"', label: '"four"' }],
    ],
  );
});

test('a half-edited file (unclosed quote, broken JSON) has no rows rather than wrong ones', () => {
  assert.deepEqual(locateManifestRows('path,label\n"a.png,1\n', 'csv'), []);
  assert.deepEqual(locateManifestRows('[{"path": "a.png", "label": ', 'json'), []);
});

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'label-audit-cells-'));
});
after(() => rm(work, { recursive: true, force: true }));

test('a real CSV label file: every suspect of the audit maps to its row, also after rows were moved', async () => {
  const root = join(work, 'digits-csv');
  // Without the .label-audit/ folder the README's `npm run sample` leaves: its files are no class folders.
  await copySampleDigits(root);
  const lines = ['path,label'];
  for (const folder of (await readdir(root)).sort()) {
    for (const name of (await readdir(join(root, folder))).sort()) lines.push(`${folder}/${name},${folder}`);
  }
  await writeFile(join(root, 'labels.csv'), `${lines.join('\n')}\n`);
  assert.equal((await loadDataset(root)).source.format, 'csv');
  const report = await sampleDigitsReport(root);
  const suspects = report.samples.filter((s) => s.flagged).map((s) => s.path);
  assert.equal(suspects.length, 24);

  const rowOf = (text: string) => {
    const map = new Map<string, { line: number; label: string }>();
    for (const row of locateManifestRows(text, 'csv')) {
      const path = samplePathCandidates(root, row.writtenPath).at(-1);
      if (path !== undefined)
        map.set(path, { line: text.slice(0, row.label.start).split('\n').length, label: spanText(text, row).label });
    }
    return map;
  };
  const text = `${lines.join('\n')}\n`;
  const original = rowOf(text);
  for (const path of suspects) assert.equal(original.get(path)?.label, path.split('/')[0], path);

  // The user sorts the file backwards and adds a row on top: the diagnostics follow the paths.
  const edited = `path,label\nnew/extra.png,9\n${lines.slice(1).reverse().join('\n')}\n`;
  const moved = rowOf(edited);
  for (const path of suspects) {
    const before = original.get(path);
    const after = moved.get(path);
    assert.ok(before && after, path);
    assert.equal(after.line, lines.length - before.line + 3, path);
    assert.equal(after.label, before.label);
  }
});

test('the cell scan reads every cell exactly as csv-parse does, on awkward seeded rows', async () => {
  const { parse } = await import('csv-parse/sync');
  const pieces = ['a', ' b ', 'c,d', 'e""f', 'g\nh', '', 'ünï', 'x;y', '"', '\r\n'];
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const quote = (cell: string) => (/[",\n\r]/.test(cell) || next() < 0.3 ? `"${cell.replace(/"/g, '""')}"` : cell);
  const rows = Array.from({ length: 200 }, () =>
    Array.from(
      { length: 3 },
      () => pieces[Math.floor(next() * pieces.length)] + pieces[Math.floor(next() * pieces.length)],
    ),
  );
  const text = rows.map((row) => row.map(quote).join(',')).join(next() < 0.5 ? '\n' : '\r\n');
  const expected: string[][] = parse(text, { delimiter: ',', skip_empty_lines: true });
  const scanned = scanCsvCells(text, ',').map((cells) =>
    cells.map(({ start, end }) => {
      const raw = text.slice(start, end);
      return raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw;
    }),
  );
  assert.deepEqual(scanned, expected);
});
