import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { escapeProblem, isWithin, RootResolver } from './data/containment';
import { AuditError } from './errors';
import { AUDIT_DIR } from './report';
import { removeStaleTemporaries, temporaryName } from './staleTemporaries';

/**
 * The dataset's output folder, `<root>/.label-audit` (report, decode cache, thumbnails, decisions).
 * Before an audit spends minutes training, it must be known that the report can be written there:
 * the folder (and each sub-folder used) must really be inside the dataset — not a symbolic link to
 * somewhere else — and writable. A read-only dataset stops the audit at once with a plain message
 * (exit 3), unless the CLI was given `--out`, which then becomes the only place written (no decode
 * cache): see docs/hardening.md.
 */

/** Sub-folders of the output folder that label-audit writes into. */
export const AUDIT_SUBFOLDERS = ['cache', 'thumbs'] as const;

/**
 * Why nothing can be written in `<root>/.label-audit` (or its `subfolder`), or undefined when it can:
 * it is created if missing and a probe file is written and removed. Refusals name the folder and
 * the reason: a link leading outside the dataset (with its target), or the system's error code.
 */
export async function auditFolderProblem(root: string, subfolder?: string): Promise<string | undefined> {
  const resolver = await RootResolver.open(root);
  const relativeFolder = subfolder ? `${AUDIT_DIR}/${subfolder}` : AUDIT_DIR;
  const escape = await resolver.findEscape(relativeFolder);
  if (escape) return escapeProblem(escape, resolver.root, 'label-audit writes nothing there');
  const folder = join(resolver.root, AUDIT_DIR, subfolder ?? '');
  try {
    await mkdir(folder, { recursive: true });
    // A link created between the check above and mkdir is caught here: the real path must still be inside.
    const real = await realpath(folder);
    if (!isWithin(resolver.realRoot, real))
      return `${folder} leads to ${real}, outside the dataset folder ${resolver.root}; label-audit writes nothing there`;
    await probeWrite(folder);
    return undefined;
  } catch (error) {
    return `cannot write in ${folder} (${errorWords((error as NodeJS.ErrnoException).code ?? String(error))})`;
  }
}

/** What {@link prepareAuditFolder} found. */
export interface AuditFolderState {
  /** Undefined when the report can be written to `<root>/.label-audit/report.json`; else why not. */
  readonly problem?: string;
  /** Undefined when the decode cache can be written; else why not. */
  readonly cacheProblem?: string;
  /** Stale temporary files of killed writers removed from the folder (see staleTemporaries.ts). */
  readonly removedTemporaries: readonly string[];
}

/**
 * Checks the output folder before an audit (see {@link auditFolderProblem}) and removes the
 * temporary files killed writers left in it. Never throws for an unusable folder: the caller
 * decides (stop, or write elsewhere).
 */
export async function prepareAuditFolder(root: string, options: { cache: boolean }): Promise<AuditFolderState> {
  const problem = await auditFolderProblem(root);
  if (problem) return { problem, cacheProblem: problem, removedTemporaries: [] };
  const cacheProblem = options.cache ? await auditFolderProblem(root, 'cache') : undefined;
  const folders = [join(root, AUDIT_DIR), ...(cacheProblem || !options.cache ? [] : [join(root, AUDIT_DIR, 'cache')])];
  const removedTemporaries = (await Promise.all(folders.map((folder) => removeStaleTemporaries(folder)))).flat();
  return { ...(cacheProblem ? { cacheProblem } : {}), removedTemporaries };
}

/** Why the report cannot be written to `file` (its folder is created if missing), or undefined when it can. */
export async function outFileProblem(file: string): Promise<string | undefined> {
  const folder = dirname(resolve(file));
  try {
    await mkdir(folder, { recursive: true });
    await probeWrite(folder);
    return undefined;
  } catch (error) {
    return `cannot write the report to ${file} (${errorWords((error as NodeJS.ErrnoException).code ?? String(error))})`;
  }
}

/**
 * Throws AuditError('outputNotWritable') with `problem` and what to do about it.
 * @param out - The --out file when that is what cannot be written.
 */
export function refuseAuditFolder(root: string, problem: string, out?: string): never {
  const where = out ?? join(root, AUDIT_DIR);
  const advice =
    out !== undefined
      ? 'Pass an --out file in a writable folder.'
      : `The report goes to ${join(root, AUDIT_DIR, 'report.json')}. Make the dataset folder writable, audit a writable copy, or (CLI) pass --out <file> to write the report only there.`;
  throw new AuditError('outputNotWritable', `Nothing was trained: ${problem}. ${advice}`, where);
}

/**
 * Creates and removes an empty file in `folder`: the one honest test of writability (access(2) is
 * wrong for root, ACLs and read-only mounts). Named like the atomic writer's temporaries, so one left
 * by a kill is swept like them.
 */
async function probeWrite(folder: string): Promise<void> {
  const probe = join(folder, temporaryName('write-check', randomBytes(6).toString('hex')));
  await writeFile(probe, '', { flag: 'wx' });
  await rm(probe, { force: true });
}

/** A system error code in plain words, with the code. */
function errorWords(code: string): string {
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
    ENOTDIR: 'a part of the path is a file, not a folder',
  };
  return words[code] ? `${words[code]}, ${code}` : code;
}
