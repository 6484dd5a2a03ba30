import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { temporaryName } from './staleTemporaries';

/**
 * Writes `data` (or its chunks, in order) to `path` so that readers see either the old file or the whole new one, never a
 * half-written file: write a temp file beside it, then rename over (rename is atomic on one volume).
 * The temp file is removed if the write fails; its name carries this process's pid, so one left by a
 * killed process is recognised and removed by the next audit (staleTemporaries.ts).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<string> | AsyncIterable<Uint8Array>,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), temporaryName(basename(path), randomBytes(6).toString('hex')));
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** {@link writeFileAtomic} for a JSON value, pretty-printed with a trailing newline. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
