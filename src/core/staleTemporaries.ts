import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Temporary files of the atomic writer (atomicWrite.ts) that a killed process left behind. A writer
 * names its temporary `.<file>.<pid>-<random>.tmp`, so a later process can tell whether the writer
 * may still be alive. Removed at the start of an audit when the file is older than this process and
 * its writer is not running, or when it is over an hour old whoever wrote it (no write takes that
 * long; this also covers the older `.<file>.<random>.tmp` names without a pid, and reused pids).
 */

/** A temporary of the atomic writer: `.<name>.<pid>-<hex>.tmp`, or the older `.<name>.<hex>.tmp`. */
const TEMPORARY = /^\..+\.(?:(\d+)-)?[0-9a-f]{8,}\.tmp$/;
const MAX_AGE_MS = 60 * 60 * 1000;

/** The temporary's name for `name` written by this process (`random` in hex). */
export function temporaryName(name: string, random: string): string {
  return `.${name}.${process.pid}-${random}.tmp`;
}

/**
 * Removes the stale temporaries directly in `folder` (not below it); a missing folder is fine.
 * @returns The names removed.
 */
export async function removeStaleTemporaries(folder: string, now = Date.now()): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const started = now - process.uptime() * 1000;
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match) continue;
    const path = join(folder, name);
    const stats = await stat(path).catch(() => undefined);
    if (!stats?.isFile()) continue;
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    // Over an hour old is stale whoever wrote it (no write takes that long; a pid may be reused).
    const stale = now - stats.mtimeMs > MAX_AGE_MS || (pid !== undefined && stats.mtimeMs < started && !isRunning(pid));
    if (!stale) continue;
    await rm(path, { force: true });
    removed.push(name);
  }
  return removed;
}

/** True when a process `pid` exists on this machine (signal 0 checks without signalling). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
