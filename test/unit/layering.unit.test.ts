import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { test } from 'node:test';

// The layers of STYLE.md §1, checked on every import of every source file: the engine core must
// run without VS Code (CLI, tests, benchmarks), and the webview sees the host only through the
// shared protocol.
const REPO = join(__dirname, '..', '..');

function sourceFiles(folder: string): string[] {
  const dir = join(REPO, folder);
  try {
    statSync(dir);
  } catch {
    return [];
  }
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

/** Module specifiers imported (statically, dynamically or by require) by a file. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const pattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]|(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Where a relative import points, as a repo-relative path; bare package names as they are. */
function target(file: string, specifier: string): string {
  return specifier.startsWith('.') ? relative(REPO, resolve(dirname(file), specifier)).split('\\').join('/') : specifier;
}

function violations(folder: string, allowed: (target: string) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) =>
    importsOf(file)
      .map((specifier) => target(file, specifier))
      .filter((t) => !allowed(t))
      .map((t) => `${relative(REPO, file)} imports ${t}`),
  );
}

test('src/core imports neither vscode nor the engine, extension or webview layers', () => {
  const bad = violations('src/core', (t) => t !== 'vscode' && !/^(src\/(engine|extension)|webview)(\/|$)/.test(t));
  assert.deepEqual(bad, []);
});

test('src/engine (the worker process and CLI) never imports vscode or the extension', () => {
  assert.deepEqual(violations('src/engine', (t) => t !== 'vscode' && !/^(src\/extension|webview)(\/|$)/.test(t)), []);
});

test('src/protocol holds types shared by both sides and imports no layer but core types', () => {
  assert.deepEqual(violations('src/protocol', (t) => t !== 'vscode' && !/^(src\/(engine|extension)|webview)(\/|$)/.test(t)), []);
});

test('webview/ imports only its own files, src/protocol and UI packages', () => {
  assert.deepEqual(violations('webview', (t) => !t.startsWith('src/') || t.startsWith('src/protocol')), []);
  assert.deepEqual(violations('webview', (t) => t !== 'vscode' && !t.startsWith('node:')), []);
});

test('the checker sees imports: the CLI imports commander and core', () => {
  const cli = importsOf(join(REPO, 'src/engine/cli.ts'));
  assert.ok(cli.includes('commander'));
  assert.ok(cli.some((s) => s.startsWith('../core/')));
});
