/**
 * Reads a VSIX (a zip) and lists what is wrong with it for a target platform: native binaries of
 * another platform, missing native or wasm binaries, files that should not ship.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import yauzl from 'yauzl';
import table from '../../scripts/packaging/targets.json';
import { inspectNativeBinary, looksNative } from './nativeBinary';
import { REPO } from './repo';

export type Target = (typeof table.targets)[number];
export const TARGETS: Target[] = table.targets;
export const CI_TARGETS: string[] = table.ciTargets;

export function targetNamed(name: string): Target {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`unknown target ${name}`);
  return target;
}

/** Every file in a zip, by path, with its bytes. */
export async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          entries.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return entries;
}

const MODULES = 'extension/dist/node_modules/';
/** sharp's platform packages, from the installed sharp's manifest. */
const SHARP_OPTIONAL = (
  JSON.parse(readFileSync(join(REPO, 'node_modules', 'sharp', 'package.json'), 'utf8')) as {
    optionalDependencies: Record<string, string>;
  }
).optionalDependencies;
/** tfjs-backend-wasm's binaries the wasm backend loads (src/engine/backend.ts), next to the bundles. */
export const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];
/** Sources, tests, data and build leftovers: none of it ships. */
const NOT_SHIPPED = [
  /^extension\/(src|test|webview|bench|scripts|sample-data|test-output|bench-output|\.tools|\.package|node_modules)\//,
  /(^|\/)(test|tests|__tests__)\//,
  /\.(map|ts|tsx|csv|tsv|jsonl|vsix|tgz)$/,
];

/** What is wrong with a VSIX's files for `target`; empty when nothing is. */
export function vsixProblems(entries: Map<string, Buffer>, target: Target): string[] {
  const problems: string[] = [];
  const wantLibc = target.libc ?? undefined;
  for (const [path, bytes] of entries) {
    const binary = inspectNativeBinary(bytes);
    if (!binary) {
      if (looksNative(path)) problems.push(`${path}: named like a native binary but has no ELF, Mach-O or PE header`);
      continue;
    }
    const format = { win32: 'pe', darwin: 'macho', linux: 'elf' }[target.os];
    if (binary.format !== format) problems.push(`${path}: ${binary.format}, not ${format}`);
    if (!binary.architectures.includes(target.cpu as never))
      problems.push(`${path}: ${binary.architectures.join(' + ')}, not ${target.cpu}`);
    if (wantLibc && binary.libc && binary.libc !== 'unknown' && binary.libc !== wantLibc)
      problems.push(`${path}: linked against ${binary.libc}, not ${wantLibc}`);
  }
  for (const path of entries.keys()) {
    if (!path.endsWith('.d.ts') && NOT_SHIPPED.some((pattern) => pattern.test(path)))
      problems.push(`${path}: should not ship`);
  }
  for (const name of WASM_FILES) {
    const wasm = entries.get(`extension/dist/${name}`);
    if (!wasm) problems.push(`extension/dist/${name} missing`);
    else if (wasm.readUInt32BE(0) !== 0x0061736d) problems.push(`extension/dist/${name} is not WebAssembly`);
  }
  // Exactly the target's platform packages of sharp, and only its dawn.node folder of webgpu.
  const imgPackages = new Set(
    [...entries.keys()].filter((p) => p.startsWith(`${MODULES}@img/`)).map((p) => p.split('/')[4]),
  );
  // sharp's Windows packages carry libvips themselves; elsewhere it is a package of its own.
  const libvips = `@img/sharp-libvips-${target.sharp}`;
  const wantImg = ['colour', `sharp-${target.sharp}`, ...(libvips in SHARP_OPTIONAL ? [libvips.slice(5)] : [])];
  if ([...imgPackages].sort().join() !== wantImg.sort().join())
    problems.push(`sharp's packages are ${[...imgPackages].join(', ')}, not ${wantImg.join(', ')}`);
  if (![...entries.keys()].some((p) => p.startsWith(`${MODULES}@img/sharp-${target.sharp}/`) && p.endsWith('.node')))
    problems.push(`no sharp .node for ${target.sharp}`);
  const webgpuFolders = new Set(
    [...entries.keys()].filter((p) => p.startsWith(`${MODULES}webgpu/dist/`)).map((p) => p.split('/')[5]),
  );
  const wantWebgpu = target.webgpu ? [target.webgpu] : [];
  if ([...webgpuFolders].join() !== wantWebgpu.join())
    problems.push(
      `webgpu's binaries are for ${[...webgpuFolders].join(', ') || 'nothing'}, not ${wantWebgpu.join() || 'nothing'}`,
    );
  if (target.webgpu && !entries.has(`${MODULES}webgpu/dist/${target.webgpu}/dawn.node`))
    problems.push(`no webgpu dawn.node for ${target.webgpu}`);
  return problems;
}

/** The target a VSIX built by scripts/packaging/packageTargets.mjs is for, from its file name. */
export function targetOfVsix(file: string): Target | undefined {
  const name = basename(file, '.vsix');
  return TARGETS.find((t) => name.endsWith(`-${t.name}`));
}
