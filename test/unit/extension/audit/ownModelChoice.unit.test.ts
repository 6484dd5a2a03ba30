import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  choicePath,
  datasetFolderOf,
  describeChoice,
  missingCompanions,
  ownModelFiles,
  ownModelOptions,
  ownModelStateKey,
  readStoredChoice,
  withFile,
} from '../../../../src/extension/audit/ownModelChoice';

let dir: string;
let root: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'label-audit-own-choice-'));
  root = join(dir, 'digits');
  await mkdir(join(root, 'model'), { recursive: true });
  await writeFile(join(root, 'labels.csv'), 'path,label\n');
});
after(() => rm(dir, { recursive: true, force: true }));

test('the folder of a dataset is the folder itself, or the folder of its label file', async () => {
  assert.equal(await datasetFolderOf(root), root);
  assert.equal(await datasetFolderOf(join(root, 'labels.csv')), root);
  assert.equal(ownModelStateKey(root), ownModelStateKey(`${root}/`), 'one key per folder, however written');
});

test('a picked file is stored relative to the dataset folder; one outside it is refused, naming both', () => {
  assert.deepEqual(choicePath(root, join(root, 'model', 'probs.csv')), { path: 'model/probs.csv' });
  const outside = choicePath(root, join(dir, 'probs.csv'));
  assert.ok('problem' in outside);
  assert.match(outside.problem, /probs\.csv is not inside the dataset folder .*digits/);
  assert.ok('problem' in choicePath(root, root), 'the folder itself is no file');
});

test('a CSV needs nothing else; a .npy asks for its paths (and, for pred_probs, classes) files', () => {
  const csv = withFile({}, 'predProbs', 'probs.csv');
  assert.deepEqual(missingCompanions(csv), []);
  assert.deepEqual(ownModelFiles(csv, root), { predProbs: join(root, 'probs.csv') });
  const npy = withFile(withFile({}, 'predProbs', 'model/probs.npy'), 'embeddings', 'model/emb.npy');
  assert.deepEqual(missingCompanions(npy), ['predProbsPaths', 'predProbsClasses', 'embeddingsPaths']);
  assert.equal(ownModelFiles(npy, root), undefined, 'an incomplete .npy is not passed to the engine');
  const complete = withFile(
    withFile(withFile(npy, 'predProbsPaths', 'model/paths.txt'), 'predProbsClasses', 'model/classes.txt'),
    'embeddingsPaths',
    'model/paths.txt',
  );
  assert.deepEqual(ownModelFiles({ ...complete, predProbsAreLogits: true }, root), {
    predProbs: join(root, 'model', 'probs.npy'),
    predProbsPaths: join(root, 'model', 'paths.txt'),
    predProbsClasses: join(root, 'model', 'classes.txt'),
    predProbsAreLogits: true,
    embeddings: join(root, 'model', 'emb.npy'),
    embeddingsPaths: join(root, 'model', 'paths.txt'),
  });
  assert.equal(
    describeChoice(complete),
    'pred_probs model/probs.npy + model/paths.txt + model/classes.txt, embeddings model/emb.npy + model/paths.txt',
  );
});

test('a new main file drops the old companions; clearing it drops them and the logits flag', () => {
  const npy = { predProbs: 'a.npy', predProbsPaths: 'p.txt', predProbsClasses: 'c.txt', predProbsAreLogits: true };
  assert.deepEqual(withFile(npy, 'predProbs', 'b.csv'), { predProbs: 'b.csv', predProbsAreLogits: true });
  assert.deepEqual(withFile(npy, 'predProbs', undefined), {});
  assert.deepEqual(withFile({ embeddings: 'e.npy', embeddingsPaths: 'p.txt' }, 'embeddings', undefined), {});
  assert.equal(describeChoice({}), 'none');
});

test('a stored choice is read back defensively: paths leading outside the folder and odd values are dropped', () => {
  assert.deepEqual(readStoredChoice(undefined, root), {});
  assert.deepEqual(readStoredChoice('probs.csv', root), {});
  assert.deepEqual(
    readStoredChoice(
      { predProbs: '../elsewhere/probs.csv', embeddings: 'emb.csv', embeddingsPaths: 3, predProbsAreLogits: true },
      root,
    ),
    { embeddings: 'emb.csv' },
    'the escaping path, the number and the orphaned logits flag are gone',
  );
  assert.deepEqual(readStoredChoice({ predProbs: 'probs.csv', predProbsAreLogits: true }, root), {
    predProbs: 'probs.csv',
    predProbsAreLogits: true,
  });
});

test('a backbone folder replaces an embeddings file (and the other way round), and reaches the engine as a path', () => {
  const withEmbeddings = withFile(withFile({}, 'embeddings', 'model/emb.npy'), 'embeddingsPaths', 'model/paths.txt');
  const withBackbone = withFile(withEmbeddings, 'backbone', 'model/mobilenet');
  assert.deepEqual(withBackbone, { backbone: 'model/mobilenet' }, 'the file and its companion go');
  assert.deepEqual(withFile(withBackbone, 'embeddings', 'model/emb.csv'), { embeddings: 'model/emb.csv' });
  assert.equal(describeChoice(withBackbone), 'backbone model/mobilenet');
  assert.deepEqual(ownModelFiles(withBackbone, root), { backbone: join(root, 'model', 'mobilenet') });
  assert.deepEqual(readStoredChoice({ backbone: '../elsewhere' }, root), {}, 'a stored folder outside is dropped');
  assert.deepEqual(readStoredChoice({ backbone: 'model/mobilenet' }, root), { backbone: 'model/mobilenet' });
});

test('heads on the embeddings are an audit option only while there are embeddings to train on', () => {
  const chosen = { ...withFile({}, 'backbone', 'model/mobilenet'), embeddingHeads: true };
  assert.deepEqual(ownModelOptions(chosen), { heads: 'embeddings' });
  assert.equal(describeChoice(chosen), 'backbone model/mobilenet, heads on the embeddings');
  assert.deepEqual(readStoredChoice(chosen, root), chosen);
  const cleared = withFile(chosen, 'backbone', undefined);
  assert.deepEqual(cleared, {}, 'the flag goes with the last embeddings');
  assert.deepEqual(ownModelOptions({ embeddingHeads: true }), {});
});
