import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeJsonAtomic } from '../atomicWrite';

/**
 * Writing the files of one export (cleaned labels, decisions log, review log) so that they change
 * together. Each is written in full under a temporary name beside its target; then a journal
 * listing the renames is written (atomically), the temporaries are renamed over their targets, and
 * the journal is removed. A crash before the journal leaves only temporaries, which the next export
 * removes; a crash during the renames leaves the journal, and the next export (under the same lock)
 * finishes the renames first. Either way the files end up all old or all new, never mixed.
 */

/** One file of an export: where it goes and what it holds. */
export interface ExportFile {
  readonly path: string;
  readonly text: string;
}

/** The renames an export still has to make, as kept in its journal. */
interface Journal {
  readonly renames: readonly { readonly from: string; readonly to: string }[];
}

/** The export's files written under temporary names, with the journal; {@link commit} puts them in place. */
export interface StagedExport {
  readonly renames: Journal['renames'];
  /** Renames every temporary over its target, in order, then removes the journal. */
  commit(): Promise<void>;
}

const TEMP_SUFFIX = '.export.tmp';

/** The journal of the export whose labels file is `labelsPath`. */
export function exportJournalPath(labelsPath: string): string {
  return join(dirname(labelsPath), `.${basename(labelsPath)}.export-journal.json`);
}

/** The lock file taken by an export whose labels file is `labelsPath`. */
export function exportLockPath(labelsPath: string): string {
  return join(dirname(labelsPath), `.${basename(labelsPath)}.export.lock`);
}

/**
 * Writes every file under a temporary name, then the journal.
 * @throws the write error, after removing what it wrote (the targets are untouched then).
 */
export async function stageExport(files: readonly ExportFile[], journalPath: string): Promise<StagedExport> {
  const renames = files.map((file) => ({ from: tempName(file.path), to: file.path }));
  try {
    await Promise.all(files.map((file, i) => writeFile(renames[i]!.from, file.text)));
    await writeJsonAtomic(journalPath, { renames } satisfies Journal);
  } catch (error) {
    await Promise.all(renames.map(({ from }) => rm(from, { force: true })));
    throw error;
  }
  return { renames, commit: () => finishRenames({ renames }, journalPath) };
}

/**
 * Completes an export that was interrupted, and clears what an earlier crash left: when its journal
 * exists, the renames it lists whose temporary is still there are made and the journal removed;
 * temporaries of the given targets that no journal lists (a crash before the journal) are removed.
 * Call under the export's lock, so no live export's files are touched.
 * @returns true when an interrupted export was completed.
 */
export async function recoverInterruptedExport(journalPath: string, targets: readonly string[]): Promise<boolean> {
  let journal: Journal | undefined;
  try {
    journal = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A journal is written atomically, so a torn one cannot be ours: leave it rather than act on it.
    if (code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  if (journal !== undefined) await finishRenames(journal, journalPath);
  for (const target of targets) {
    const prefix = `.${basename(target)}.`;
    const litter = (await readdir(dirname(target)).catch(() => [] as string[])).filter(
      (name) => name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX),
    );
    await Promise.all(litter.map((name) => rm(join(dirname(target), name), { force: true })));
  }
  return journal !== undefined;
}

async function finishRenames(journal: Journal, journalPath: string): Promise<void> {
  for (const { from, to } of journal.renames) {
    try {
      await rename(from, to);
    } catch (error) {
      // Already renamed before the interruption.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  await rm(journalPath, { force: true });
}

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}
