import assert from 'node:assert/strict';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readReviewReport } from '../../../../src/extension/review/reviewSession';
import { writeLargeReportDataset } from '../../../helpers/largeReport';
import { useTempDir } from '../../../helpers/tempDir';

const temp = useTempDir('review-report');

test('the panel resolves the images it shows through their links: one leading outside and one missing get none', async () => {
  // More samples than the cards and the spot check show, so that some are never resolved.
  const root = join(temp.path, 'digits');
  const report = await writeLargeReportDataset(root, { samples: 2000, suspects: 20 });
  const flagged = report.samples.filter((s) => s.flagged);
  const [linkedOut, missing, plain] = flagged.map((s) => s.path);
  const outside = join(temp.path, 'outside.png');
  await writeFile(outside, await readFile(join(root, linkedOut)));
  await rm(join(root, linkedOut));
  await symlink(outside, join(root, linkedOut));
  await rm(join(root, missing));

  const asked = new Set<string>();
  const loaded = await readReviewReport(
    root,
    flagged.length,
    (file) => (asked.add(file), `uri:${file}`),
    () => {},
  );
  assert.equal(loaded.content.status, 'ready');
  if (loaded.content.status !== 'ready') return;
  const card = (path: string) =>
    loaded.content.status === 'ready' && loaded.content.suspects.find((s) => s.path === path);
  assert.equal((card(linkedOut) || undefined)?.imageUri, '', 'a link leading outside the dataset gets no image');
  assert.equal((card(missing) || undefined)?.imageUri, '', 'a missing file gets no image');
  assert.equal((card(plain) || undefined)?.imageUri, `uri:${join(root, plain)}`);
  assert.ok(!asked.has(outside), 'no URI names the file outside');
  // URIs for the cards (capped at the flagged ones), the spot check and the class examples only.
  assert.ok(asked.size < 1000, `${asked.size} files resolved for ${report.samples.length} samples`);
  assert.ok(report.samples.every((s) => loaded.samplePaths.has(s.path)));
  assert.ok(!loaded.samplePaths.has('../outside.png'));
});
