// Finds an optional package (tfjs-node, tfjs-node-gpu) that is not a dependency of label-audit: in
// folders the user or the extension installed it into (npm prefixes), then next to label-audit.
import { isAbsolute, join, relative } from 'node:path';

/** Environment variable with extra npm prefixes (path-delimited) to look in, e.g. for the CLI. */
export const NATIVE_FOLDERS_ENV = 'LABEL_AUDIT_NATIVE_MODULES';

/** Where {@link resolveOptionalPackage} found a package. */
export interface FoundPackage {
  /** The package's entry file. */
  readonly entry: string;
  /** The folder it was found in, or undefined when found next to label-audit. */
  readonly folder?: string;
}

/** The folders to look in: the given ones, then those in {@link NATIVE_FOLDERS_ENV}. */
export function nativeFolders(given: readonly string[] = []): string[] {
  const fromEnv = (process.env[NATIVE_FOLDERS_ENV] ?? '').split(process.platform === 'win32' ? ';' : ':');
  return [...given, ...fromEnv].filter((folder) => folder.length > 0);
}

/**
 * Resolves `packageName` inside each folder's `node_modules` (an npm `--prefix` folder), in order, and
 * then from label-audit's own location. A folder resolves only packages inside it: no walking up to
 * its parents, so an unrelated `node_modules` elsewhere is never picked.
 *
 * @returns the entry file and the folder, or undefined when no place has the package.
 */
export function resolveOptionalPackage(packageName: string, folders: readonly string[]): FoundPackage | undefined {
  for (const folder of folders) {
    const modules = join(folder, 'node_modules');
    try {
      const entry = require.resolve(packageName, { paths: [folder] });
      const inside = relative(modules, entry);
      if (!inside.startsWith('..') && !isAbsolute(inside)) return { entry, folder };
    } catch {
      // Not in this folder: try the next one.
    }
  }
  try {
    return { entry: require.resolve(packageName) };
  } catch {
    return undefined;
  }
}
