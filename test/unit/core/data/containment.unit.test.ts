import assert from 'node:assert/strict';
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditFolderProblem, prepareAuditFolder } from '../../../../src/core/auditFolder';
import { RootResolver, sampleFileInside, sampleFilesInside } from '../../../../src/core/data/containment';
import { loadDataset } from '../../../../src/core/data/dataset';
import { AuditError } from '../../../../src/core/errors';
import { ThumbnailCache } from '../../../../src/extension/review/thumbnailCache';
import { ownImagePaths, writeHostileCorpus, type HostileCorpus } from '../../../helpers/hostileCorpus';

// Issue #11, item 1: nothing outside the dataset is read or written, whatever links it holds.
let temp: string;
let corpus: HostileCorpus;

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'label-audit-hostile-'));
  corpus = await writeHostileCorpus(temp);
});
after(() => rm(temp, { recursive: true, force: true }));

describe('symbolic links in a folder-per-class dataset', () => {
  it('links leading outside are skipped as outsideRoot, naming the link and its target; links inside keep working', async () => {
    const dataset = await loadDataset(corpus.folderDataset);
    const paths = dataset.samples.map((s) => s.path);
    for (const own of ownImagePaths()) assert.ok(paths.includes(own), `${own} is audited`);
    assert.ok(paths.includes('1/inside.png'), 'a file link inside the root is kept');
    assert.ok(
      paths.some((p) => p.startsWith('alias/')),
      'a class folder link inside the root is kept',
    );
    assert.ok(!paths.some((p) => p.startsWith('evil/') || p === '0/leak.png' || p === '1/passwd.png'));
    const outside = new Map(dataset.issues.filter((i) => i.kind === 'outsideRoot').map((i) => [i.file, i.problem]));
    const real = await realpath(corpus.outside);
    assert.match(
      outside.get('0/leak.png') ?? '',
      new RegExp(`"0/leak.png" is a symbolic link to ${join(real, 'secret.png')}`),
    );
    assert.match(
      outside.get('evil') ?? '',
      new RegExp(`class folder "evil" is a symbolic link to ${join(real, 'cls')}`),
    );
    // /etc/passwd is refused by its path, before anything reads it (it used to be listed as "not an image").
    assert.match(
      outside.get('1/passwd.png') ?? '',
      /symbolic link to \/etc\/passwd, which leads outside the dataset folder/,
    );
    assert.ok(!dataset.issues.some((i) => i.kind === 'notAnImage'));
  });

  it('sampleFileInside (thumbnails, image URIs, Open Image) resolves links: inside → the real file, outside → nothing', async () => {
    const root = corpus.folderDataset;
    const realRoot = await realpath(root);
    assert.equal(await sampleFileInside(root, '1/inside.png'), join(realRoot, ownImagePaths()[0]));
    assert.equal(await sampleFileInside(root, '0/leak.png'), undefined);
    assert.equal(await sampleFileInside(root, 'evil/secret-0.png'), undefined);
    assert.equal(await sampleFileInside(root, '1/passwd.png'), undefined);
    assert.equal(await sampleFileInside(root, '../outside/secret.png'), undefined);
    const many = await sampleFilesInside(root, ['0/leak.png', '1/inside.png', 'alias/inside.png', 'evil/secret-1.png']);
    assert.deepEqual(
      ['0/leak.png', '1/inside.png', 'alias/inside.png', 'evil/secret-1.png'].filter((p) => many.get(p) !== undefined),
      ['1/inside.png', 'alias/inside.png'],
    );
  });

  it('resolving many paths of one folder at once (it is listed, not lstat-ed path by path) resolves each as alone', async () => {
    const root = corpus.folderDataset;
    const resolver = await RootResolver.open(root);
    const tricky = ['0/leak.png', '1/passwd.png', '1/inside.png', '0/absent.png', '1/absent.png', 'alias/inside.png'];
    const folders = ['0/nested', '1/../0', '0/.', 'evil/secret-0.png', '../outside/secret.png'];
    // Enough paths per folder that both class folders are listed; repeats are allowed in a request.
    const paths = [...tricky, ...folders];
    while (paths.length < 200) paths.push(...ownImagePaths());
    const together = await resolver.resolveAll(paths);
    const alone = await RootResolver.open(root);
    for (const path of new Set(paths)) assert.deepEqual(together.get(path), await alone.resolve(path), path);
    assert.ok('file' in together.get(ownImagePaths()[0])!, 'an own image is a file');
    assert.ok('escape' in together.get('0/leak.png')!, 'a link out is refused from a listed folder too');
    assert.deepEqual(together.get('0/absent.png'), { missing: 'missing' });
    // The review panel's lookup, one path at a time, answers the same for every path.
    const files = await sampleFilesInside(root, paths);
    for (const path of new Set(paths)) {
      const resolution = together.get(path)!;
      assert.equal(files.get(path), 'file' in resolution ? resolution.file : undefined, path);
    }
  });

  it('the thumbnail cache makes no thumbnail of a linked-out image and writes nothing outside', async () => {
    const cache = new ThumbnailCache(corpus.folderDataset);
    await assert.rejects(
      cache.file('0/leak.png'),
      /symbolic link to .*secret\.png, which leads outside the dataset folder/,
    );
    await assert.rejects(cache.file('evil/secret-0.png'), /"evil" is a symbolic link/);
    assert.deepEqual(await readdir(join(corpus.outside, 'cls')), ['secret-0.png', 'secret-1.png', 'secret-2.png']);
  });
});

describe('label files and the output folder behind links', () => {
  it('CSV rows through a linked folder that leads outside are skipped as outsideRoot', async () => {
    const dataset = await loadDataset(corpus.csvDataset);
    assert.equal(dataset.samples.length, 24);
    const outside = dataset.issues.filter((i) => i.kind === 'outsideRoot');
    assert.deepEqual(
      outside.map((i) => i.file),
      ['linked/secret-0.png', 'linked/secret-1.png', 'linked/secret-2.png'],
    );
    assert.match(
      outside[0].problem,
      /listed on line 26 of labels\.csv, but "linked" is a symbolic link to .*outside\/cls/,
    );
  });

  it('a label file that is a link to a file outside is refused, naming both', async () => {
    await assert.rejects(loadDataset(corpus.linkedManifestDataset), (error: unknown) => {
      assert.ok(AuditError.is(error, 'notADataset'));
      assert.match(error.message, /"labels\.csv" is a symbolic link to .*outside\/labels\.csv, which leads outside/);
      return true;
    });
  });

  it('a .label-audit that is a link outside is never written into: audit, cache and thumbnails refuse it', async () => {
    const problem = await auditFolderProblem(corpus.linkedOutputDataset);
    assert.match(
      problem ?? '',
      /"\.label-audit" is a symbolic link to .*outside\/out.*; label-audit writes nothing there/,
    );
    const state = await prepareAuditFolder(corpus.linkedOutputDataset, { cache: true });
    assert.equal(state.problem, problem);
    const cache = new ThumbnailCache(corpus.linkedOutputDataset);
    await assert.rejects(cache.file(ownImagePaths()[0]), /no thumbnails are kept: "\.label-audit" is a symbolic link/);
    assert.deepEqual(await readdir(join(corpus.outside, 'out')), []);
  });
});
