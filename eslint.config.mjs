// Lint: typescript-eslint's recommended rules, plus the layering of the codebase as import zones
// (what each layer may import, with the reason in each message). `npm run lint` runs it with
// zero warnings allowed; CI runs it before the tests.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** `vscode` exists only inside the extension host: anywhere else the import fails at run time. */
const noVscode = (why) => ({ name: 'vscode', message: `No vscode here: ${why}` });

/**
 * The files of src/extension that do not touch the VS Code API: they are unit-tested under plain
 * Node (and the engine test drives engineClient), so they must stay free of `vscode`.
 */
const VSCODE_FREE_EXTENSION_FILES = [
  'src/extension/dispose.ts',
  'src/extension/commandIds.ts',
  'src/extension/audit/auditSettings.ts',
  'src/extension/audit/datasetDiscovery.ts',
  'src/extension/audit/engineClient.ts',
  'src/extension/audit/nativeInstall.ts',
  'src/extension/audit/ownModelChoice.ts',
  'src/extension/audit/progressNotification.ts',
  'src/extension/export/exportFlow.ts',
  'src/extension/findings/findings.ts',
  'src/extension/findings/manifestCells.ts',
  'src/extension/review/healthView.ts',
  'src/extension/review/mapView.ts',
  'src/extension/review/recordDecisions.ts',
  'src/extension/review/reviewContent.ts',
  'src/extension/review/reviewHtml.ts',
  'src/extension/review/sharedDecisionStores.ts',
  'src/extension/review/reviewSession.ts',
  'src/extension/review/swapMatrix.ts',
  'src/extension/review/thumbnailCache.ts',
  'src/extension/review/thumbnailRequests.ts',
  'src/extension/review/userModelView.ts',
];

/** Import zones: files under `target` may not import from `from` (paths resolved, not matched as text). */
const zones = [
  {
    target: './src/core',
    from: ['./src/engine', './src/cli', './src/extension', './src/protocol', './webview'],
    message:
      'src/core is the engine library: the CLI, the engine process, tests and benchmarks use it without an editor, so it imports no outer layer.',
  },
  {
    target: './src/core/shared',
    from: './src/core',
    except: ['./shared'],
    message:
      'src/core/shared is bundled into the browser webview: it may import only its own files (no Node, no other core folder).',
  },
  {
    target: './src/core/health',
    from: ['./src/core/review', './src/core/export', './src/core/userModel'],
    message:
      'core/health measures the dataset from what the audit hands it (pixels, sizes, duplicate groups, embeddings): it never depends on review decisions, exports or how the user files were read.',
  },
  {
    target: './src/protocol',
    from: ['./src/engine', './src/cli', './src/extension', './webview'],
    message: 'src/protocol is the contract between the layers: types and message schemas only, owned by no side.',
  },
  {
    target: './src/engine',
    from: ['./src/cli', './src/extension', './webview'],
    message: 'src/engine runs in the forked engine process and worker threads: no editor code, no CLI.',
  },
  {
    target: './src/cli',
    from: ['./src/extension', './webview'],
    message: 'the CLI runs headless: it uses the engine and core, never editor or webview code.',
  },
  {
    target: './webview',
    from: './src',
    except: ['./protocol', './core/shared'],
    message:
      'the webview runs in a browser sandbox and talks to the host only through messages: it imports only src/protocol and src/core/shared.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tools/**',
      '.package/**',
      'vsix/**',
      'test-output/**',
      'bench-output/**',
      'sample-data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
    },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/first': 'error',
      'import-x/no-duplicates': 'error',
      'import-x/no-default-export': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**', 'src/engine/**', 'src/cli/**', 'src/protocol/**', ...VSCODE_FREE_EXTENSION_FILES],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode('this code runs outside the extension host (CLI, engine process, unit tests).')] },
      ],
    },
  },
  {
    files: ['webview/**', 'src/core/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode('the webview talks to the host through postMessage only.')],
          patterns: [
            { regex: '^node:', message: 'Browser code: no Node built-ins (the webview bundle runs in Chromium).' },
          ],
        },
      ],
    },
  },
  {
    // Config files are loaded by their tools, which expect a default export.
    files: ['eslint.config.mjs'],
    rules: { 'import-x/no-default-export': 'off' },
  },
  {
    // Plain Node scripts and page scripts written in JavaScript.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        window: 'readonly',
        document: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
