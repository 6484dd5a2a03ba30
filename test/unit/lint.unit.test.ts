import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { REPO } from '../helpers/repo';

// The layering of the codebase is guarded by eslint.config.mjs's import zones (`npm run lint`).
// These tests lint small snippets as if they were files of each layer, so a zone that stops
// firing (a renamed folder, a resolver that no longer finds .ts files) fails here.
const eslint = new ESLint({ cwd: REPO });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO, file) });
  return result.messages
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths' || m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

test('src/core may not import the editor, the engine process, the CLI or the webview', async () => {
  const errors = await layeringErrors(
    'src/core/data/example.ts',
    [
      "import { COMMANDS } from '../../extension/commandIds';",
      "import { chooseBackend } from '../../engine/backend';",
      "import * as vscode from 'vscode';",
      'export { COMMANDS, chooseBackend, vscode };',
    ].join('\n'),
  );
  assert.equal(errors.length, 3, errors.join('\n'));
  assert.match(errors[0], /src\/core is the engine library/);
  assert.match(errors[2], /No vscode here/);
});

test('src/core may import its own folders, and the shared folder only itself', async () => {
  assert.deepEqual(
    await layeringErrors('src/core/data/example.ts', "export { ownValue } from '../shared/ownValue';"),
    [],
  );
  const shared = await layeringErrors(
    'src/core/shared/example.ts',
    "export { loadDataset } from '../data/dataset';\nexport { readFile } from 'node:fs/promises';",
  );
  assert.equal(shared.length, 2, shared.join('\n'));
});

test('the webview imports only the protocol and the shared folder, and nothing of Node', async () => {
  assert.deepEqual(
    await layeringErrors(
      'webview/example.ts',
      "export type { SuspectView } from '../src/protocol/webview';\nexport { ownValue } from '../src/core/shared/ownValue';",
    ),
    [],
  );
  const errors = await layeringErrors(
    'webview/example.ts',
    "export { loadDataset } from '../src/core/data/dataset';\nexport { readFile } from 'node:fs/promises';",
  );
  assert.equal(errors.length, 2, errors.join('\n'));
});

test('vscode-free files of the extension stay free of vscode; the others may use it', async () => {
  assert.equal((await layeringErrors('src/extension/audit/engineClient.ts', "import 'vscode';")).length, 1);
  assert.deepEqual(await layeringErrors('src/extension/commands.ts', "import 'vscode';"), []);
});
