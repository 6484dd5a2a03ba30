import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuditError } from '../../../src/core/errors';
import { readReport, REPORT_VERSION, reportJson, writeReport } from '../../../src/core/report';
import { sampleDigitsReport } from '../../helpers/sampleReport';
import { withTempDir } from '../../helpers/tempDir';

test('the report JSON puts each array of numbers on one line and reads back unchanged, strings untouched', async () => {
  const report = await sampleDigitsReport();
  // A path that looks like a number array must stay as it is.
  const odd = { ...report, samples: report.samples.map((s, i) => (i === 0 ? { ...s, path: 'x[1,\t2].png' } : s)) };
  const text = reportJson(odd);
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(odd)));
  assert.ok(text.includes('"path": "x[1,\\t2].png"'));
  const flagged = odd.samples.find((s) => s.neighbours)!;
  assert.ok(text.includes(`"samples": [${flagged.neighbours!.given.samples.join(', ')}]`), 'positions on one line');
  assert.ok(text.includes(`"distances": [${flagged.neighbours!.given.distances.join(', ')}]`), 'distances on one line');
  assert.ok(text.includes(`[${odd.noiseMatrix.counts[0].join(', ')}]`), 'a noise-matrix row on one line');
  assert.match(text, /\n {2}"samples": \[\n {4}\{/, 'arrays of objects keep one item per line');
});

test('a version 2 report reads as version 3: the judge setting is scoredBy, the judge noise source in-sample', async () => {
  const report = await sampleDigitsReport();
  const { scoredBy, ...flag } = report.settings.flag;
  const version2 = {
    ...report,
    version: 2,
    settings: { ...report.settings, flag: { ...flag, judge: scoredBy } },
    noiseMatrix: { ...report.noiseMatrix, source: 'judge' },
  };
  await withTempDir('report', async (dir) => {
    const path = join(dir, 'report.json');
    await writeFile(path, JSON.stringify(version2));
    const read = await readReport(path);
    assert.deepEqual(read, JSON.parse(JSON.stringify(report)), 'the same report under the new names');
    assert.equal(read.version, REPORT_VERSION);
    assert.equal(read.settings.flag.scoredBy, scoredBy);
    assert.equal(read.noiseMatrix.source, 'in-sample');
    assert.ok(!('judge' in read.settings.flag));

    await writeFile(
      path,
      JSON.stringify({ ...version2, noiseMatrix: { ...report.noiseMatrix, source: 'out-of-sample' } }),
    );
    assert.equal((await readReport(path)).noiseMatrix.source, 'out-of-sample', 'out-of-sample stays');

    await writeReport(report, path);
    assert.deepEqual(await readReport(path), JSON.parse(JSON.stringify(report)), 'a version 3 report reads unchanged');

    for (const version of [1, REPORT_VERSION + 1, '3']) {
      await writeFile(path, JSON.stringify({ ...report, version }));
      await assert.rejects(readReport(path), (e: unknown) => {
        return AuditError.is(e, 'reportMalformed') && e.message.includes(`has report version ${version}`);
      });
    }
  });
});
