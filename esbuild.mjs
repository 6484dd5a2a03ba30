// Bundles the CLI (and, later, the extension, the engine process and the webview) with esbuild.
// `node esbuild.mjs [--watch] [--production]`.
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);

/** Native or optional modules stay outside the bundle and are required at run time. */
// `vscode` is provided by the editor to the extension bundle only; no other entry imports it.
const external = ['vscode', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'];

const nodeEntries = {
  cli: 'src/engine/cli.ts',
  trainWorker: 'src/engine/trainWorker.ts',
  // The forked engine process (src/extension/engineClient.ts starts it).
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
});
await copyWasmBinaries();
if (watch) {
  await context.watch();
} else {
  await context.rebuild();
  await context.dispose();
}
