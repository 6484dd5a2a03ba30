import { lstat, readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { throwIfAborted } from '../errors';

/**
 * Keeping every read and write inside the dataset folder. Comparing paths as text is not enough: a
 * symbolic link (a file, a class folder, a folder a manifest path goes through, `.label-audit`
 * itself) leads wherever it points. So every file is judged by its real path (`realpath`, every link
 * followed) against the real path of the dataset root. Links whose target is inside the root keep
 * working; a link that leaves it is refused, naming the link and its target. One helper for every
 * caller: the dataset loader, the output folder check, and the extension's thumbnails, image URIs
 * and Open Image.
 */

/** A link on the way to a file that leads outside the dataset root. */
export interface Escape {
  /** The link, relative to the root with '/' separators (e.g. "cats" or "cats/1.png"). */
  readonly link: string;
  /** Where it leads: the real absolute path. */
  readonly target: string;
  /** Set when the path leads out as written ('..', an absolute path elsewhere), with no link involved. */
  readonly asWritten?: true;
}

/** How a sample path resolved: its real file, or why it cannot be used. */
export type Resolution =
  { readonly file: string } | { readonly missing: 'missing' | 'folder' } | { readonly escape: Escape };

/** `file` relative to `root`, or undefined when it is `root` itself or leads outside it ('..', or another drive). */
export function relativeInside(root: string, file: string): string | undefined {
  const relativePath = relative(root, file);
  if (relativePath === '' || relativePath === '..' || relativePath.startsWith(`..${sep}`) || isAbsolute(relativePath))
    return undefined;
  return relativePath;
}

/**
 * The file a sample path names, by text alone (no link is followed, nothing is read), or undefined
 * when it leads outside `root`: for naming a sample's file in the editor (a diagnostic, a badge),
 * never for opening it — that is {@link sampleFileInside}.
 */
export function sampleFileAsText(root: string, path: string): string | undefined {
  const file = resolve(root, ...path.split('/'));
  return relativeInside(resolve(root), file) === undefined ? undefined : file;
}

/** True when `file` is `root` or lies below it (both already absolute and real). */
export function isWithin(root: string, file: string): boolean {
  return file === root || relativeInside(root, file) !== undefined;
}

/** The words for an {@link Escape}, the same in every refusal; `consequence` says what was not done. */
export function escapeProblem(escape: Escape, root: string, consequence = 'not read'): string {
  return escape.asWritten
    ? `"${escape.link}" leads outside the dataset folder ${root}; ${consequence}`
    : `"${escape.link}" is a symbolic link to ${escape.target}, which leads outside the dataset folder ${root}; ${consequence}`;
}

/** A '/'-separated path of plain names: none empty, '.' or '..', no backslash, not absolute. */
const PLAIN_PATH = /^(?:(?!\.\.?(?:\/|$))[^/\\]+\/)*(?!\.\.?$)[^/\\]+$/;

/**
 * Names Windows rewrites when it opens them, so that the name listed and the file opened may differ:
 * a drive or stream colon, a trailing dot or space (trimmed), a device name (`COM1.png` is a port).
 */
const WINDOWS_REWRITTEN =
  /:|[. ](?:\/|$)|(?:^|\/)(?:CON|PRN|AUX|NUL|COM\d|LPT\d|CONIN\$|CONOUT\$)(?:\.[^/]*)?(?:\/|$)/i;

/** True when a path can be cut as text: plain names, and on Windows none it would rewrite. */
function isPlainPath(path: string): boolean {
  return PLAIN_PATH.test(path) && !(sep === '\\' && WINDOWS_REWRITTEN.test(path));
}

/** Paths in one folder from which {@link RootResolver.resolveAll} lists the folder rather than `lstat` each. */
const LISTED_FOLDER_PATHS = 64;

/** A listed folder: its real path and the names of its regular files. */
interface Listing {
  readonly realFolder: string;
  readonly files: ReadonlySet<string>;
}

/** The listed folders, by '/'-separated path relative to the root ('' for the root). */
type Listings = Map<string, Listing>;

/** The folder of a plain path, '/'-separated ('' for the root): the key of its listing. */
function folderOf(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

/** The real file of a plain path whose folder is listed and holds it as a regular file, else undefined. */
function listedFile(listings: Listings, path: string): string | undefined {
  if (listings.size === 0 || !isPlainPath(path)) return undefined;
  const listing = listings.get(folderOf(path));
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (!listing?.files.has(name)) return undefined;
  // Concatenated, not join()ed: both parts are already normal, and this runs once per sample.
  const { realFolder } = listing;
  return realFolder.endsWith(sep) ? realFolder + name : realFolder + sep + name;
}

/**
 * Resolves sample paths ('/'-separated, relative to the root) to real files inside the root. The
 * real path of each folder is looked up once (a dataset has few folders and many files), then each
 * file costs one `lstat`, plus a `realpath` only when it is itself a link. Many paths at once share
 * more: a folder that holds many of them is listed once, and a regular file found there is its own
 * real path, so only the other paths (links, names spelled differently on a case-insensitive disk,
 * missing files) cost an `lstat` each: at a million samples, seconds instead of minutes.
 */
export class RootResolver {
  private readonly folders = new Map<string, Promise<string | undefined>>();

  private constructor(
    /** The root as given (absolute), used to build paths and in messages. */
    readonly root: string,
    /** The root's real path, everything is compared with. */
    readonly realRoot: string,
  ) {}

  /** A resolver for `root`; rejects when the root does not exist. */
  static async open(root: string): Promise<RootResolver> {
    const absolute = resolve(root);
    return new RootResolver(absolute, await realpath(absolute));
  }

  /** Where sample path `path` really is, or why it cannot be used. Never throws for a bad path. */
  async resolve(path: string): Promise<Resolution> {
    const place = this.locate(path);
    if ('escape' in place) return place;
    const { lexical, inside, folder, name } = place;
    const realFolder = await this.folder(folder);
    if (realFolder === undefined) {
      const stats = await lstat(lexical).catch(() => undefined);
      if (!stats) return { missing: 'missing' };
      return { escape: await this.escapeOf(inside) };
    }
    const candidate = join(realFolder, name);
    const stats = await lstat(candidate).catch(() => undefined);
    if (!stats) return { missing: 'missing' };
    let file = candidate;
    if (stats.isSymbolicLink()) {
      const target = await realpath(candidate).catch(() => undefined);
      if (target === undefined) return { missing: 'missing' };
      if (!isWithin(this.realRoot, target)) return { escape: await this.escapeOf(inside) };
      file = target;
      const targetStats = await lstat(target).catch(() => undefined);
      if (!targetStats?.isFile()) return { missing: targetStats ? 'folder' : 'missing' };
    } else if (!stats.isFile()) return { missing: 'folder' };
    return { file };
  }

  /**
   * Where sample path `path` is as written: relative to the root (native separators), its folder
   * and name, or the escape when the text itself leads outside ('..', an absolute path elsewhere).
   */
  private locate(path: string): { lexical: string; inside: string; folder: string; name: string } | { escape: Escape } {
    // Most sample paths are plain ("cat/001.png"): cut as text, which at a million paths is seconds
    // cheaper than resolve() and relative(); anything else goes the careful way.
    const written = isPlainPath(path) ? undefined : resolve(this.root, ...path.split('/'));
    const inside = written === undefined ? path.replaceAll('/', sep) : relativeInside(this.root, written);
    if (inside === undefined) return { escape: { link: path, target: written!, asWritten: true } };
    const slash = inside.lastIndexOf(sep);
    return {
      lexical: join(this.root, inside),
      inside,
      folder: slash < 0 ? '' : inside.slice(0, slash),
      name: inside.slice(slash + 1),
    };
  }

  /**
   * Resolves many paths, `batch` at a time, listing the folders that hold many of them.
   * @param signal - Checked between batches; rejects with AuditError('cancelled').
   */
  async resolveAll(paths: readonly string[], signal?: AbortSignal, batch = 64): Promise<Map<string, Resolution>> {
    const resolved = new Map<string, Resolution>();
    const listings = await this.listBusyFolders(paths, signal);
    const rest: string[] = [];
    for (const path of paths) {
      const file = listedFile(listings, path);
      if (file === undefined) rest.push(path);
      else resolved.set(path, { file });
    }
    await this.resolveEach(rest, signal, batch, (path, resolution) => resolved.set(path, resolution));
    return resolved;
  }

  /**
   * {@link resolve} on every path, `batch` at a time, each result handed to `take` in order.
   * @param signal - Checked between batches; rejects with AuditError('cancelled').
   */
  async resolveEach(
    paths: readonly string[],
    signal: AbortSignal | undefined,
    batch: number,
    take: (path: string, resolution: Resolution) => void,
  ): Promise<void> {
    for (let start = 0; start < paths.length; start += batch) {
      throwIfAborted(signal);
      const slice = paths.slice(start, start + batch);
      const results = await Promise.all(slice.map((path) => this.resolve(path)));
      slice.forEach((path, i) => take(path, results[i]));
    }
  }

  /** The listing of each inside folder that holds at least {@link LISTED_FOLDER_PATHS} plain paths of `paths`. */
  private async listBusyFolders(paths: readonly string[], signal?: AbortSignal): Promise<Listings> {
    const counts = new Map<string, number>();
    for (const path of paths) {
      if (!isPlainPath(path)) continue;
      const folder = folderOf(path);
      counts.set(folder, (counts.get(folder) ?? 0) + 1);
    }
    throwIfAborted(signal);
    const busy = [...counts].filter(([, count]) => count >= LISTED_FOLDER_PATHS).map(([folder]) => folder);
    const listings: Listings = new Map();
    // Listed side by side: reading a folder of 100 000 names is mostly waiting for the disk.
    await Promise.all(
      busy.map(async (folder) => {
        const realFolder = await this.folder(folder.replaceAll('/', sep));
        if (realFolder === undefined) return;
        const entries = await readdir(realFolder, { withFileTypes: true }).catch(() => []);
        listings.set(folder, { realFolder, files: new Set(entries.filter((e) => e.isFile()).map((e) => e.name)) });
      }),
    );
    return listings;
  }

  /**
   * The real path of folder `folder` (relative, native separators; '' is the root) when it is inside
   * the root, else undefined (outside, or missing).
   */
  private folder(folder: string): Promise<string | undefined> {
    let pending = this.folders.get(folder);
    if (!pending) {
      pending =
        folder === ''
          ? Promise.resolve(this.realRoot)
          : realpath(join(this.root, folder)).then(
              (real) => (isWithin(this.realRoot, real) ? real : undefined),
              () => undefined,
            );
      this.folders.set(folder, pending);
    }
    return pending;
  }

  /**
   * The first link on the way to `path` ('/'-separated, relative to the root) whose real path is
   * outside the root: the one a refusal names. Undefined when every link on the way stays inside.
   */
  async findEscape(path: string): Promise<Escape | undefined> {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const lexical = join(this.root, ...parts.slice(0, i));
      const stats = await lstat(lexical).catch(() => undefined);
      if (!stats?.isSymbolicLink()) continue;
      const target = await realpath(lexical).catch(() => undefined);
      if (target !== undefined && !isWithin(this.realRoot, target))
        return { link: parts.slice(0, i).join('/'), target };
    }
    return undefined;
  }

  /** {@link findEscape} for a path known to lead outside (native separators); the path itself when no one link does. */
  private async escapeOf(inside: string): Promise<Escape> {
    const path = inside.split(sep).join('/');
    const whole = join(this.root, inside);
    return (await this.findEscape(path)) ?? { link: path, target: await realpath(whole).catch(() => whole) };
  }
}

/**
 * The real file of a sample path ('/' separators, relative to `root`), or undefined when it is
 * missing, a folder, or leads outside `root` (as text, or through a link). For paths read from a
 * report: it sits in the dataset folder and anyone may edit it, so its paths are no more trusted than
 * a manifest's.
 */
export async function sampleFileInside(root: string, path: string): Promise<string | undefined> {
  const resolution = await resolveSample(root, path);
  return 'file' in resolution ? resolution.file : undefined;
}

/** How one sample path of `root` resolves (see {@link RootResolver.resolve}); a missing root makes every path missing. */
export async function resolveSample(root: string, path: string): Promise<Resolution> {
  const resolver = await RootResolver.open(root).catch(() => undefined);
  return resolver ? resolver.resolve(path) : { missing: 'missing' };
}

/**
 * {@link sampleFileInside} for many paths at once (sharing the folder lookups): the real file of each
 * usable path; paths missing or leading outside `root` are absent. One `lstat` per path and no folder
 * listing: for the few thousand images a review shows, listing folders of a million-sample dataset
 * would cost more than it saves (the dataset loader, which resolves every path, lists them).
 */
export async function sampleFilesInside(root: string, paths: readonly string[]): Promise<ReadonlyMap<string, string>> {
  const files = new Map<string, string>();
  const resolver = await RootResolver.open(root).catch(() => undefined);
  await resolver?.resolveEach([...new Set(paths)], undefined, 64, (path, resolution) => {
    if ('file' in resolution) files.set(path, resolution.file);
  });
  return files;
}
