import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuditError } from './errors';

/**
 * An advisory lock between processes: a lock file created with `wx` (O_CREAT | O_EXCL, atomic on
 * local file systems and on NFSv3+), holding who took it. Used where two writers of one dataset
 * must not interleave: two review windows saving decisions, two exports at once.
 *
 * A holder that dies leaves its lock file behind; the next taker removes it when it is stale: its
 * process is gone (same host, `kill(pid, 0)` says ESRCH) or it is older than `staleMs` (a holder
 * on another host, or a pid reused by an unrelated process). Holders keep the lock for
 * milliseconds (a decisions write) to seconds (an export), far below the default 30 s.
 */

export interface FileLockOptions {
  /** Give up after waiting this long for another holder. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** A lock file older than this is taken as left by a dead holder. Default 30 000 ms. */
  readonly staleMs?: number;
  /** What the lock guards, for the timeout message (e.g. "the decisions file x"). */
  readonly what?: string;
}

/** What a lock file holds. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly time: string;
}

/** A lock that is held; {@link release} it in a `finally`. */
export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Runs `task` while holding the lock file `lockPath`, waiting for another holder to finish.
 * @throws AuditError('busy') when the lock stays held by a live holder for `timeoutMs`.
 */
export async function withFileLock<T>(
  lockPath: string,
  task: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const lock = await acquireFileLock(lockPath, options);
  try {
    return await task();
  } finally {
    await lock.release();
  }
}

/**
 * Takes the lock file `lockPath` (creating its folder), waiting while a live holder has it.
 * @throws AuditError('busy') after `timeoutMs`, naming the lock file and its holder.
 */
export async function acquireFileLock(lockPath: string, options: FileLockOptions = {}): Promise<HeldLock> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    time: new Date().toISOString(),
  };
  const started = Date.now();
  let wait = 2;
  await mkdir(dirname(lockPath), { recursive: true });
  for (;;) {
    if (await tryCreate(lockPath, owner)) return heldLock(lockPath, owner.token);
    const holder = await readOwner(lockPath);
    if (holder !== undefined && (await isStale(lockPath, holder, staleMs))) {
      await removeStale(lockPath, holder);
      continue;
    }
    if (Date.now() - started >= timeoutMs) {
      const who = holder?.owner ? ` (held by process ${holder.owner.pid} on ${holder.owner.host})` : '';
      throw new AuditError(
        'busy',
        `${options.what ? `${capitalise(options.what)} is` : `${lockPath} is`} in use by another label-audit${who}; try again when it has finished, or delete ${lockPath} if no label-audit is running.`,
        lockPath,
      );
    }
    await new Promise((done) => setTimeout(done, wait + Math.random() * wait));
    wait = Math.min(wait * 2, 50);
  }
}

async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

/** The lock file as found: its owner (undefined while the taker is still writing it) and inode. */
interface FoundLock {
  readonly owner: LockOwner | undefined;
  readonly ino: number;
  readonly mtimeMs: number;
}

async function readOwner(lockPath: string): Promise<FoundLock | undefined> {
  try {
    const info = await stat(lockPath);
    const text = await readFile(lockPath, 'utf8');
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(text) as LockOwner;
    } catch {
      owner = undefined; // being written right now, or torn by a crash: judged by age alone
    }
    return { owner, ino: info.ino, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // released meanwhile
    throw error;
  }
}

async function isStale(lockPath: string, found: FoundLock, staleMs: number): Promise<boolean> {
  if (Date.now() - found.mtimeMs > staleMs) return true;
  const owner = found.owner;
  if (owner === undefined || owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return false; // another task of this process: it will release
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but is someone else's; only ESRCH says it is gone.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' && (await stillSame(lockPath, found));
  }
}

async function stillSame(lockPath: string, found: FoundLock): Promise<boolean> {
  const now = await stat(lockPath).catch(() => undefined);
  return now !== undefined && now.ino === found.ino;
}

/**
 * Removes a stale lock file without removing a fresh one that a third process created after we
 * looked: the file is first renamed aside (one rename wins), and if what was moved is not the stale
 * lock we judged, it is linked back into place (`link` fails rather than replace a newer lock).
 */
async function removeStale(lockPath: string, found: FoundLock): Promise<void> {
  const aside = join(dirname(lockPath), `.${basename(lockPath)}.${randomBytes(6).toString('hex')}.stale`);
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await stat(aside).catch(() => undefined);
  if (moved !== undefined && moved.ino !== found.ino) await link(aside, lockPath).catch(() => undefined);
  await rm(aside, { force: true });
}

function heldLock(lockPath: string, token: string): HeldLock {
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      // Only our own lock: after a stale-lock takeover (we were judged dead) it is another's now.
      const text = await readFile(lockPath, 'utf8').catch(() => '');
      if (text.includes(token)) await rm(lockPath, { force: true });
    },
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
