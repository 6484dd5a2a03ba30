import assert from 'node:assert/strict';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { RecordBatchFileWriter, Table, tableFromIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { AuditError } from '../../../src/core/errors';
import { REPORT_VERSION, type AuditReport, type ReportSample } from '../../../src/core/report';
import { readReport, reportJson, writeReport, type ReportHeader } from '../../../src/core/reportFile';
import { encodeSamples } from '../../../src/core/reportSamples';
import { healthDigitsReport } from '../../helpers/healthDigitsReport';
import { sampleDigitsReport } from '../../helpers/sampleReport';
import { withTempDir } from '../../helpers/tempDir';

/** The sample digits' report with every optional per-sample field on some samples, and a non-ASCII path. */
async function reportWithEveryField(): Promise<AuditReport> {
  const report = await sampleDigitsReport();
  const samples = report.samples.map((s, i): ReportSample => {
    if (i === 0) return { ...s, path: 'ünïcode/çafé 7.png', heldBack: true, ermLearnedEpoch: 3, copyGroup: 0 };
    if (i === 1)
      return {
        ...s,
        dynamics: { aum: -1.25, learnedEpoch: 0, forgotten: 2, margins: [-0.5, 1.5, -2.1] },
        reasons: {
          signals: { ermMemorized: true, mixupRejects: true, outOfSampleRejects: false },
          scores: { ermMixup: 0.81, confidentLearning: 0.4 },
          outOfSampleGiven: 0.2,
          suggestions: { ermMixup: '3', confidentLearning: '5' },
          suggestionsAgree: false,
          neighbours: { agreement: 0.25, score: 0.75, suggestion: '3' },
        },
      };
    if (i === 2) return { ...s, dynamics: { aum: 4, learnedEpoch: 1, forgotten: 0, margins: [] }, ermLearnedEpoch: 0 };
    return s;
  });
  return { ...report, samples };
}

test('a report is a header and an Arrow samples file that read back as the same report', async () => {
  const report = await reportWithEveryField();
  await withTempDir('report', async (dir) => {
    const path = join(dir, 'report.json');
    await writeReport(report, path);
    const header = JSON.parse(await readFile(path, 'utf8')) as ReportHeader;
    assert.equal(header.version, REPORT_VERSION);
    assert.equal(header.samples.rows, report.samples.length);
    assert.match(header.samples.file, /^report\.json\.samples\.[0-9a-f]{12}\.arrow$/);
    assert.deepEqual(await readdir(dir), [header.samples.file, 'report.json'].sort());
    assert.deepEqual(await readReport(path), JSON.parse(JSON.stringify(report)), 'every field, exactly');

    // A second write leaves only its own samples file.
    await writeReport({ ...report, samples: report.samples.slice(0, 5) }, path);
    const second = JSON.parse(await readFile(path, 'utf8')) as ReportHeader;
    assert.notEqual(second.samples.file, header.samples.file);
    assert.deepEqual(await readdir(dir), [second.samples.file, 'report.json'].sort());
    assert.equal((await readReport(path)).samples.length, 5);

    // Two audits finishing at once (the lock orders them): the header names a samples file that is there.
    await Promise.all([
      writeReport(report, path),
      writeReport({ ...report, samples: report.samples.slice(0, 7) }, path),
    ]);
    const last = JSON.parse(await readFile(path, 'utf8')) as ReportHeader;
    assert.deepEqual(await readdir(dir), [last.samples.file, 'report.json'].sort(), 'one samples file, no lock left');
    assert.equal((await readReport(path)).samples.length, last.samples.rows);

    // A report named without .json beside it keeps its own samples.
    await writeReport(report, join(dir, 'report'));
    assert.equal((await readReport(path)).samples.length, last.samples.rows);
    assert.equal((await readReport(join(dir, 'report'))).samples.length, report.samples.length);
  });
});

test('the header JSON puts each array of numbers on one line, strings untouched', async () => {
  const report = await sampleDigitsReport();
  const odd = { ...report, createdAt: 'x[1,\t2]' };
  const text = reportJson(odd);
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(odd)));
  assert.ok(text.includes('"createdAt": "x[1,\\t2]"'));
  assert.ok(text.includes(`[${odd.noiseMatrix.counts[0].join(', ')}]`), 'a noise-matrix row on one line');
  assert.match(text, /\n {2}"samples": \[\n {4}\{/, 'arrays of objects keep one item per line');
});

test("version 2 and 3 reports, samples inline, read as today's: version 2's judge is scoredBy, its judge noise source in-sample", async () => {
  const report = await reportWithEveryField();
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

    await writeFile(path, JSON.stringify({ ...report, version: 3 }));
    assert.deepEqual(await readReport(path), JSON.parse(JSON.stringify(report)), 'a version 3 report reads unchanged');

    for (const version of [1, REPORT_VERSION + 1, '3']) {
      await writeFile(path, JSON.stringify({ ...report, version }));
      await assert.rejects(readReport(path), (e: unknown) => {
        return AuditError.is(e, 'reportMalformed') && e.message.includes(`has report version ${version}`);
      });
    }
    await writeFile(path, JSON.stringify({ ...report, version: 4 }));
    await assert.rejects(readReport(path), /is not a label-audit report/, 'version 4 with inline samples');
  });
});

test('a missing, damaged, short or foreign samples file is an error that names it and the problem', async () => {
  const report = await sampleDigitsReport();
  await withTempDir('report', async (dir) => {
    const path = join(dir, 'report.json');
    await writeReport(report, path);
    const header = JSON.parse(await readFile(path, 'utf8')) as ReportHeader;
    const samplesPath = join(dir, header.samples.file);
    const bytes = await readFile(samplesPath);
    const rejects = async (pattern: RegExp, file = samplesPath) =>
      assert.rejects(readReport(path), (e: unknown) => {
        assert.ok(AuditError.is(e, 'reportMalformed'), String(e));
        assert.equal(e.file, file);
        assert.match(e.message, pattern);
        return true;
      });

    await writeFile(samplesPath, bytes.subarray(0, bytes.length / 2));
    await rejects(
      new RegExp(`^${samplesPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, the samples of .*report\\.json, is damaged`),
    );
    await writeFile(samplesPath, encodeSamples(report.samples.slice(1), report.dataset.classes));
    await rejects(
      new RegExp(`holds ${report.samples.length - 1} samples where the report says ${report.samples.length}`),
    );
    const table = tableFromIPC(bytes);
    const columns = Object.fromEntries(table.schema.fields.map((f) => [f.name, table.getChild(f.name)!]));
    const scoreAsText = new Table({
      ...columns,
      score: vectorFromArray(
        report.samples.map(() => 'high'),
        new Utf8(),
      ),
    });
    await writeFile(samplesPath, RecordBatchFileWriter.writeAll(scoreAsText));
    await rejects(/is damaged: its "score" column holds Utf8, not numbers/);
    await writeFile(samplesPath, RecordBatchFileWriter.writeAll(table.select(['path', 'score'])));
    await rejects(/is damaged: it has no "givenLabel" column/);
    const nonUtf8 = Buffer.from(bytes);
    nonUtf8[nonUtf8.indexOf(Buffer.from(report.samples[3].path))] = 0xff;
    await writeFile(samplesPath, nonUtf8);
    await rejects(/is damaged: row \d+ holds text that is not UTF-8/);
    await rm(samplesPath);
    await writeFile(join(dir, 'elsewhere.arrow'), bytes);
    await symlink(join(dir, 'elsewhere.arrow'), samplesPath);
    await rejects(/is not a regular file/);

    await writeFile(
      path,
      JSON.stringify({ ...header, samples: { ...header.samples, file: 'report.samples.000000000000.arrow' } }),
    );
    await rejects(
      /report\.samples\.000000000000\.arrow, the samples of .*, is missing/,
      join(dir, 'report.samples.000000000000.arrow'),
    );
    for (const file of [
      '../report.samples.0123456789ab.arrow',
      'x:report.samples.0123456789ab.arrow',
      '/etc/passwd',
      7,
    ]) {
      await writeFile(path, JSON.stringify({ ...header, samples: { ...header.samples, file } }));
      await rejects(/names no samples file of its own/, path);
    }
  });
});

test("health's per-sample scores and map points are samples-file columns that read back exactly; version 4 kept them in the header", async () => {
  await withTempDir('report-health', async (dir) => {
    const { report } = await healthDigitsReport(join(dir, 'digits'));
    const health = report.health!;
    assert.ok(health.map && health.outliers, 'the report has a map and outliers');
    // A point the map has none for (a sample without an embedding) stays null.
    const points = [...health.map.points];
    points[2] = points[3] = null;
    const full = { ...report, health: { ...health, map: { ...health.map, points } } };
    const path = join(dir, 'report.json');
    await writeReport(full, path);
    const text = await readFile(path, 'utf8');
    const header = JSON.parse(text) as ReportHeader;
    assert.equal(header.health?.imageQuality.types.dark.scores, undefined, 'no scores in the header');
    assert.equal(header.health?.outliers?.scores, undefined, 'no outlier scores in the header');
    assert.equal(header.health?.outliers?.k, health.outliers.k, 'the outliers keep their own fields');
    assert.equal(header.health?.map?.points, undefined, 'no points in the header');
    assert.ok(text.length < 40_000, `the header is small: ${text.length} characters`);
    const table = tableFromIPC(await readFile(join(dir, header.samples.file)));
    assert.equal(String(table.getChild('health.dark')?.type), 'Float32', 'rounded scores fit float32');
    assert.ok(table.getChild('map.x') && table.getChild('health.outliers'));
    assert.deepEqual(await readReport(path), JSON.parse(JSON.stringify(full)), 'every score and point, exactly');

    // Version 4: the same arrays inline in the header, read as they are.
    const v4 = join(dir, 'v4.json');
    await writeReport({ ...full, health: undefined }, v4);
    const v4Header = JSON.parse(await readFile(v4, 'utf8')) as ReportHeader;
    await writeFile(v4, reportJson({ ...v4Header, version: 4, health: full.health } as unknown as ReportHeader));
    assert.deepEqual(await readReport(v4), JSON.parse(JSON.stringify(full)), 'a version 4 report reads unchanged');

    // A version 5 header whose samples file lacks a column its health needs.
    await writeFile(path, reportJson({ ...header, samples: v4Header.samples }));
    await assert.rejects(readReport(path), (e: unknown) => {
      return (
        AuditError.is(e, 'reportMalformed') &&
        e.message.includes(v4Header.samples.file) &&
        e.message.includes('has no "health.dark" column')
      );
    });
  });
});

test('a report of more samples than one record batch holds reads back exactly, its health columns too', async () => {
  await withTempDir('report-batches', async (dir) => {
    const { report } = await healthDigitsReport(join(dir, 'digits'));
    const health = report.health!;
    // 175 copies of the 400 digits under new names: 70 000 rows, over one batch of 65 536.
    const copies = 175;
    const repeat = <T>(values: readonly T[]) => Array.from({ length: copies }, () => values).flat();
    const samples = repeat(report.samples).map((s, i) => ({ ...s, path: `${Math.floor(i / 400)}/${s.path}` }));
    const types = Object.fromEntries(
      Object.entries(health.imageQuality.types).map(([type, issue]) => [
        type,
        { ...issue, scores: repeat(issue.scores) },
      ]),
    ) as unknown as typeof health.imageQuality.types;
    const big: AuditReport = {
      ...report,
      samples,
      health: {
        ...health,
        imageQuality: { ...health.imageQuality, types },
        outliers: { ...health.outliers!, scores: repeat(health.outliers!.scores) },
        map: { ...health.map!, points: repeat(health.map!.points) },
      },
    };
    const path = join(dir, 'report.json');
    await writeReport(big, path);
    const header = JSON.parse(await readFile(path, 'utf8')) as ReportHeader;
    assert.ok(tableFromIPC(await readFile(join(dir, header.samples.file))).batches.length > 1, 'more than one batch');
    assert.deepEqual(await readReport(path), JSON.parse(JSON.stringify(big)));
  });
});
