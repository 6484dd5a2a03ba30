import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../../../src/core/data/dataset';
import { decodeImages } from '../../../../src/core/data/decode';
import { assessHealth } from '../../../../src/core/health/healthReport';
import { QUALITY_TYPES, qualityScores } from '../../../../src/core/health/imageQuality';
import { realImages, writePng, type ImageSource } from '../../../helpers/realImages';
import { PLANTED_DEFECTS, writePlanted, writeTinted } from '../../../helpers/plantedDefects';
import { withTempDir } from '../../../helpers/tempDir';

/** Decodes a folder as the audit does and runs the checks (no embeddings). */
async function healthOf(root: string) {
  const dataset = await loadDataset(root);
  const decoded = await decodeImages(dataset, { size: 32 });
  const health = await assessHealth({
    dataset,
    kept: decoded.kept,
    qualityScores: qualityScores(decoded.images, decoded.dimensions, decoded.contentOf),
    imageSize: decoded.images.size,
    duplicateGroups: [],
  });
  return { dataset, decoded, health };
}

/** The flagged paths per type of {@link healthOf}. */
async function flaggedPaths(root: string): Promise<Record<string, string[]>> {
  const { dataset, decoded, health } = await healthOf(root);
  return Object.fromEntries(
    QUALITY_TYPES.map((type) => [
      type,
      [...health.quality[type].flags.flagged].map((row) => dataset.samples[decoded.kept[row]].path).sort(),
    ]),
  );
}

for (const source of ['mnist', 'fashion'] as ImageSource[]) {
  test(`${source}: every planted defect is found, under its own type only, and no clean image is flagged`, async () => {
    await withTempDir('quality', async (root) => {
      const { images, labels, classNames } = realImages(150, { source, seed: 21 });
      const planted = new Map<string, string>();
      for (let i = 0; i < images.length; i++) {
        const path = `${classNames[labels[i]]}/${i}.png`;
        // Two of each defect, on images 0..11; the other 138 stay clean.
        const defect = i < 2 * PLANTED_DEFECTS.length ? PLANTED_DEFECTS[i % PLANTED_DEFECTS.length] : undefined;
        if (defect) {
          await writePlanted(join(root, path), images[i], defect);
          planted.set(path, defect);
        } else await writePng(join(root, path), images[i]);
      }
      const flagged = await flaggedPaths(root);
      for (const type of QUALITY_TYPES) {
        const expected = [...planted]
          .filter(([, d]) => d === type)
          .map(([p]) => p)
          .sort();
        assert.deepEqual(flagged[type], expected, `${type} on ${source}`);
      }
    });
  });
}

test('a gray image among colour images is flagged grayscale; a gray dataset flags none', async () => {
  await withTempDir('quality-colour', async (root) => {
    const { images, labels } = realImages(40, { source: 'fashion', seed: 22 });
    const gray: string[] = [];
    for (let i = 0; i < images.length; i++) {
      const path = `c${labels[i]}/${i}.png`;
      if (i % 13 === 0) {
        await writePng(join(root, path), images[i]);
        gray.push(path);
      } else await writeTinted(join(root, path), images[i], { r: 240, g: 120, b: 60 });
    }
    assert.deepEqual((await flaggedPaths(root)).grayscale, gray.sort());
  });
  await withTempDir('quality-gray', async (root) => {
    const { images, labels } = realImages(30, { seed: 23 });
    for (let i = 0; i < images.length; i++) await writePng(join(root, `${labels[i]}/${i}.png`), images[i]);
    assert.deepEqual((await flaggedPaths(root)).grayscale, []);
  });
});

test('a type that fires on more than 10% of the dataset is a dataset property: counted, not listed', async () => {
  await withTempDir('quality-dark', async (root) => {
    const { images, labels } = realImages(40, { seed: 24 });
    for (let i = 0; i < images.length; i++) {
      const path = join(root, `${labels[i]}/${i}.png`);
      if (i % 3 === 0) await writePlanted(path, images[i], 'dark');
      else await writePng(path, images[i]);
    }
    const { health } = await healthOf(root);
    const dark = health.quality.dark.flags;
    assert.equal(dark.count, 14);
    assert.equal(dark.datasetProperty, true);
    assert.equal(dark.flagged.length, 0);
  });
});
