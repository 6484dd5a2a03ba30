import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { loadDataset } from '../../../../src/core/data/dataset';
import { lookAlikeClasses } from '../../../../src/core/data/lookAlikeClasses';
import { exportCleanedLabels } from '../../../../src/core/export/exportLabels';
import type { Dataset } from '../../../../src/core/shared/types';
import { Random } from '../../../../src/core/training/random';
import { realImages, SOURCE_SIZE } from '../../../helpers/realImages';

// Issue #11, item 6: what label-audit writes it reads back identically. Random legal POSIX names
// (seeded) for class folders and files — backslashes, outer spaces, quotes, delimiters, line breaks,
// formula characters, NFC and NFD accents, emoji — exported to CSV and JSON and loaded again.
let temp: string;
let png: Buffer[];

/** Characters a name is drawn from: every one legal in a POSIX file name and hostile to some reader. */
const ALPHABET = [
  ...'aZ09',
  ' ',
  ' ',
  '\\',
  '"',
  "'",
  ',',
  ';',
  '\t',
  '\n',
  '\r',
  '=',
  '+',
  '-',
  '@',
  '#',
  '%',
  '&',
  '$',
  '~',
  '(',
  ']',
  '{',
  '.',
  '\u00e9', // é (NFC)
  'e\u0301', // é (NFD)
  '\u65e5',
  '\u{1f642}',
  '\ufeff',
];

function randomName(random: Random, length: number): string {
  let name = '';
  while ([...name].length < length) name += ALPHABET[random.int(ALPHABET.length)];
  // Dot-names are skipped by design (hidden files, .label-audit), so a name must not start with '.'.
  return name.startsWith('.') ? `x${name}` : name;
}

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'label-audit-roundtrip-'));
  const digits = realImages(6, { seed: 5 });
  png = await Promise.all(
    digits.images.map((pixels) =>
      sharp(pixels, { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toBuffer(),
    ),
  );
});
after(() => rm(temp, { recursive: true, force: true }));

function samplesOf(dataset: Dataset): string[] {
  return dataset.samples.map((s) => JSON.stringify([s.path, s.label])).sort();
}

test('random legal names and labels: folder → CSV → load, folder → JSON → load, CSV → CSV → load give the same samples', async () => {
  const rounds = 12;
  for (let round = 0; round < rounds; round++) {
    const random = new Random(1000 + round);
    const root = join(temp, `round-${round}`);
    const classes = new Set<string>();
    while (classes.size < 3) classes.add(randomName(random, 1 + random.int(6)));
    let written = 0;
    for (const label of classes) {
      const files = new Set<string>();
      while (files.size < 4) files.add(`${randomName(random, 1 + random.int(8))}.png`);
      for (const file of files) {
        await mkdir(join(root, label), { recursive: true });
        await writeFile(join(root, label, file), png[written++ % png.length]);
      }
    }
    const folder = await loadDataset(root);
    const context = `round ${round}: classes ${JSON.stringify([...classes])}`;
    assert.equal(folder.samples.length, written, `${context}: every file is a sample`);
    assert.deepEqual([...folder.classes].sort(), [...classes].sort(), context);

    const csv = await exportCleanedLabels(folder, {});
    const fromCsv = await loadDataset(csv.labelsPath);
    assert.deepEqual(samplesOf(fromCsv), samplesOf(folder), `${context}: CSV round trip`);
    assert.deepEqual(fromCsv.issues, [], context);

    const json = await exportCleanedLabels(folder, {}, { outPath: join(root, 'as-json.json') });
    assert.deepEqual(samplesOf(await loadDataset(json.labelsPath)), samplesOf(folder), `${context}: JSON round trip`);

    const again = await exportCleanedLabels(fromCsv, {});
    assert.deepEqual(samplesOf(await loadDataset(again.labelsPath)), samplesOf(folder), `${context}: CSV → CSV`);
  }
});

test('the two cases of the issue: back\\slash.png and a class folder "cat " with a trailing space', async () => {
  const root = join(temp, 'issue-cases');
  const files = [
    ['cat', 'back\\slash.png'],
    ['cat', 'plain.png'],
    ['cat ', 'a.png'],
    ['cat ', 'b.png'],
    ['dog', 'c.png'],
    ['dog', 'd\\e.png'],
  ];
  for (let i = 0; i < 2; i++) files.push(['dog', `more-${i}.png`], ['cat', `more-${i}.png`]);
  for (const [i, [label, file]] of files.entries()) {
    await mkdir(join(root, label), { recursive: true });
    await writeFile(join(root, label, file), png[i % png.length]);
  }
  const folder = await loadDataset(root);
  assert.deepEqual(folder.classes, ['cat', 'cat ', 'dog']);
  const reloaded = await loadDataset((await exportCleanedLabels(folder, {})).labelsPath);
  assert.deepEqual(samplesOf(reloaded), samplesOf(folder));
  assert.ok(reloaded.samples.some((s) => s.path === 'cat/back\\slash.png' && s.label === 'cat'));
  assert.equal(reloaded.samples.filter((s) => s.label === 'cat ').length, 2);
  // (A hand-written Windows manifest's 'images\\x.png' still means 'images/x.png': exportLabels.unit.test.ts.)
});

test('NFC and NFD spellings of one class name stay two classes, and are reported as look-alikes', async () => {
  const root = join(temp, 'look-alike');
  const names = ['caf\u00e9', 'cafe\u0301', 'tea'];
  for (const [c, name] of names.entries()) {
    for (let i = 0; i < 4; i++) {
      await mkdir(join(root, name), { recursive: true });
      await writeFile(join(root, name, `${i}.png`), png[(c + i) % png.length]);
    }
  }
  const dataset = await loadDataset(root);
  assert.equal(dataset.classes.length, 3);
  assert.deepEqual(lookAlikeClasses(dataset.classes), [dataset.classes.filter((c) => c !== 'tea')]);
  assert.deepEqual(lookAlikeClasses(['cat', 'cat ', '\uff43at', 'dog']), [['cat', 'cat ', '\uff43at']]);
});
