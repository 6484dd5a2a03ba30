// Bundles the CLI (and, later, the extension, the engine process and the webview) with esbuild.
// `node esbuild.mjs [--watch] [--production]`.
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { copyRuntimePackages } from './scripts/packaging/runtimePackages.mjs';
import { hostTarget } from './scripts/packaging/targets.mjs';

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
 * sharp (and webgpu) are native modules, so they stay outside the bundles; but the VSIX is packaged
 * without node_modules (`vsce package --no-dependencies`). So copy them and what they load at run
 * time, for this machine's platform, to dist/node_modules, where `require('sharp')` from dist/*.js
 * finds them first. `npm run package:all` does the same per target from a staging install
 * (scripts/packaging/).
 */
async function copyHostRuntimePackages() {
  await copyRuntimePackages({ from: 'node_modules', to: join('dist', 'node_modules'), target: hostTarget() });
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
  // tfjs-backend-cpu's package.json lists its Node bundle (its "main") as free of side effects, so
  // esbuild dropped `import '@tensorflow/tfjs-backend-cpu'` and the cpu backend was never registered
  // (`--backend cpu` failed). Its registration is a side effect: keep every imported module's code.
  ignoreAnnotations: true,
  // jsonc-parser's "main" is a UMD build whose `require('./impl/format')` is made through the factory's
  // own `require` parameter, which esbuild cannot follow: the bundle then failed to load in VS Code
  // ("Cannot find module './impl/format'"), though Node's own resolution (the unit tests) was fine.
  // Its ES module build bundles like any other.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
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
  // The codicon font the styles use (webview/styles/icons.css) goes to dist/webview/, which the VSIX ships.
  loader: { '.ttf': 'file' },
  assetNames: 'webview/[name]-[hash]',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [problemMatcherPlugin],
});
await copyWasmBinaries();
await copyHostRuntimePackages();
if (watch) {
  await Promise.all([context.watch(), webviewContext.watch()]);
} else {
  await Promise.all([context.rebuild(), webviewContext.rebuild()]);
  await Promise.all([context.dispose(), webviewContext.dispose()]);
}
