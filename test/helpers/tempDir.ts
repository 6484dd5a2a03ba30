import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

/** A fresh, empty folder under the system's temp folder, named `label-audit-<purpose>-…`. */
export function makeTempDir(purpose: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `label-audit-${purpose}-`));
}

/** Removes a folder made by {@link makeTempDir} with everything in it. */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/**
 * One temporary folder for the tests of a file (or of the `describe` block this is called in):
 * made before the first test, removed with its contents after the last. Call it before any hook that
 * uses the folder, so that it exists there too.
 *
 * @returns An object whose `path` is the folder, readable inside tests and hooks.
 */
export function useTempDir(purpose: string): { readonly path: string } {
  let dir: string | undefined;
  before(async () => {
    dir = await makeTempDir(purpose);
  });
  after(async () => {
    if (dir) await removeTempDir(dir);
  });
  return {
    get path(): string {
      if (!dir) throw new Error(`The '${purpose}' temp folder exists only inside tests and hooks.`);
      return dir;
    },
  };
}

/** Runs `body` in a fresh temporary folder and removes the folder afterwards, whether `body` failed or not. */
export async function withTempDir<T>(purpose: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await makeTempDir(purpose);
  try {
    return await body(dir);
  } finally {
    await removeTempDir(dir);
  }
}
