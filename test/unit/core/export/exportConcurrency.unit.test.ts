import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadDataset } from '../../../../src/core/data/dataset';
import { AuditError } from '../../../../src/core/errors';
import { exportJournalPath, stageExport } from '../../../../src/core/export/exportCommit';
import { exportCleanedLabels } from '../../../../src/core/export/exportLabels';
import { REPO } from '../../../helpers/repo';
import { realImages, writeDataset } from '../../../helpers/realImages';
import { runTogether } from '../../../helpers/startTogether';

// Regression for issue 11 item 4: two exports at once without --force both succeeded (24 in 60),
// a kill between the two writes left labels without their log. A CSV dataset of real MNIST digits.
const CHILD = join(REPO, 'test', 'helpers', 'exportRunner.child.ts');
let root: string;
let manifest: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'label-audit-export-race-'));
  const { images, labels, classNames } = realImages(40, { seed: 4 });
  await writeDataset(root, { images, labels: labels.map((l) => classNames[l] as string) }, 'csv');
  manifest = join(root, 'labels.csv');
});
after(() => rm(root, { recursive: true, force: true }));
beforeEach(async () => {
  for (const name of await readdir(root)) if (name !== 'labels.csv' && name !== 'images') await rm(join(root, name));
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The decisions log's rows, and whether it belongs to the labels file beside it (by hash). */
async function exportOnDisk(
  name = 'labels.cleaned',
): Promise<{ labels: string[]; matches: boolean; finalLabels: Set<string> }> {
  const labelsBytes = await readFile(join(root, `${name}.csv`));
  const log = parse(await readFile(join(root, `${name}.decisions.csv`), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  const rows = parse(labelsBytes, { columns: true }) as { label: string }[];
  return {
    labels: rows.map((row) => row.label),
    matches: log.every((row) => row.labels_sha256 === sha256(labelsBytes)),
    finalLabels: new Set(log.filter((row) => row.action === 'relabel').map((row) => row.final_label)),
  };
}

test('four exports at once without overwrite, 12 times: each time exactly one writes, and its labels and log belong together', async () => {
  const rounds = 12;
  const names = ['alpha', 'beta', 'gamma', 'delta'];
  const outcomes = (
    await runTogether(
      CHILD,
      names.map((label) => [manifest, String(rounds), label]),
    )
  ).map((out) => out.split(','));
  for (let round = 0; round < rounds; round++) {
    const each = outcomes.map((perRunner) => perRunner[round]);
    assert.equal(each.filter((o) => o === 'ok').length, 1, `round ${round}: ${each.join(', ')}`);
    assert.equal(each.filter((o) => o === 'exportExists').length, 3, `round ${round}: ${each.join(', ')}`);
    const winner = names[each.indexOf('ok')] as string;
    const written = await exportOnDisk(`round-${round}`);
    assert.ok(written.matches, `round ${round}: the log names the labels file beside it`);
    assert.deepEqual(written.finalLabels, new Set([winner]));
    assert.equal(written.labels.filter((label) => label === winner).length, 10);
  }
  // No lock, journal or temporary left behind.
  assert.deepEqual(
    (await readdir(root)).filter((name) => name.startsWith('.')),
    [],
  );
});

test("a crash between the renames is finished by the next export, whose refusal names the caller's flag", async () => {
  const dataset = await loadDataset(manifest);
  const first = dataset.samples[0]?.path as string;
  await exportCleanedLabels(dataset, { [first]: { action: 'relabel', label: 'old' } });
  // What the next export would write, staged and half renamed: the crash hits after the labels file.
  const newer = await exportCleanedLabels(
    await loadDataset(manifest),
    { [first]: { action: 'relabel', label: 'new' } },
    {
      outPath: join(root, 'staging.csv'),
    },
  );
  const staged = await stageExport(
    [
      { path: join(root, 'labels.cleaned.csv'), text: await readFile(newer.labelsPath, 'utf8') },
      {
        path: join(root, 'labels.cleaned.decisions.csv'),
        text: (await readFile(newer.logPath, 'utf8')).replace('staging.csv', 'labels.cleaned.csv'),
      },
    ],
    exportJournalPath(join(root, 'labels.cleaned.csv')),
  );
  await rm(newer.labelsPath);
  await rm(newer.logPath);
  const [labelsRename] = staged.renames;
  await rename(labelsRename!.from, labelsRename!.to); // ... and the process dies here
  assert.equal((await exportOnDisk()).matches, false, 'mid-crash, labels and log disagree (and the hash shows it)');

  await assert.rejects(
    exportCleanedLabels(await loadDataset(manifest), {}, { replaceHint: 'pass --force' }),
    (error: unknown) =>
      AuditError.is(error, 'exportExists') && /already exists; pass --force to replace/.test(error.message),
  );
  const recovered = await exportOnDisk();
  assert.ok(recovered.matches, 'the interrupted export was completed: labels and log belong together');
  assert.deepEqual(recovered.finalLabels, new Set(['new']));
  assert.deepEqual((await readdir(root)).sort(), [
    'images',
    'labels.cleaned.csv',
    'labels.cleaned.decisions.csv',
    'labels.csv',
  ]);
});

test('a crash before the journal leaves only temporaries, which the next export removes', async () => {
  await writeFile(join(root, '.labels.cleaned.csv.0123456789ab.export.tmp'), 'half written');
  await writeFile(join(root, '.labels.cleaned.decisions.csv.0123456789ab.export.tmp'), 'half');
  await exportCleanedLabels(await loadDataset(manifest), {});
  assert.ok((await exportOnDisk()).matches);
  assert.deepEqual((await readdir(root)).sort(), [
    'images',
    'labels.cleaned.csv',
    'labels.cleaned.decisions.csv',
    'labels.csv',
  ]);
});
