// Runs every *.test.ts below the given folders or the given files (default: test/) with Node's built-in test runner.
// Node 20's `--test` only discovers .js files by itself, so we list the TypeScript files here and
// let tsx compile them on the fly.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * No single test may run longer than this: a test that waits forever (a page that never shows what it
 * waits for) fails with its name instead of holding CI until its own limit.
 */
const TEST_TIMEOUT_MS = 15 * 60_000;

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['test']).flatMap(findTests).sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ') || 'test'}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    ...files.map((f) => relative(process.cwd(), f)),
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
