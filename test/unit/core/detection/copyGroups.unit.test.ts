import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findDuplicates, LISTED_COPY_PATHS } from '../../../../src/core/detection/duplicates';
import type { ImageSet } from '../../../../src/core/shared/types';
import { byContent } from '../../../helpers/contents';
import { realImages, SOURCE_SIZE } from '../../../helpers/realImages';

// Issue #18: 20 000 byte-identical files of one real digit among 1 000 distinct ones. The near
// search runs over one representative per exact-copy unit, so this is as cheap as the 1 000 alone
// (before: ~200 million pairs at distance 0, each confirmed by a pixel correlation, gigabytes).
test(
  '20 000 copies of one image: one exact group with its size, found as fast as without the copies',
  { timeout: 120_000 },
  () => {
    const distinct = realImages(1000, { seed: 18 });
    const area = SOURCE_SIZE * SOURCE_SIZE;
    const copies = 20_000;
    const count = distinct.images.length + copies;
    const pixels = new Uint8Array(count * area);
    distinct.images.forEach((image, i) => pixels.set(image, i * area));
    for (let i = 0; i < copies; i++) pixels.set(distinct.images[0], (distinct.images.length + i) * area);
    const images: ImageSet = { size: SOURCE_SIZE, channels: 1, pixels, count };
    const samples = Array.from({ length: count }, (_, row) => {
      const copy = row >= distinct.images.length;
      return {
        path: copy ? `placeholder/${row}.png` : `${distinct.labels[row]}/${row}.png`,
        label: copy ? 'placeholder' : String(distinct.labels[row]),
        contentHash: copy ? 'same-bytes' : `distinct-${row}`,
      };
    });

    const keys = samples.map((sample) => sample.contentHash);
    const first = byContent({ ...images, count: 1000, pixels: pixels.subarray(0, 1000 * area) }, keys.slice(0, 1000));
    const all = byContent(images, keys);
    const alone = timed(() => findDuplicates(first.contents, samples.slice(0, 1000), first.contentOf));
    const withCopies = timed(() => findDuplicates(all.contents, samples, all.contentOf));
    // The copies share the first digit's pixels but not its bytes: they and it are one near group,
    // listed once, the exact and other groups unchanged.
    assert.deepEqual(withCopies.result.summary.exact, alone.result.summary.exact);
    assert.ok(withCopies.result.summary.near.groups <= alone.result.summary.near.groups + 1);
    assert.ok(withCopies.result.summary.near.images <= alone.result.summary.near.images + copies + 1);
    const group = withCopies.result.conflicts.find((g) => g.members.some((m) => m.label === 'placeholder'));
    assert.ok(group, 'the copies (label "placeholder") next to a digit with its own label conflict');
    // The 20 000 copies are one member with their count and a few paths, not 20 000 members.
    const placeholder = group.members.filter((m) => m.label === 'placeholder');
    assert.equal(placeholder.length, 1);
    assert.equal(placeholder[0].copies, copies);
    assert.equal(placeholder[0].morePaths?.length, LISTED_COPY_PATHS);
    assert.equal(group.members.length, 2);
    assert.ok(group.members.some((m) => m.path === samples[0].path));
    assert.equal(withCopies.result.summary.conflicting.images, copies + 1);
    // The copies are one copy group with its size; every copy row points at it.
    assert.equal(withCopies.result.copyGroups.length, alone.result.copyGroups.length + 1);
    const copyGroup = withCopies.result.copyGroups[0];
    assert.equal(copyGroup.files, copies);
    assert.deepEqual(copyGroup.labels, [{ label: 'placeholder', files: copies }]);
    assert.equal(copyGroup.paths.length, LISTED_COPY_PATHS + 1);
    assert.equal(withCopies.result.copyGroupOf.filter((g) => g === 0).length, copies);
    assert.equal(withCopies.result.copyGroupOf[0], -1);
    // Linear, not quadratic: generous for a loaded machine (the quadratic search took minutes).
    assert.ok(withCopies.seconds < 20 * Math.max(alone.seconds, 0.5), `${withCopies.seconds} s vs ${alone.seconds} s`);
  },
);

function timed<T>(run: () => T): { result: T; seconds: number } {
  const started = performance.now();
  const result = run();
  return { result, seconds: (performance.now() - started) / 1000 };
}
