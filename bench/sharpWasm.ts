// `npm run bench:sharp-wasm [--rounds 5]`: decode speed of sharp's platform-neutral WebAssembly build
// (@img/sharp-wasm32) against this machine's native build, on the audit's decode pipeline (that of
// src/core/data/decode.ts: auto-orient, resize to 32×32, flatten, sRGB, raw bytes), images/s.
// Two image sets: 400 real 28×28 MNIST PNGs (a small-image dataset) and 100 Fashion-MNIST images
// upscaled to 512×512 JPEGs (photo-sized files). Each side runs in its own process, the sides
// interleaved and their order alternated per round; the wasm build is installed (npm, --cpu=wasm32)
// into <tmp>/label-audit-wasm-decode, outside the repository.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { REPO } from '../test/helpers/repo';
import { SOURCE_SIZE, loadSource, pickImages, writePng } from '../test/helpers/realImages';
import { numberOption } from './args';
import { median } from './stats';

const SIZE = 32;
const IN_FLIGHT = 8;

/** Child: decodes every file of `folder` with the sharp that `from` resolves and prints images/s. */
async function side(from: string, folder: string): Promise<void> {
  const load = createRequire(join(from, 'noop.js'));
  const sharpHere = load('sharp') as typeof sharp;
  const loaded = Object.keys(load.cache);
  const binary =
    loaded.find((key) => key.includes('@img/sharp-wasm32/')) ?? loaded.find((key) => key.endsWith('.node')) ?? '?';
  const files = (await readdir(folder)).map((name) => join(folder, name));
  const bytes = await Promise.all(files.map((file) => readFile(file)));
  const decode = (input: Buffer) =>
    sharpHere(input, { failOn: 'error' })
      .autoOrient()
      .resize(SIZE, SIZE, { fit: 'fill' })
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer();
  await Promise.all(bytes.slice(0, IN_FLIGHT).map(decode)); // warm-up: load and compile
  const started = performance.now();
  for (let i = 0; i < bytes.length; i += IN_FLIGHT) await Promise.all(bytes.slice(i, i + IN_FLIGHT).map(decode));
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ imagesPerSecond: bytes.length / seconds, binary }));
}

async function installWasmBuild(): Promise<string> {
  // Outside the repository: from inside it, require() would walk up to its node_modules and find
  // the native build again.
  const folder = join(tmpdir(), 'label-audit-wasm-decode');
  if (existsSync(join(folder, 'node_modules', '@img', 'sharp-wasm32'))) return folder;
  const version = (
    JSON.parse(await readFile(join(REPO, 'node_modules', 'sharp', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  await mkdir(folder, { recursive: true });
  const manifest = { private: true, dependencies: { sharp: version, '@img/sharp-wasm32': version } };
  await writeFile(join(folder, 'package.json'), JSON.stringify(manifest));
  // --cpu=wasm32: npm then skips sharp's native packages, so sharp falls back to the wasm build.
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--cpu=wasm32'], {
    cwd: folder,
    stdio: 'inherit',
  });
  if (npm.status !== 0) throw new Error(`npm install of @img/sharp-wasm32 failed in ${folder}`);
  return folder;
}

async function writeImageSets(): Promise<Record<string, string>> {
  const root = join(REPO, 'bench-output', 'sharp-wasm');
  const sets = { 'MNIST 28×28 PNG': join(root, 'png28'), 'Fashion 512×512 JPEG': join(root, 'jpeg512') };
  if (existsSync(sets['Fashion 512×512 JPEG'])) return sets;
  const digits = loadSource('mnist');
  await mkdir(sets['MNIST 28×28 PNG'], { recursive: true });
  const pixels = new Uint8Array(SOURCE_SIZE * SOURCE_SIZE);
  const picks = pickImages(digits, 400, 1);
  for (const [i, pick] of picks.entries()) {
    digits.copyImage(pick.classId, pick.index, pixels);
    await writePng(join(sets['MNIST 28×28 PNG'], `${i}.png`), pixels);
  }
  const fashion = loadSource('fashion');
  await mkdir(sets['Fashion 512×512 JPEG'], { recursive: true });
  for (const [i, pick] of pickImages(fashion, 100, 1).entries()) {
    fashion.copyImage(pick.classId, pick.index, pixels);
    const jpeg = await sharp(Buffer.from(pixels), { raw: { width: SOURCE_SIZE, height: SOURCE_SIZE, channels: 1 } })
      .resize(512, 512)
      .jpeg({ quality: 90 })
      .toBuffer();
    await writeFile(join(sets['Fashion 512×512 JPEG'], `${i}.jpg`), jpeg);
  }
  return sets;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--side') return side(process.argv[3], process.argv[4]);
  const rounds = numberOption('rounds', 5);
  const sides = { native: REPO, wasm32: await installWasmBuild() };
  const sets = await writeImageSets();
  console.log(
    `${new Date().toISOString()}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${rounds} rounds`,
  );
  for (const [setName, folder] of Object.entries(sets)) {
    const figures: Record<string, number[]> = { native: [], wasm32: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['native', 'wasm32'] as const) : (['wasm32', 'native'] as const);
      for (const name of order) {
        const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--side', sides[name], folder], {
          encoding: 'utf8',
        });
        if (child.status !== 0) throw new Error(`${name} side failed:\n${child.stderr}`);
        const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
          imagesPerSecond: number;
          binary: string;
        };
        if (round === 0) console.log(`  ${name}: ${result.binary}`);
        figures[name].push(result.imagesPerSecond);
      }
    }
    const line = (name: string) =>
      `${median(figures[name]).toFixed(0)} images/s (${Math.min(...figures[name]).toFixed(0)}–${Math.max(...figures[name]).toFixed(0)})`;
    const ratio = median(figures.native) / median(figures.wasm32);
    console.log(`${setName}: native ${line('native')}, wasm32 ${line('wasm32')}; native/wasm32 ${ratio.toFixed(1)}×`);
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

void main();
