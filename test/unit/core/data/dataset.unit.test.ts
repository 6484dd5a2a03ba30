import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compareNatural, loadDataset } from '../../../../src/core/data/dataset';
import { AuditError, type AuditErrorReason } from '../../../../src/core/errors';
import type { Dataset, InputIssueKind } from '../../../../src/core/shared/types';
import { realImages, writeDataset, writePng } from '../../../helpers/realImages';
import { AUDIT_DIR } from '../../../../src/core/report';

let temp: string;
/** A CSV dataset of 12 real digits (classes '0', '1', '2'): images/00000.png … plus labels.csv. */
let digits: string;
let digitPaths: string[];
let digitLabels: string[];

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'label-audit-dataset-'));
  digits = join(temp, 'digits');
  const data = realImages(12, { seed: 1, classes: [0, 1, 2] });
  digitLabels = data.labels.map((label) => data.classNames[label]);
  digitPaths = await writeDataset(digits, { images: data.images, labels: digitLabels }, 'csv');
});

after(() => rm(temp, { recursive: true, force: true }));

/** Writes a label file next to the digit images and returns its path. */
async function manifest(name: string, text: string): Promise<string> {
  const path = join(digits, name);
  await writeFile(path, text);
  return path;
}

/** A CSV body for the digit images: `path,label` rows, optionally with extra rows appended. */
function digitCsv(extraRows: string[] = []): string {
  return ['path,label', ...digitPaths.map((path, i) => `${path},${digitLabels[i]}`), ...extraRows, ''].join('\n');
}

function issueKinds(dataset: Dataset): [string, InputIssueKind][] {
  return dataset.issues.map((issue) => [issue.file, issue.kind]);
}

/** Asserts that `promise` rejects with an AuditError of `reason` whose message matches every pattern. */
async function rejectsWith(
  promise: Promise<unknown>,
  reason: AuditErrorReason,
  ...patterns: RegExp[]
): Promise<AuditError> {
  const error = await promise.then(
    () => assert.fail(`expected AuditError('${reason}')`),
    (caught: unknown) => caught,
  );
  assert.ok(AuditError.is(error, reason), `expected reason ${reason}, got ${String(error)}`);
  for (const pattern of patterns) assert.match(error.message, pattern);
  return error;
}

describe('loadDataset: folder per class', () => {
  let root: string;
  before(async () => {
    root = join(temp, 'folders');
    const data = realImages(13, { seed: 2, classes: [3, 4, 5] });
    // Folder names '10', '2', '9' check the natural class order; nested folders are read too.
    const folders = ['10', '2', '9'];
    const labels = data.labels.map((label) => folders[label - 3]);
    await writeDataset(root, { images: data.images, labels }, 'folder');
    await writePng(join(root, '2', 'sub', 'deep', 'nested.png'), data.images[0]);
    await writePng(join(root, 'top-level.png'), data.images[1]);
    await writePng(join(root, '9', '.hidden', 'ignored.png'), data.images[2]);
    await writePng(join(root, AUDIT_DIR, 'cache', 'ignored.png'), data.images[2]);
    await writePng(join(root, '__MACOSX', '9', 'ignored.png'), data.images[2]);
    await writeFile(join(root, '9', '.DS_Store'), 'x');
    await writeFile(join(root, '9', 'Thumbs.db'), 'x');
    await writeFile(join(root, '10', 'README.md'), '# notes');
    await writeFile(join(root, '10', 'photo.heic'), 'not really');
  });

  it('labels each image with its first-level folder, at any depth, sorted by path', async () => {
    const dataset = await loadDataset(root);
    assert.equal(dataset.format, 'folder');
    assert.equal(dataset.root, root);
    assert.equal(dataset.manifestPath, undefined);
    assert.deepEqual(dataset.source, { format: 'folder' });
    assert.deepEqual(dataset.classes, ['2', '9', '10']);
    assert.equal(dataset.samples.length, 14);
    assert.ok(dataset.samples.some((sample) => sample.path === '2/sub/deep/nested.png' && sample.label === '2'));
    for (const sample of dataset.samples) {
      assert.equal(sample.label, sample.path.split('/')[0]);
      assert.equal(sample.sourceIndex, -1);
    }
    const paths = dataset.samples.map((sample) => sample.path);
    assert.deepEqual(paths, [...paths].sort(compareNatural));
    assert.ok(!paths.some((path) => /ignored|top-level|\.label-audit|MACOSX/.test(path)), paths.join(' '));
  });

  it('lists unknown non-image files as notAnImage but ignores notes and OS litter', async () => {
    const dataset = await loadDataset(root);
    assert.deepEqual(issueKinds(dataset), [['10/photo.heic', 'notAnImage']]);
    assert.match(dataset.issues[0].problem, /\.heic/);
  });

  it('refuses a folder with images but no class folders, saying what layout is expected', async () => {
    const flat = join(temp, 'flat');
    await writePng(join(flat, 'a.png'), realImages(1).images[0]);
    await rejectsWith(loadDataset(flat), 'notADataset', /directly in it/, /subfolder per class/, /flat/);
  });

  it('refuses one class, naming the dataset and the class', async () => {
    const single = join(temp, 'single');
    const data = realImages(12, { classes: [7] });
    await writeDataset(single, { images: data.images, labels: data.labels.map(() => 'seven') }, 'folder');
    const error = await rejectsWith(
      loadDataset(single),
      'tooFewClasses',
      /single/,
      /"seven", 12 images/,
      /at least two/,
    );
    assert.equal(error.file, single);
  });

  it('refuses fewer than 10 usable images', async () => {
    const small = join(temp, 'small');
    const data = realImages(6, { classes: [0, 1] });
    await writeDataset(small, { images: data.images, labels: data.labels.map(String) }, 'folder');
    await rejectsWith(loadDataset(small), 'tooFewSamples', /small has only 6 usable images/);
  });

  it('keeps a class with one image but lists it as smallClass', async () => {
    const lonely = join(temp, 'lonely');
    const data = realImages(11, { classes: [0, 1] });
    await writeDataset(
      lonely,
      { images: data.images.slice(0, 10), labels: data.labels.slice(0, 10).map(String) },
      'folder',
    );
    await writePng(join(lonely, 'odd', 'one.png'), data.images[10]);
    const dataset = await loadDataset(lonely);
    assert.deepEqual(dataset.classes, ['0', '1', 'odd']);
    assert.deepEqual(issueKinds(dataset), [['odd/one.png', 'smallClass']]);
    assert.match(dataset.issues[0].problem, /"odd"/);
  });
});

describe('loadDataset: CSV', () => {
  it('reads path,label rows relative to the CSV, in file order', async () => {
    const dataset = await loadDataset(join(digits, 'labels.csv'));
    assert.equal(dataset.format, 'csv');
    assert.equal(dataset.root, digits);
    assert.equal(dataset.manifestPath, join(digits, 'labels.csv'));
    assert.deepEqual(dataset.classes, ['0', '1', '2']);
    assert.deepEqual(
      dataset.samples.map((sample) => [sample.path, sample.label, sample.sourceIndex]),
      digitPaths.map((path, i) => [path, digitLabels[i], i]),
    );
    assert.deepEqual(dataset.issues, []);
  });

  it('finds labels.csv when given its folder', async () => {
    const dataset = await loadDataset(digits);
    assert.equal(dataset.format, 'csv');
    assert.equal(dataset.manifestPath, join(digits, 'labels.csv'));
    assert.equal(dataset.samples.length, 12);
  });

  it('handles a BOM, CRLF, ";" delimiter, quoted cells with delimiters, padding and extra columns', async () => {
    await writePng(join(digits, 'odd names', 'a;b, "c".png'), realImages(1, { seed: 9 }).images[0]);
    const rows = digitPaths.map((path, i) => `${i};"${path}"; ${digitLabels[i]} ;"note; with ""quotes"""`);
    const text = `\uFEFFID;File Name;Class;Comment\r\n${rows.join('\r\n')}\r\n99;"odd names/a;b, ""c"".png";2;\r\n`;
    const dataset = await loadDataset(await manifest('semicolon.csv', text));
    assert.equal(dataset.samples.length, 13);
    assert.deepEqual(dataset.samples[12], { path: 'odd names/a;b, "c".png', label: '2', sourceIndex: 12 });
    assert.equal(dataset.samples[0].label, digitLabels[0], 'label cell trimmed');
    const source = dataset.source;
    assert.equal(source.format, 'csv');
    if (source.format !== 'csv') return;
    assert.deepEqual(source.header, ['ID', 'File Name', 'Class', 'Comment']);
    assert.deepEqual(
      [source.pathColumn, source.labelColumn, source.delimiter, source.lineEnding, source.bom],
      [1, 2, ';', '\r\n', true],
    );
    assert.deepEqual(
      source.rows[0],
      ['0', digitPaths[0], ` ${digitLabels[0]} `, 'note; with "quotes"'],
      'rows keep cells as read',
    );
    assert.equal(source.rows.length, 13);
  });

  it('detects tab-separated files', async () => {
    const text = ['image\ttarget', ...digitPaths.map((path, i) => `${path}\t${digitLabels[i]}`)].join('\n');
    const dataset = await loadDataset(await manifest('tabs.csv', text));
    assert.equal(dataset.samples.length, 12);
    assert.equal(dataset.source.format === 'csv' && dataset.source.delimiter, '\t');
  });

  it('reads a UTF-16 file (Excel "Unicode text") with a BOM', async () => {
    const text = `\uFEFF${['path\tlabel', ...digitPaths.map((path, i) => `${path}\t${digitLabels[i]}`)].join('\r\n')}`;
    const path = join(digits, 'utf16.csv');
    await writeFile(path, Buffer.from(text, 'utf16le'));
    const dataset = await loadDataset(path);
    assert.deepEqual(
      dataset.samples.map((sample) => sample.label),
      digitLabels,
    );
  });

  it('skips and lists bad entries: missing, outside the root, empty label, duplicates', async () => {
    const text = digitCsv([
      'images/nope.png,1', // missingFile
      '../outside.png,1', // outsideRoot
      '/etc/hostname,1', // outsideRoot (absolute, not under the root)
      `${join(digits, digitPaths[1])},${digitLabels[1]}`, // absolute but inside the root: a duplicate of row 2
      `${digitPaths[2]}, `, // emptyLabel
      `./${digitPaths[3]},${digitLabels[3]}`, // duplicateEntry (same file, same label)
      `${digitPaths[4]},not-${digitLabels[4]}`, // conflictingDuplicate with row 5
      ',1', // no path at all
    ]);
    const dataset = await loadDataset(await manifest('bad-entries.csv', text));
    assert.deepEqual(issueKinds(dataset), [
      ['../outside.png', 'outsideRoot'],
      ['/etc/hostname', 'outsideRoot'],
      [digitPaths[2], 'emptyLabel'],
      ['bad-entries.csv', 'missingFile'],
      [digitPaths[1], 'duplicateEntry'],
      [digitPaths[3], 'duplicateEntry'],
      [digitPaths[4], 'conflictingDuplicate'],
      [digitPaths[4], 'conflictingDuplicate'],
      ['images/nope.png', 'missingFile'],
    ]);
    const problems = dataset.issues.map((issue) => issue.problem);
    assert.match(problems[0], /line 15 of bad-entries\.csv points outside the dataset folder/);
    assert.match(problems[3], /line 21 of bad-entries\.csv has no image path/);
    assert.match(problems[6], /different labels \("\d" on line 6, "not-\d" on line 20\); skipped/);
    assert.match(problems[8], /listed on line 14 of bad-entries\.csv but does not exist/);
    // The first rows of the files repeated with the same label stay; both rows of the conflict go.
    assert.deepEqual(
      dataset.samples.map((sample) => sample.path),
      digitPaths.filter((_, i) => i !== 4),
    );
  });

  for (const [name, text, pattern] of [
    [
      'quote.csv',
      'path,label\nimages/00000.png,"0\nimages/00001.png,1\n',
      /quote\.csv is not valid CSV: a quote opened on line 2 is never closed/,
    ],
    [
      'columns.csv',
      'path,label\nimages/00000.png,0\nimages/00001.png,1,extra\n',
      /columns\.csv is not valid CSV: line 3 has 3 cells/,
    ],
    [
      'noheader.csv',
      'images/00000.png,0\nimages/00001.png,1\n',
      /noheader\.csv line 1 must be a header row with an image path column/,
    ],
    [
      'nolabel.csv',
      'path,comment\nimages/00000.png,0\n',
      /nolabel\.csv line 1 must be a header row with a label column/,
    ],
    ['empty.csv', '', /empty\.csv is empty/],
  ] as const) {
    it(`refuses malformed CSV (${name}) naming the file and line`, async () => {
      const error = await rejectsWith(loadDataset(await manifest(name, text)), 'manifestMalformed', pattern);
      assert.equal(error.file, name);
    });
  }
});

describe('loadDataset: JSON', () => {
  it('reads an array of objects with any known key names, numbers as labels', async () => {
    const entries = digitPaths.map((path, i) => ({ file: path, class: Number(digitLabels[i]), extra: { keep: i } }));
    const dataset = await loadDataset(await manifest('array.json', JSON.stringify(entries)));
    assert.equal(dataset.format, 'json');
    assert.deepEqual(
      dataset.samples.map((sample) => [sample.path, sample.label, sample.sourceIndex]),
      digitPaths.map((path, i) => [path, digitLabels[i], i]),
    );
    assert.deepEqual(dataset.source, {
      format: 'json',
      shape: 'array',
      document: entries,
      pathKey: 'file',
      labelKey: 'class',
    });
  });

  it('reads an object mapping path → label, and lists entries with no label', async () => {
    const map = Object.fromEntries(digitPaths.map((path, i) => [path, digitLabels[i]]));
    map['images/extra.png'] = null as unknown as string;
    const dataset = await loadDataset(await manifest('map.json', JSON.stringify(map, null, 2)));
    assert.equal(dataset.source.format === 'json' && dataset.source.shape, 'map');
    assert.deepEqual(
      dataset.samples.map((sample) => [sample.path, sample.label, sample.sourceIndex]),
      digitPaths.map((path, i) => [path, digitLabels[i], path]),
    );
    assert.deepEqual(issueKinds(dataset), [['images/extra.png', 'emptyLabel']]);
    assert.match(dataset.issues[0].problem, /key "images\/extra.png" of map.json gives no label/);
  });

  it('finds labels.json in a folder, and refuses a folder with several label files', async () => {
    const folder = join(temp, 'json-folder');
    const data = realImages(10, { classes: [0, 1] });
    await writeDataset(folder, { images: data.images, labels: data.labels.map(String) }, 'json');
    const dataset = await loadDataset(folder);
    assert.equal(dataset.format, 'json');
    assert.equal(dataset.manifestPath, join(folder, 'labels.json'));
    await writeFile(join(folder, 'Manifest.csv'), 'path,label\n');
    await rejectsWith(
      loadDataset(folder),
      'notADataset',
      /several label files \(labels\.json, Manifest\.csv\)/,
      /pass the one to audit/,
    );
  });

  for (const [name, text, pattern] of [
    [
      'comma.json',
      '[\n  {"path": "images/00000.png", "label": "0"},\n]',
      /comma\.json is not valid JSON: Unexpected token '\]' at line 3, column 1/,
    ],
    ['cut.json', '[{"path": "images/00000.png", "label": "0"}', /cut\.json is not valid JSON: the file ends too early/],
    ['shape.json', '"just a string"', /shape\.json must hold an array .* found a string/],
    ['keys.json', '[{"where": "images/00000.png", "what": "0"}]', /keys\.json: the array's entries need a path field/],
  ] as const) {
    it(`refuses malformed JSON (${name}) naming the file and position`, async () => {
      const error = await rejectsWith(loadDataset(await manifest(name, text)), 'manifestMalformed', pattern);
      assert.equal(error.file, name);
    });
  }
});

describe('loadDataset: what is not a dataset', () => {
  it('refuses a path that does not exist', async () => {
    const missing = join(temp, 'no-such-folder');
    const error = await rejectsWith(loadDataset(missing), 'pathNotFound', /no-such-folder: the path does not exist/);
    assert.equal(error.file, missing);
  });

  it('refuses a file that is neither CSV nor JSON', async () => {
    await rejectsWith(loadDataset(await manifest('notes.txt', 'hello')), 'notADataset', /notes\.txt is not a dataset/);
  });

  it('refuses an empty folder', async () => {
    const empty = join(temp, 'empty');
    await mkdir(empty);
    await rejectsWith(loadDataset(empty), 'notADataset', /No dataset found in .*empty/);
  });

  it('explains a label file whose entries are all unusable', async () => {
    const text = 'path,label\nimages/gone-1.png,0\nimages/gone-2.png,1\n';
    await rejectsWith(
      loadDataset(await manifest('gone.csv', text)),
      'tooFewClasses',
      /no usable labeled images/,
      /images\/gone-1\.png: listed on line 2/,
    );
  });

  it('stops when the signal is aborted', async () => {
    await rejectsWith(loadDataset(digits, { signal: AbortSignal.abort() }), 'cancelled');
  });
});

describe('compareNatural', () => {
  it('orders numbers by value and never calls different strings equal', () => {
    assert.deepEqual(['10', '9', '2', 'b', 'B', 'a10', 'a9'].sort(compareNatural), [
      '2',
      '9',
      '10',
      'a9',
      'a10',
      'b',
      'B',
    ]);
    assert.notEqual(compareNatural('a', 'A'), 0);
  });
});
