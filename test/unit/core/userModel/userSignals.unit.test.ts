import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditError } from '../../../../src/core/errors';
import { parseNpy } from '../../../../src/core/userModel/npy';
import { editDistance } from '../../../../src/core/userModel/closestName';
import { datasetPath, loadUserSignals } from '../../../../src/core/userModel/userSignals';

const classes = ['cat', 'dog', 'fox'];
const audited = ['cat/1.png', 'cat/2.png', 'dog/1.png', 'fox/1.png'];
let dir: string;
let root: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'label-audit-user-model-'));
  root = join(dir, 'dataset');
});
after(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A .npy file built byte by byte (version 1.0), so the reader is tested without numpy too. */
function npyBytes(descr: string, fortran: boolean, shape: number[], values: number[]): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // numpy pads the header with spaces so the data starts at a multiple of 64, ending with '\n'.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const size = descr.endsWith('4') ? 4 : 8;
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const little = !descr.startsWith('>');
  values.forEach((v, i) => {
    const at = 10 + header.length + i * size;
    if (size === 4) view.setFloat32(at, v, little);
    else view.setFloat64(at, v, little);
  });
  return out;
}

function assertFails(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(AuditError.is(error, 'modelOutputsMalformed'), String(error));
    assert.match((error as Error).message, pattern);
    return true;
  });
}

describe('.npy reader', () => {
  test('reads float32 and float64, little and big endian, C and Fortran order into row-major values', () => {
    const rowMajor = [1, 2, 3, 4, 5, 6]; // shape (2, 3)
    const columnMajor = [1, 4, 2, 5, 3, 6];
    for (const descr of ['<f4', '<f8', '>f4', '>f8']) {
      assert.deepEqual([...parseNpy(npyBytes(descr, false, [2, 3], rowMajor), 'a.npy').values], rowMajor, descr);
      const fortran = parseNpy(npyBytes(descr, true, [2, 3], columnMajor), 'a.npy');
      assert.deepEqual([fortran.rows, fortran.columns, ...fortran.values], [2, 3, ...rowMajor], `${descr} Fortran`);
    }
  });

  test('rejects what it cannot read, naming the file and the problem', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new TextEncoder().encode('path,cat\nx,1\n'), /bad\.npy .*magic/],
      [npyBytes('<i4', false, [2, 2], [1, 2, 3, 4]), /dtype is '<i4'/],
      [npyBytes('<f4', false, [4], [1, 2, 3, 4]), /2-D array .*shape is \(4\)/],
      [npyBytes('<f4', false, [2, 3], [1, 2, 3]), /needs 24 data bytes, but only 12/],
    ];
    for (const [bytes, pattern] of cases)
      assert.throws(
        () => parseNpy(bytes, 'bad.npy'),
        (e: unknown) => AuditError.is(e, 'modelOutputsMalformed') && pattern.test((e as Error).message),
      );
  });

  test('reads back exactly what Python wrote with numpy (float32 C order, float64 Fortran order)', async (t) => {
    const python = `
import numpy as np, sys
rng = np.random.default_rng(7)
a = rng.random((37, 5)).astype(np.float32)
np.save(sys.argv[1] + '/c32.npy', a)
np.save(sys.argv[1] + '/f64.npy', np.asfortranarray(a.astype(np.float64) * 1e-3 + 1.0 / 3.0))
print(' '.join(repr(float(v)) for v in a.ravel()))
`;
    let printed: string;
    try {
      printed = execFileSync('python3', ['-c', python, dir], { encoding: 'utf8' });
    } catch (error) {
      if (process.env.CI) throw error;
      t.skip(
        `python3 with numpy is not available here (apt-get install -y python3-numpy): ${(error as Error).message.split('\n')[0]}`,
      );
      return;
    }
    const expected = printed.trim().split(' ').map(Number);
    const c32 = parseNpy(await readFile(join(dir, 'c32.npy')), 'c32.npy');
    assert.equal(c32.dtype, '<f4');
    assert.deepEqual([c32.rows, c32.columns], [37, 5]);
    assert.deepEqual([...c32.values], expected);
    const f64 = parseNpy(await readFile(join(dir, 'f64.npy')), 'f64.npy');
    assert.equal(f64.dtype, '<f8');
    // The same float64 arithmetic as numpy's, element by element, in row-major order.
    assert.deepEqual(
      [...f64.values],
      expected.map((v) => v * 1e-3 + 1.0 / 3.0),
    );
  });
});

describe('user model outputs', () => {
  test('a CSV of probabilities is aligned to the audited rows in the dataset class order', async () => {
    const csv = await file(
      'probs.csv',
      'path,fox,cat,dog\ncat/2.png,0.1,0.8,0.1\ncat/1.png,0,1,0\n./fox/1.png,0.7,0.2,0.1\n',
    );
    const { predProbs, skipped } = await loadUserSignals({ predProbs: csv }, root, classes, audited);
    assert.deepEqual(skipped, []);
    assert.equal(predProbs!.missing, 1);
    assert.deepEqual([...predProbs!.covered], [1, 1, 0, 1]);
    const rounded = [...predProbs!.values].map((v) => Math.round(v * 1000) / 1000);
    assert.deepEqual(rounded, [1, 0, 0, 0.8, 0.1, 0.1, 0, 0, 0, 0.2, 0.1, 0.7]);
  });

  test('a .npy of logits with a paths file and a classes file gets softmax', async () => {
    const npy = await file('logits.npy', npyBytes('<f8', false, [2, 3], [0, 0, Math.log(2), 5, 5, 5]));
    const paths = await file('logits-paths.txt', 'dog/1.png\r\ncat/1.png\r\n');
    const classesFile = await file('logits-classes.txt', 'cat\ndog\nfox\n');
    const { predProbs } = await loadUserSignals(
      { predProbs: npy, predProbsPaths: paths, predProbsClasses: classesFile, predProbsAreLogits: true },
      root,
      classes,
      audited,
    );
    const row = (r: number) => [...predProbs!.values.subarray(r * 3, r * 3 + 3)].map((v) => Math.round(v * 1e4) / 1e4);
    assert.deepEqual(row(0), [0.3333, 0.3333, 0.3333]);
    assert.deepEqual(row(2), [0.25, 0.25, 0.5]);
    assert.equal(predProbs!.missing, 2);
  });

  test('a .npy with --classes, and embeddings from CSV and .npy scaled to unit length', async () => {
    const npy = await file('e.npy', npyBytes('<f4', true, [2, 2], [3, 0, 4, 2])); // rows (3,4), (0,2)
    const paths = await file('e-paths.txt', 'cat/1.png\nfox/1.png\n');
    const fromNpy = await loadUserSignals({ embeddings: npy, embeddingsPaths: paths }, root, classes, audited);
    assert.deepEqual([...fromNpy.embeddings!.values], [0.6, 0.8, 0, 0, 0, 0, 0, 1].map(Math.fround));
    const csv = await file('e.csv', 'path,f0,f1\ndog/1.png,-2,0\n');
    const fromCsv = await loadUserSignals({ embeddings: csv }, root, classes, audited);
    assert.deepEqual([...fromCsv.embeddings!.values.subarray(4, 6)], [-1, 0]);
    assert.equal(fromCsv.embeddings!.missing, 3);
    const probs = await file('p.npy', npyBytes('<f4', false, [1, 3], [0.5, 0.25, 0.25]));
    const probsPaths = await file('p-paths.txt', 'fox/1.png\n');
    const withList = await loadUserSignals(
      { predProbs: probs, predProbsPaths: probsPaths, classes: ['fox', 'dog', 'cat'] },
      root,
      classes,
      audited,
    );
    assert.deepEqual([...withList.predProbs!.values.subarray(9, 12)], [0.25, 0.25, 0.5]);
  });

  test('paths outside the dataset or not audited are skipped and listed; the rest is used', async () => {
    const csv = await file(
      'skips.csv',
      `path,cat,dog,fox\n../secret.png,1,0,0\ncat/9.png,1,0,0\n${join(root, 'dog', '1.png')},0,1,0\n`,
    );
    const { predProbs, skipped } = await loadUserSignals({ predProbs: csv }, root, classes, audited);
    assert.deepEqual(
      skipped.map((s) => [s.file, s.kind]),
      [
        ['../secret.png', 'outsideRoot'],
        ['cat/9.png', 'notInDataset'],
      ],
    );
    assert.match(skipped[0].problem, /skips\.csv line 2/);
    assert.deepEqual([...predProbs!.covered], [0, 0, 1, 0]);
  });

  test('every bad input fails naming the file, the row and the problem', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'missing-class.csv',
        'path,cat,dgo\ncat/1.png,0.5,0.5\n',
        /missing-class\.csv \(header\).*"dog" is missing \(closest: "dgo"\).*"dgo" is not one of/,
      ],
      ['extra-class.csv', 'path,cat,dog,fox,owl\ncat/1.png,1,0,0,0\n', /"owl" is not one of the dataset's/],
      ['spelling.csv', 'path,Cat,dog,fox\ncat/1.png,1,0,0\n', /"cat" is missing \(closest: "Cat"\)/],
      [
        'sum.csv',
        'path,cat,dog,fox\ncat/1.png,1,0,0\ncat/2.png,0.5,0.2,0.2\n',
        /sum\.csv: line 3: the probabilities sum to 0\.900000, not 1 ± 0\.001/,
      ],
      [
        'negative.csv',
        'path,cat,dog,fox\ncat/1.png,1.2,-0.2,0\n',
        /negative\.csv: line 2, column "dog": probability -0\.2 is negative/,
      ],
      [
        'nan.csv',
        'path,cat,dog,fox\ncat/1.png,NaN,0.5,0.5\n',
        /nan\.csv: line 2, column "cat": NaN is not a finite number/,
      ],
      ['text.csv', 'path,cat,dog,fox\ncat/1.png,high,0,0\n', /text\.csv: line 2, column "cat": "high" is not a number/],
      [
        'twice.csv',
        'path,cat,dog,fox\ncat/1.png,1,0,0\ncat/1.png,1,0,0\n',
        /twice\.csv: line 3 repeats the path "cat\/1\.png" of line 2/,
      ],
      [
        'nopath.csv',
        'file,cat,dog,fox\ncat/1.png,1,0,0\n',
        /nopath\.csv: line 1 must be a header with a "path" column/,
      ],
    ];
    for (const [name, text, pattern] of cases)
      await assertFails(loadUserSignals({ predProbs: await file(name, text) }, root, classes, audited), pattern);
    const zero = await file('zero.csv', 'path,a,b\ncat/1.png,0,0\n');
    await assertFails(
      loadUserSignals({ embeddings: zero }, root, classes, audited),
      /zero\.csv: line 2: the embedding is all zeros/,
    );
    const npy = await file('bare.npy', npyBytes('<f4', false, [1, 3], [1, 0, 0]));
    await assertFails(
      loadUserSignals({ predProbs: npy }, root, classes, audited),
      /bare\.npy: a \.npy array has no image paths/,
    );
    const paths = await file('bare-paths.txt', 'cat/1.png\ncat/2.png\n');
    await assertFails(
      loadUserSignals({ predProbs: npy, predProbsPaths: paths, classes }, root, classes, audited),
      /bare-paths\.txt: it lists 2 paths, but bare\.npy has 1 rows/,
    );
    const onePath = await file('one-path.txt', 'cat/1.png\n');
    await assertFails(
      loadUserSignals({ predProbs: npy, predProbsPaths: onePath }, root, classes, audited),
      /does not name its classes/,
    );
    await assertFails(
      loadUserSignals({ predProbs: npy, predProbsPaths: onePath, classes: ['cat', 'dog'] }, root, classes, audited),
      /--classes: it names 2 classes, but .*bare\.npy has 3 columns/,
    );
    await assertFails(
      loadUserSignals({ predProbs: join(dir, 'absent.csv') }, root, classes, audited),
      /absent\.csv: it cannot be read \(ENOENT\)/,
    );
  });

  test('paths and spellings: helpers', () => {
    assert.equal(datasetPath('/data/set', 'a\\b.png'), 'a/b.png');
    assert.equal(datasetPath('/data/set', '/data/set/a/b.png'), 'a/b.png');
    assert.equal(datasetPath('/data/set', '/data/other/b.png'), undefined);
    assert.equal(datasetPath('/data/set', '..'), undefined);
    assert.equal(datasetPath('/data/set', '..foo.png'), '..foo.png');
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});
