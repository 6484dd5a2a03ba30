import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectNativeBinary } from '../../helpers/nativeBinary';
import { REPO } from '../../helpers/repo';
import { CI_TARGETS, TARGETS, readZip, targetNamed, targetOfVsix, vsixProblems } from '../../helpers/vsix';

// The per-platform VSIXes `npm run package:all` writes to vsix/ (see docs/packaging.md). Building
// all of them downloads ~100 MB, so this checks the ones present; CI builds the host's and the
// foreign targets of targets.json's ciTargets first (scripts/setup.d), and here requires them.
const VSIX_DIR = join(REPO, 'vsix');
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
/** This version's VSIXes (an older version's files are left alone). */
const current = existsSync(VSIX_DIR)
  ? readdirSync(VSIX_DIR).filter((name) => name.startsWith(`label-audit-${version}-`) && name.endsWith('.vsix'))
  : [];

test('the header reader names the format and architectures of the real binaries webgpu ships for every platform', async () => {
  const dist = join(REPO, 'node_modules', 'webgpu', 'dist');
  const read = async (path: string) => inspectNativeBinary(await readFile(join(dist, path)));
  assert.deepEqual(await read('linux-x64/dawn.node'), { format: 'elf', architectures: ['x64'], libc: 'glibc' });
  assert.deepEqual(await read('linux-arm64/dawn.node'), { format: 'elf', architectures: ['arm64'], libc: 'glibc' });
  assert.deepEqual(await read('win32-x64/dawn.node'), { format: 'pe', architectures: ['x64'] });
  assert.deepEqual(await read('win32-arm64/dxcompiler.dll'), { format: 'pe', architectures: ['arm64'] });
  assert.deepEqual((await read('darwin-universal/dawn.node'))?.architectures.sort(), ['arm64', 'x64']);
  assert.equal(inspectNativeBinary(await readFile(join(REPO, 'dist', 'tfjs-backend-wasm.wasm'))), undefined);
  assert.equal(inspectNativeBinary(await readFile(join(REPO, 'package.json'))), undefined);
});

test('a VSIX checked against another platform is reported, binary by binary', async (t) => {
  if (current.length === 0) return t.skip('no VSIX in vsix/: run npm run package:all (or package:targets <target>)');
  const file = current[0];
  const own = targetOfVsix(file)!;
  const entries = await readZip(join(VSIX_DIR, file));
  const other = TARGETS.find((target) => target.os !== own.os)!;
  const problems = vsixProblems(entries, other);
  assert.ok(
    problems.some((p) => /@img\/sharp-.*\.node: (elf|macho|pe), not/.test(p)),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith("sharp's packages are")),
    problems.join('\n'),
  );
});

for (const file of current) {
  test(`${file} carries only its platform's native binaries, the wasm binaries and no test or data file`, async () => {
    const target = targetOfVsix(file);
    assert.ok(target, `${file}: no known target in the name`);
    const entries = await readZip(join(VSIX_DIR, file));
    assert.deepEqual(vsixProblems(entries, target), []);
    const manifest = entries.get('extension.vsixmanifest')?.toString('utf8') ?? '';
    assert.match(manifest, new RegExp(`TargetPlatform="${target.name}"`), 'vsce --target recorded in the manifest');
    const size = [...entries.values()].reduce((sum, bytes) => sum + bytes.length, 0);
    assert.ok(size > 1e6, `${file} holds only ${size} bytes`);
  });
}

test(
  'CI built the VSIXes it checks: the host target and targets.json ciTargets',
  { skip: !IN_CI && 'outside CI' },
  () => {
    // Our CI machines are glibc Linux, so the host's target is linux-<arch>.
    const wanted = [...new Set([`${process.platform}-${process.arch}`, ...CI_TARGETS])];
    for (const name of wanted) {
      targetNamed(name);
      assert.ok(
        current.includes(`label-audit-${version}-${name}.vsix`),
        `vsix/label-audit-${version}-${name}.vsix missing`,
      );
    }
  },
);
