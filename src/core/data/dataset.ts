import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { AuditError, throwIfAborted } from '../errors';
import { escapeProblem, relativeInside, RootResolver } from './containment';
import { parseCsvManifest, parseJsonManifest, type ManifestEntry } from './manifest';
import type { Dataset, DatasetFormat, InputIssue, LabelSource, Sample } from '../shared/types';

/**
 * Label files recognised at the top of a dataset folder (matched case-insensitively). A folder holding
 * one of them is read through it; a folder holding several is ambiguous and the user must pass the
 * file itself.
 */
export const MANIFEST_NAMES: readonly string[] = [
  'labels.csv',
  'labels.json',
  'manifest.csv',
  'manifest.json',
  'annotations.csv',
  'annotations.json',
];

/** Extensions (lower case, with the dot) of the image files a folder-per-class dataset is made of. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff'];

/** Fewer usable images than this and there is nothing to learn from: loading stops with 'tooFewSamples'. */
export const MIN_SAMPLES = 10;

/**
 * Files that are plainly not meant as data (notes, metadata, code, archives), skipped silently in a
 * class folder. Any other non-image file is listed as 'notAnImage', because a class folder full of
 * `.heic` or `.svg` files would otherwise vanish from the audit without a word.
 */
const SIDE_FILE_EXTENSIONS = new Set([
  '.txt',
  '.md',
  '.markdown',
  '.rst',
  '.json',
  '.csv',
  '.tsv',
  '.yaml',
  '.yml',
  '.xml',
  '.html',
  '.htm',
  '.pdf',
  '.log',
  '.ini',
  '.cfg',
  '.toml',
  '.py',
  '.ipynb',
  '.sh',
  '.zip',
  '.tar',
  '.gz',
  '.npy',
  '.npz',
  '.pkl',
]);
const SIDE_FILE_NAMES = /^(readme|license|licence|notice|changelog|authors)(\..*)?$/i;

/** Names never read: OS and archiver litter. Dot-files and dot-folders (e.g. `.label-audit`) are skipped too. */
const IGNORED_NAMES = new Set(['__macosx', 'thumbs.db', 'desktop.ini']);

// Fixed locale so the order does not change with the user's machine; numeric so '2' < '10'.
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/**
 * Natural, numeric-aware order ('2' < '10', 'img9' < 'img10'), with a plain code-unit comparison as
 * the tie-break so that two different strings never compare equal and sorting is deterministic.
 */
export function compareNatural(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Reads a labeled image dataset, detecting its format from `inputPath`:
 * - a `.csv` file → CSV label file (see {@link parseCsvManifest}); a `.json` file → JSON label file;
 * - a folder holding one of {@link MANIFEST_NAMES} at its top → that label file;
 * - any other folder → folder-per-class: `root/<class>/**\/<image>`, the class being the first-level
 *   folder, images found at any depth below it, files at the top level ignored.
 *
 * Label-file paths are relative to the label file's folder, which becomes `root`; they are
 * normalised ('./' dropped; '\\' read as '/' unless a file of that very name exists, since on POSIX
 * it is a legal name character), and absolute paths are accepted when they lie inside the root.
 * Every file (image or label file) must really be inside the root: one reached through a symbolic
 * link that leads outside is skipped as 'outsideRoot', naming the link and its target (see
 * containment.ts); links within the root keep working.
 * Entries that cannot be used are skipped and listed in `issues` (missingFile, outsideRoot,
 * emptyLabel, duplicateEntry — one copy kept —, conflictingDuplicate — none kept —, notAnImage); a
 * class with a single image is kept and listed as 'smallClass'. Class names are kept exactly as
 * written (see lookAlikeClasses.ts for names that only look the same). Nothing is decoded here.
 *
 * @param inputPath - Folder or label file.
 * @param options.signal - Aborts the scan (rejects with AuditError('cancelled')).
 * @returns The dataset; `classes` in natural order; samples sorted by path for folder-per-class,
 *   in file order for label files.
 * @throws AuditError with reason 'pathNotFound' (no such path), 'notADataset' (not a csv/json file,
 *   several label files, or no class folders with images), 'manifestMalformed', 'tooFewClasses'
 *   (fewer than two classes with usable images) or 'tooFewSamples' (fewer than {@link MIN_SAMPLES}).
 */
export async function loadDataset(inputPath: string, options: { signal?: AbortSignal } = {}): Promise<Dataset> {
  const { signal } = options;
  throwIfAborted(signal);
  const location = await locateDataset(inputPath);
  const resolver = await RootResolver.open(location.root);
  const read =
    location.format === 'folder'
      ? await readFolder(resolver, signal)
      : await readManifest(resolver, location.manifestPath, location.format, signal);
  throwIfAborted(signal);
  const { classes, smallClassIssues } = checkClasses(inputPath, read.samples, read.issues);
  return {
    root: location.root,
    format: location.format,
    ...(location.format === 'folder' ? {} : { manifestPath: location.manifestPath }),
    classes,
    samples: read.samples,
    issues: [...read.issues, ...smallClassIssues],
    source: read.source,
  };
}

export type DatasetLocation =
  { format: 'folder'; root: string } | { format: Exclude<DatasetFormat, 'folder'>; root: string; manifestPath: string };

interface ReadResult {
  samples: Sample[];
  issues: InputIssue[];
  source: LabelSource;
}

/**
 * Where the dataset at `inputPath` lives, its root and label file, without reading it: for commands
 * that need only its `.label-audit/` folder (the cleanlab export), since at a million images the
 * walk {@link loadDataset} makes takes seconds.
 * @throws AuditError('pathNotFound' | 'notADataset') as {@link loadDataset} does for the path itself.
 */
export async function locateDataset(inputPath: string): Promise<DatasetLocation> {
  const absolute = resolve(inputPath);
  const stats = await stat(absolute).catch(() => undefined);
  if (!stats) throw new AuditError('pathNotFound', `No dataset at ${inputPath}: the path does not exist.`, inputPath);
  if (stats.isFile()) {
    const format = manifestFormat(absolute);
    if (!format) {
      throw new AuditError(
        'notADataset',
        `${inputPath} is not a dataset: pass a folder with one subfolder per class, or a .csv or .json label file.`,
        inputPath,
      );
    }
    return { format, root: dirname(absolute), manifestPath: absolute };
  }
  if (!stats.isDirectory())
    throw new AuditError('notADataset', `${inputPath} is neither a folder nor a file.`, inputPath);
  const names = await readdir(absolute);
  const manifests = names.filter((name) => MANIFEST_NAMES.includes(name.toLowerCase())).sort(compareNatural);
  if (manifests.length > 1) {
    throw new AuditError(
      'notADataset',
      `${inputPath} holds several label files (${manifests.join(', ')}); pass the one to audit, e.g. ${join(inputPath, manifests[0])}.`,
      inputPath,
    );
  }
  if (manifests.length === 1) {
    const manifestPath = join(absolute, manifests[0]);
    return { format: manifestFormat(manifestPath) ?? 'csv', root: absolute, manifestPath };
  }
  return { format: 'folder', root: absolute };
}

function manifestFormat(path: string): 'csv' | 'json' | undefined {
  const extension = extname(path).toLowerCase();
  return extension === '.csv' ? 'csv' : extension === '.json' ? 'json' : undefined;
}

function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || IGNORED_NAMES.has(name.toLowerCase());
}

/** Folder-per-class: every image below each first-level folder, labelled with that folder's name. */
async function readFolder(resolver: RootResolver, signal: AbortSignal | undefined): Promise<ReadResult> {
  const { root } = resolver;
  const top = await readdir(root, { withFileTypes: true });
  const samples: Sample[] = [];
  const issues: InputIssue[] = [];
  let looseImages = 0;
  for (const entry of top) {
    if (isIgnoredName(entry.name)) continue;
    if (await isDirectory(root, entry)) {
      // A symlinked class folder is fine when it leads to a folder inside the root.
      if (entry.isSymbolicLink()) {
        const escape = await resolver.findEscape(entry.name);
        if (escape) {
          issues.push({
            file: entry.name,
            kind: 'outsideRoot',
            problem: `class folder ${escapeProblem(escape, root)}`,
          });
          continue;
        }
      }
      const { files, links } = await listFiles(root, entry.name, signal);
      const resolved = await resolver.resolveAll(links, signal);
      for (const path of files) {
        const resolution = resolved.get(path);
        if (resolution && 'escape' in resolution) {
          issues.push({ file: path, kind: 'outsideRoot', problem: escapeProblem(resolution.escape, root) });
          continue;
        }
        // A dangling link, or a link to a folder: not a file of the dataset.
        if (resolution && !('file' in resolution)) continue;
        const extension = extname(path).toLowerCase();
        if (IMAGE_EXTENSIONS.includes(extension)) samples.push({ path, label: entry.name, sourceIndex: -1 });
        else if (!SIDE_FILE_EXTENSIONS.has(extension) && !SIDE_FILE_NAMES.test(basename(path))) {
          issues.push({
            file: path,
            kind: 'notAnImage',
            problem: `not an image file (${extension || 'no extension'}); only ${IMAGE_EXTENSIONS.join(' ')} files are read`,
          });
        }
      }
    } else if (IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) looseImages++;
  }
  if (samples.length === 0) {
    const hint = looseImages > 0 ? `its ${looseImages} images lie directly in it, ` : '';
    const refused = issues.filter((issue) => issue.kind === 'outsideRoot');
    const outside = refused.length > 0 ? ` (${refused.length} links leading outside it were not followed)` : '';
    throw new AuditError(
      'notADataset',
      `No dataset found in ${root}${outside}: ${hint}but an audit needs one subfolder per class (e.g. cat/1.png, dog/2.png) or a label file (${MANIFEST_NAMES.join(', ')}).`,
      root,
    );
  }
  samples.sort((a, b) => compareNatural(a.path, b.path));
  issues.sort((a, b) => compareNatural(a.file, b.file));
  return { samples, issues, source: { format: 'folder' } };
}

/**
 * Files below `root/folder`, as '/'-separated paths relative to `root`; `links` are the ones that are
 * symbolic links (to be resolved and checked against the root). Links to folders below the top are
 * not followed (a link back up would loop forever).
 */
async function listFiles(
  root: string,
  folder: string,
  signal: AbortSignal | undefined,
): Promise<{ files: string[]; links: string[] }> {
  throwIfAborted(signal);
  const entries = await readdir(join(root, folder), { withFileTypes: true });
  const files: string[] = [];
  const links: string[] = [];
  for (const entry of entries) {
    if (isIgnoredName(entry.name)) continue;
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) {
      const below = await listFiles(root, path, signal);
      files.push(...below.files);
      links.push(...below.links);
    } else if (entry.isFile()) files.push(path);
    else if (entry.isSymbolicLink()) {
      files.push(path);
      links.push(path);
    }
  }
  return { files, links };
}

async function isDirectory(parent: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  // A symlinked class folder is fine at the top level: only recursion below it could loop.
  return (
    entry.isSymbolicLink() && ((await stat(join(parent, entry.name)).catch(() => undefined))?.isDirectory() ?? false)
  );
}

/** A CSV/JSON label file: parse, then keep the entries whose path and label are usable. */
async function readManifest(
  resolver: RootResolver,
  manifestPath: string,
  format: 'csv' | 'json',
  signal: AbortSignal | undefined,
): Promise<ReadResult> {
  const { root } = resolver;
  const name = basename(manifestPath);
  const own = await resolver.resolve(name);
  if ('escape' in own)
    throw new AuditError(
      'notADataset',
      `Label file ${manifestPath}: ${escapeProblem(own.escape, root)}.`,
      manifestPath,
    );
  const bytes = await readFile('file' in own ? own.file : manifestPath).catch((error: NodeJS.ErrnoException) => {
    throw new AuditError('notADataset', `Cannot read ${manifestPath}: ${error.code ?? error.message}.`, manifestPath);
  });
  // Excel's "Unicode text" export is UTF-16 LE with a BOM; everything else is read as UTF-8.
  const text = bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.toString('utf16le') : bytes.toString('utf8');
  const parsed = format === 'csv' ? parseCsvManifest(text, name) : parseJsonManifest(text, name);
  const { candidates, issues } = await checkEntries(root, name, parsed.entries);
  const kept = keepOnePerPath(candidates, name, issues);
  const resolved = await resolver.resolveAll(
    kept.map((candidate) => candidate.path),
    signal,
  );
  const samples: Sample[] = [];
  for (const candidate of kept) {
    const resolution = resolved.get(candidate.path);
    if (resolution === undefined || 'file' in resolution) {
      samples.push({ path: candidate.path, label: candidate.entry.label, sourceIndex: candidate.entry.sourceIndex });
    } else if ('escape' in resolution) {
      issues.push({
        file: candidate.path,
        kind: 'outsideRoot',
        problem: `listed on ${candidate.entry.where} of ${name}, but ${escapeProblem(resolution.escape, root)}`,
      });
    } else {
      const problem = resolution.missing === 'folder' ? 'is a folder, not an image file' : 'does not exist';
      issues.push({
        file: candidate.path,
        kind: 'missingFile',
        problem: `listed on ${candidate.entry.where} of ${name} but ${problem}`,
      });
    }
  }
  return { samples, issues, source: parsed.source };
}

interface Candidate {
  readonly entry: ManifestEntry;
  /** Normalised path relative to the root. */
  readonly path: string;
}

/** Per-entry checks: a path, inside the root (as text; links are checked later), and a label. */
async function checkEntries(
  root: string,
  name: string,
  entries: readonly ManifestEntry[],
): Promise<{ candidates: Candidate[]; issues: InputIssue[] }> {
  const candidates: Candidate[] = [];
  const issues: InputIssue[] = [];
  for (const entry of entries) {
    if (entry.path === '') {
      issues.push({ file: name, kind: 'missingFile', problem: `${entry.where} of ${name} has no image path` });
      continue;
    }
    const path = await pathInside(root, entry.path);
    if (path === undefined) {
      issues.push({
        file: entry.path,
        kind: 'outsideRoot',
        problem: `${entry.where} of ${name} points outside the dataset folder ${root}`,
      });
    } else if (entry.label === '') {
      issues.push({ file: path, kind: 'emptyLabel', problem: `${entry.where} of ${name} gives no label` });
    } else candidates.push({ entry, path });
  }
  return { candidates, issues };
}

/**
 * `written` as a '/'-separated path relative to `root`, or undefined when it leads outside `root`
 * (as text). Manifests made on Windows use '\'; on POSIX it is also a legal file-name character
 * (`back\slash.png`), so a path naming an existing file as written is taken as written.
 */
async function pathInside(root: string, written: string): Promise<string | undefined> {
  const [literal, portable] = samplePathCandidates(root, written);
  if (portable !== undefined && literal !== undefined && (await lstat(join(root, literal)).catch(() => undefined)))
    return literal;
  return portable ?? literal;
}

/**
 * The sample paths a manifest's path cell can stand for, as text (nothing is read): with a '\\' on
 * POSIX, first the name as written, then with '\\' read as '/'; else the one path. Undefined entries
 * lead outside `root`. The loader picks the first that names a file; the editor, the one the report has.
 */
export function samplePathCandidates(root: string, written: string): (string | undefined)[] {
  const relativePath = (path: string) =>
    relativeInside(root, isAbsolute(path) ? path : resolve(root, path))
      ?.split(sep)
      .join('/');
  const portable = relativePath(written.replace(/\\/g, '/'));
  return sep === '/' && written.includes('\\') ? [relativePath(written), portable] : [portable];
}

/**
 * The first entry of each path. Repeats with the same label are 'duplicateEntry' (one copy kept);
 * a path given different labels is 'conflictingDuplicate' for every entry, none kept, since we cannot
 * tell which label the dataset means.
 */
function keepOnePerPath(candidates: readonly Candidate[], name: string, issues: InputIssue[]): Candidate[] {
  const byPath = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const group = byPath.get(candidate.path);
    if (group) group.push(candidate);
    else byPath.set(candidate.path, [candidate]);
  }
  const kept: Candidate[] = [];
  for (const [path, group] of byPath) {
    const labels = new Set(group.map((candidate) => candidate.entry.label));
    const places = group.map((candidate) => candidate.entry.where).join(', ');
    if (labels.size > 1) {
      const given = group.map((candidate) => `"${candidate.entry.label}" on ${candidate.entry.where}`).join(', ');
      for (let i = 0; i < group.length; i++) {
        issues.push({
          file: path,
          kind: 'conflictingDuplicate',
          problem: `listed in ${name} with different labels (${given}); skipped`,
        });
      }
      continue;
    }
    kept.push(group[0]);
    for (let i = 1; i < group.length; i++) {
      issues.push({
        file: path,
        kind: 'duplicateEntry',
        problem: `listed ${group.length} times in ${name} (${places}) with the same label; kept once`,
      });
    }
  }
  return kept;
}

/** Classes in natural order, 'smallClass' issues, and the fatal checks on what is left. */
function checkClasses(
  inputPath: string,
  samples: readonly Sample[],
  issues: readonly InputIssue[],
): { classes: string[]; smallClassIssues: InputIssue[] } {
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(sample.label, (counts.get(sample.label) ?? 0) + 1);
  const classes = [...counts.keys()].sort(compareNatural);
  const skipped = issues.length > 0 ? ` ${issues.length} entries were skipped: ${summarizeIssues(issues)}.` : '';
  if (classes.length < 2) {
    const found =
      classes.length === 0 ? 'no usable labeled images' : `only one class ("${classes[0]}", ${samples.length} images)`;
    throw new AuditError(
      'tooFewClasses',
      `${inputPath} has ${found}; an audit compares classes, so it needs at least two.${skipped}`,
      inputPath,
    );
  }
  if (samples.length < MIN_SAMPLES) {
    throw new AuditError(
      'tooFewSamples',
      `${inputPath} has only ${samples.length} usable images; an audit needs at least ${MIN_SAMPLES}.${skipped}`,
      inputPath,
    );
  }
  const smallClassIssues = samples
    .filter((sample) => counts.get(sample.label) === 1)
    .map((sample): InputIssue => ({
      file: sample.path,
      kind: 'smallClass',
      problem: `the only image of class "${sample.label}": one image is too few to judge its label (kept)`,
    }));
  return { classes, smallClassIssues };
}

function summarizeIssues(issues: readonly InputIssue[], shown = 3): string {
  const listed = issues.slice(0, shown).map((issue) => `${issue.file}: ${issue.problem}`);
  return listed.join('; ') + (issues.length > shown ? `; and ${issues.length - shown} more` : '');
}
