// A Node child run to completion, for the benches that time a whole process or read its peak memory
// (test/helpers/peakRss.mjs preloaded with LABEL_AUDIT_PEAK_RSS_FILE set).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(__dirname, '..');

/** Runs `node <args>` in the repo with `env` added; resolves with its exit code, wall time and output. */
export function runNode(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; seconds: number; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - started) / 1000, stdout, stderr }));
  });
}
