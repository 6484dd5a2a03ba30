// Finds datasets in the workspace for the Run Audit quick pick. Free of `vscode` imports (unit-tested).
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { compareNatural, IMAGE_EXTENSIONS, MANIFEST_NAMES } from '../../core/data/dataset';
import { reportPath } from '../../core/reportFile';
import type { DatasetFormat } from '../../core/shared/types';

/** A dataset found by {@link findDatasets}. */
export interface DetectedDataset {
  /** What to audit: the folder-per-class root, or the manifest file. */
  readonly path: string;
  /** The dataset root: the folder that holds the images (and `.label-audit/`). */
  readonly root: string;
  readonly format: DatasetFormat;
  /** Folder-per-class: the number of class folders seen (a hint for the quick pick). */
  readonly classes?: number;
  /** A report from an earlier audit exists. */
  readonly hasReport: boolean;
}

/** Bounds of the search, so a huge workspace cannot stall the command. */
export interface DiscoveryOptions {
  /** Folder levels below each root to look at (the root is level 0). Default 4. */
  readonly maxDepth?: number;
  /** Stop after this many folders have been read. Default 2 000. */
  readonly maxFolders?: number;
  /** Stop after this many datasets. Default 50. */
  readonly maxResults?: number;
}

/** Folders that never hold a dataset to audit (dot-folders such as .git and .label-audit are skipped too). */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', '__macosx']);

/**
 * Looks for datasets below `roots`, breadth first:
 * - a folder holding a label file named in `MANIFEST_NAMES` (each such file is one dataset);
 * - a folder-per-class layout: a folder with at least two subfolders that hold images directly.
 * The search does not descend into a dataset it found (its subfolders are its classes), nor into
 * `node_modules` or dot-folders (`.git`, `.label-audit`...), and stops at the bounds of `options`.
 * Unreadable folders are passed over silently: this only feeds a pick list.
 *
 * @param roots - Absolute folder paths, e.g. the workspace folders.
 * @returns The datasets, breadth first (shallow ones first, then by name), each root searched in turn.
 */
export async function findDatasets(
  roots: readonly string[],
  options: DiscoveryOptions = {},
): Promise<DetectedDataset[]> {
  const maxDepth = options.maxDepth ?? 4;
  const maxResults = options.maxResults ?? 50;
  // Every folder read counts, the class-folder checks included.
  const budget = { foldersLeft: options.maxFolders ?? 2_000 };
  const found: DetectedDataset[] = [];
  const queue: { folder: string; depth: number }[] = roots.map((folder) => ({ folder, depth: 0 }));
  while (queue.length > 0 && found.length < maxResults && budget.foldersLeft > 0) {
    const { folder, depth } = queue.shift()!;
    const entries = await listFolder(folder, budget);
    const datasets = await datasetsIn(folder, entries, budget);
    if (datasets.length > 0) {
      found.push(...datasets.slice(0, maxResults - found.length));
      continue;
    }
    if (depth >= maxDepth) continue;
    for (const entry of entries) {
      if (entry.isDirectory() && !isSkipped(entry.name))
        queue.push({ folder: join(folder, entry.name), depth: depth + 1 });
    }
  }
  return found;
}

/** The datasets `folder` itself is (none, one, or one per label file). */
async function datasetsIn(folder: string, entries: readonly Dirent[], budget: Budget): Promise<DetectedDataset[]> {
  const hasReport = await exists(reportPath(folder));
  const manifests = entries.filter((e) => e.isFile() && MANIFEST_NAMES.includes(e.name.toLowerCase()));
  if (manifests.length > 0) {
    return manifests.map((m) => ({
      path: join(folder, m.name),
      root: folder,
      format: extname(m.name).toLowerCase() === '.json' ? 'json' : 'csv',
      hasReport,
    }));
  }
  let classes = 0;
  for (const entry of entries) {
    if (!entry.isDirectory() || isSkipped(entry.name)) continue;
    const inner = await listFolder(join(folder, entry.name), budget);
    if (inner.some((e) => e.isFile() && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()))) classes++;
  }
  return classes >= 2 ? [{ path: folder, root: folder, format: 'folder', classes, hasReport }] : [];
}

function isSkipped(name: string): boolean {
  return name.startsWith('.') || SKIPPED_FOLDERS.has(name.toLowerCase());
}

interface Budget {
  foldersLeft: number;
}

async function listFolder(folder: string, budget: Budget): Promise<Dirent[]> {
  if (budget.foldersLeft <= 0) return [];
  budget.foldersLeft--;
  // Sorted, so the pick list comes out in the same order on every machine.
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return entries.sort((a, b) => compareNatural(a.name, b.name));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
