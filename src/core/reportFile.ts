/**
 * Storing a report: `report.json`, a header of every section but the samples, and beside it the
 * samples as an Arrow file that the header names (reportSamples.ts, docs/report-format.md). Reads
 * versions 2 and 3 too, which held the samples inline in report.json.
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from './atomicWrite';
import { AuditError } from './errors';
import { withFileLock } from './fileLock';
import { AUDIT_DIR, REPORT_VERSION, type AuditReport, type ReportNoiseMatrix } from './report';
import { decodeSamples, encodeSamples, SamplesFileError } from './reportSamples';
import { joinSeries, SeriesMissing, splitSeries } from './reportSeries';

/** The oldest report version {@link readReport} reads (and upgrades to {@link REPORT_VERSION}). */
const OLDEST_READABLE_VERSION = 2;

/** The first version whose samples are in a file of their own; earlier ones held them inline. */
const SAMPLES_FILE_VERSION = 4;

/** Where a header's samples are: a file in the header's folder, and how many rows it must hold. */
export interface SamplesFileRef {
  readonly file: string;
  readonly format: 'arrow-ipc';
  readonly rows: number;
}

/** report.json from version 4 on: the report without its samples (from 5 on, without health's per-sample arrays), and where they are. */
export type ReportHeader = Omit<AuditReport, 'samples'> & { readonly samples: SamplesFileRef };

/** Path of the report for a dataset root. */
export function reportPath(root: string): string {
  return join(root, AUDIT_DIR, 'report.json');
}

/**
 * Writes the report to `path` (default `<root>/.label-audit/report.json`) and its samples beside it
 * under a name of their own; returns the path. A reader sees the old report or the new one whole:
 * the samples go first under a fresh name, then the header that names them replaces the old one
 * (both atomically), and only then are the report's older samples files removed. All of it under
 * the report's lock: two audits finishing at once must not remove each other's samples.
 */
export async function writeReport(report: AuditReport, path = reportPath(report.dataset.root)): Promise<string> {
  const folder = dirname(path);
  const stem = samplesStem(path);
  const file = `${stem}${randomBytes(6).toString('hex')}.arrow`;
  // The lock creates the folder.
  await withFileLock(
    `${path}.lock`,
    async () => {
      const { health, columns } = splitSeries(report.health);
      await writeFileAtomic(join(folder, file), encodeSamples(report.samples, report.dataset.classes, columns));
      const header: ReportHeader = {
        ...report,
        ...(health ? { health } : {}),
        samples: { file, format: 'arrow-ipc', rows: report.samples.length },
      };
      try {
        await writeFileAtomic(path, `${reportJson(header)}\n`);
      } catch (error) {
        await rm(join(folder, file), { force: true });
        throw error;
      }
      // Best effort: the report is written; a file that cannot be removed now goes at the next write.
      const names = await readdir(folder).catch(() => [] as string[]);
      const older = names.filter((name) => name !== file && isSamplesFileOf(stem, name));
      await Promise.all(older.map((name) => rm(join(folder, name), { force: true }).catch(() => undefined)));
    },
    { what: `the report ${path}`, timeoutMs: 60_000 },
  );
  return path;
}

/**
 * `report.json` → `report.json.samples.`: the start of the name of every samples file of that
 * report. The whole name, so that reports named `x` and `x.json` in one folder keep theirs apart.
 */
function samplesStem(path: string): string {
  return `${basename(path)}.samples.`;
}

/** A samples file's name: a report's name, `.samples.`, 12 hex digits, `.arrow`; never a path or a stream. */
const SAMPLES_FILE = /^[^/\\:]+\.samples\.[0-9a-f]{12}\.arrow$/;

/** True for a samples file of the report whose {@link samplesStem} is `stem` (its name, then the 12 hex digits). */
function isSamplesFileOf(stem: string, name: string): boolean {
  return name.startsWith(stem) && SAMPLES_FILE.test(name) && /^[0-9a-f]{12}\.arrow$/.test(name.slice(stem.length));
}

/**
 * A report or its header as indented JSON, with every array of plain numbers on one line: a
 * noise-matrix row reads as a row. Only arrays that span lines are joined, and a JSON string never
 * holds a raw line break, so no string value can be touched.
 */
export function reportJson(report: AuditReport | ReportHeader): string {
  return JSON.stringify(report, null, 2).replace(
    /\[\n\s*(-?[\d.eE+-]+(?:,\n\s*-?[\d.eE+-]+)*)\n\s*\]/g,
    (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`,
  );
}

/**
 * Reads and checks a report written by {@link writeReport}, or by a label-audit that wrote
 * version 2 or 3 (upgraded to today's names).
 * @throws AuditError 'reportMissing' when there is none, 'reportMalformed' when it is not one of
 *   ours or its samples file is missing or damaged.
 */
export async function readReport(path: string): Promise<AuditReport> {
  const header = await readHeader(path);
  if (header.version < SAMPLES_FILE_VERSION) return upgradeInline(header as unknown as InlineReport);
  try {
    return await withSamples(header as ReportHeader, path);
  } catch (error) {
    if (!(error instanceof SamplesGone)) throw error;
    // An audit that finished between reading the header and its samples removed those samples,
    // and its new header names new ones.
    const again = (await readHeader(path)) as Partial<ReportHeader>;
    if (again.samples?.file !== (header as ReportHeader).samples.file) return readReport(path);
    throw new AuditError(
      'reportMalformed',
      `${error.path}, the samples of ${path}, is missing. Run the audit again.`,
      error.path,
    );
  }
}

/** The samples file a header names is not there. */
class SamplesGone extends Error {
  constructor(readonly path: string) {
    super(`${path} is missing`);
  }
}

/** report.json parsed and checked for what every readable version has. */
async function readHeader(path: string): Promise<{ version: number } & Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new AuditError('reportMissing', `No audit report at ${path}: run an audit first.`, path);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AuditError('reportMalformed', `${path} is not valid JSON (${(error as Error).message}).`, path);
  }
  const report = value as { schema?: unknown; version?: unknown; dataset?: unknown; samples?: unknown } | null;
  if (!report || report.schema !== 'label-audit-report' || !report.dataset || !report.samples) {
    throw new AuditError('reportMalformed', `${path} is not a label-audit report.`, path);
  }
  if (
    typeof report.version !== 'number' ||
    report.version < OLDEST_READABLE_VERSION ||
    report.version > REPORT_VERSION
  ) {
    throw new AuditError(
      'reportMalformed',
      `${path} has report version ${String(report.version)}; this label-audit reads versions ${OLDEST_READABLE_VERSION} to ${REPORT_VERSION}. Run the audit again.`,
      path,
    );
  }
  const inline = report.version < SAMPLES_FILE_VERSION;
  if (inline !== Array.isArray(report.samples)) {
    throw new AuditError('reportMalformed', `${path} is not a label-audit report.`, path);
  }
  return report as { version: number } & Record<string, unknown>;
}

/** The header with the samples of the file it names. */
async function withSamples(header: ReportHeader, path: string): Promise<AuditReport> {
  const { file, rows } = header.samples;
  // The name comes from a file a person may edit: it may only name a file beside the header.
  if (typeof file !== 'string' || !SAMPLES_FILE.test(file) || !Number.isInteger(rows)) {
    throw new AuditError(
      'reportMalformed',
      `${path} names no samples file of its own (${JSON.stringify(header.samples)}).`,
      path,
    );
  }
  const samplesPath = join(dirname(path), file);
  const broken = (problem: string) =>
    new AuditError(
      'reportMalformed',
      `${samplesPath}, the samples of ${path}, ${problem}. Run the audit again.`,
      samplesPath,
    );
  let handle: FileHandle;
  try {
    // A regular file only: a link to a pipe or a device would hang or flood the reader.
    if (!(await lstat(samplesPath)).isFile()) throw broken('is not a regular file');
    handle = await open(samplesPath, 'r');
  } catch (error) {
    if (AuditError.is(error)) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SamplesGone(samplesPath);
    throw broken(`cannot be read (${(error as Error).message})`);
  }
  let samples: AuditReport['samples'];
  let health: AuditReport['health'];
  try {
    const decoded = await decodeSamples(handle, rows);
    samples = decoded.samples;
    // Version 4 held these arrays in the header, where they stay; from 5 on they are columns.
    health = joinSeries(header.health, decoded.series);
  } catch (error) {
    if (error instanceof SamplesFileError) throw broken(`is damaged: ${error.message}`);
    if (error instanceof SeriesMissing) throw broken(error.message);
    throw broken(`cannot be read (${(error as Error).message})`);
  } finally {
    await handle.close();
  }
  if (samples.length !== rows) throw broken(`holds ${samples.length} samples where the report says ${rows}`);
  return { ...header, version: REPORT_VERSION, ...(health ? { health } : {}), samples };
}

/** A version 2 or 3 report: samples inline, and version 2's older names. */
interface InlineReport extends Omit<AuditReport, 'version' | 'settings' | 'noiseMatrix'> {
  readonly version: 2 | 3;
  readonly settings: Omit<AuditReport['settings'], 'flag'> & {
    readonly flag: Omit<AuditReport['settings']['flag'], 'scoredBy'> & {
      readonly scoredBy?: AuditReport['settings']['flag']['scoredBy'];
      /** Version 2's name of `scoredBy`. */
      readonly judge?: 'both' | 'mixup';
    };
  };
  readonly noiseMatrix?: Omit<ReportNoiseMatrix, 'source'> & { readonly source: ReportNoiseMatrix['source'] | 'judge' };
}

/** A version 2 or 3 report under today's version and names: the values themselves are unchanged. */
function upgradeInline(report: InlineReport): AuditReport {
  if (report.version === 3) return { ...report, version: REPORT_VERSION } as AuditReport;
  const { judge, ...flag } = report.settings.flag;
  const noiseMatrix = report.noiseMatrix;
  return {
    ...report,
    version: REPORT_VERSION,
    settings: { ...report.settings, flag: { ...flag, ...(judge ? { scoredBy: judge } : {}) } },
    ...(noiseMatrix
      ? { noiseMatrix: { ...noiseMatrix, source: noiseMatrix.source === 'judge' ? 'in-sample' : noiseMatrix.source } }
      : {}),
  } as AuditReport;
}
