// Bundles the CLI (and, later, the extension, the engine process and the webview) with esbuild.
// `node esbuild.mjs [--watch] [--production]`.
import * as esbuild from 'esbuild';
import { cp, copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);

/** Native or optional modules stay outside the bundle and are required at run time. */
// `vscode` is provided by the editor to the extension bundle only; no other entry imports it.
const external = ['vscode', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'];

const nodeEntries = {
  cli: 'src/cli/main.ts',
  trainWorker: 'src/engine/trainWorker.ts',
  // The forked engine process (src/extension/audit/engineClient.ts starts it).
  engine: 'src/engine/main.ts',
  // The extension host side: commands, progress, the review panel.
  extension: 'src/extension/extension.ts',
};

/** The wasm backend loads its .wasm binaries at run time: ship them next to the bundles. */
async function copyWasmBinaries() {
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  await mkdir('dist', { recursive: true });
  for (const name of await readdir(wasmDir)) {
    if (name.endsWith('.wasm')) await copyFile(join(wasmDir, name), join('dist', name));
  }
}

/**
 * sharp is a native module, so it stays outside the bundles; but the VSIX is packaged without
 * node_modules (`vsce package --no-dependencies`). So copy sharp and the packages it loads at run
 * time (its dependencies, and whichever of its optional platform packages, @img/sharp-<platform> with
 * libvips, npm installed here) to dist/node_modules, where `require('sharp')` from dist/*.js finds
 * them first. Packages already copied at the same version are left alone.
 */
async function copyNativeModules(roots) {
  const seen = new Set();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const manifest = await readPackageJson(join('node_modules', name));
    // An optional dependency for another platform is simply not installed.
    if (!manifest) continue;
    const target = join('dist', 'node_modules', name);
    if ((await readPackageJson(target))?.version !== manifest.version) {
      await rm(target, { recursive: true, force: true });
      await cp(join('node_modules', name), target, { recursive: true, dereference: true });
    }
    pending.push(...Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }));
  }
}

async function readPackageJson(folder) {
  try {
    return JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Marks each rebuild for the "watch" task's problem matcher (.vscode/tasks.json). The errors
 * themselves esbuild already prints in the shape it reads ("✘ [ERROR] text", then "file:line:col:").
 */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    if (!watch) return;
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd(() => console.log('[watch] build finished'));
  },
};

const context = await esbuild.context({
  entryPoints: nodeEntries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external,
  logLevel: 'warning',
  plugins: [problemMatcherPlugin],
});
// The review webview runs in the browser sandbox of a VS Code webview: one classic script (iife, so
// it loads with a plain nonce'd <script> tag) plus the CSS it imports, emitted as dist/webview.css.
const webviewContext = await esbuild.context({
  entryPoints: { webview: 'webview/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'browser',
  target: 'chrome114',
  format: 'iife',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [problemMatcherPlugin],
});
await copyWasmBinaries();
await copyNativeModules(['sharp']);
if (watch) {
  await Promise.all([context.watch(), webviewContext.watch()]);
} else {
  await Promise.all([context.rebuild(), webviewContext.rebuild()]);
  await Promise.all([context.dispose(), webviewContext.dispose()]);
}
