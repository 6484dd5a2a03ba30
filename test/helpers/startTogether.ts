import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './repo';

/**
 * Starting test processes at the same moment, for the concurrency tests: tsx takes seconds to start
 * when the machine is loaded, so a start time fixed in advance is often already past. Each child
 * prepares, says `ready` on stdout and waits ({@link waitForGo}); when every child is ready the
 * parent writes the go file with a start time just ahead.
 */

/**
 * Runs `node --import tsx <script> <go file> ...args` once per entry of `argsPerChild`, releases
 * them together, and resolves to each child's stdout after `ready`.
 * @throws when a child exits with a non-zero code (its stderr in the message).
 */
export async function runTogether(script: string, argsPerChild: readonly (readonly string[])[]): Promise<string[]> {
  const folder = await mkdtemp(join(tmpdir(), 'label-audit-go-'));
  const goFile = join(folder, 'go');
  try {
    let ready = 0;
    let release: () => void = () => undefined;
    const allReady = new Promise<void>((done) => (release = done));
    const children = argsPerChild.map(
      (args) =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, goFile, ...args], { cwd: REPO });
          let stdout = '';
          let stderr = '';
          let said = false;
          child.stdout.on('data', (chunk: Buffer) => {
            stdout += chunk.toString();
            if (!said && stdout.startsWith('ready\n')) {
              said = true;
              if (++ready === argsPerChild.length) release();
            }
          });
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.on('error', reject);
          child.on('close', (code) => {
            if (!said && ++ready === argsPerChild.length) release();
            if (code === 0) resolve(stdout.replace(/^ready\n/, ''));
            else reject(new Error(`${script} ${args.join(' ')} exited with ${code}: ${stderr}`));
          });
        }),
    );
    await allReady;
    await writeFile(goFile, String(Date.now() + 200));
    return await Promise.all(children);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** In a child of {@link runTogether}: says ready, waits for the go file, and resolves to the start time (ms). */
export async function waitForGo(goFile: string): Promise<number> {
  process.stdout.write('ready\n');
  for (;;) {
    const text = await readFile(goFile, 'utf8').catch(() => '');
    if (text !== '') {
      const start = Number(text);
      await new Promise((go) => setTimeout(go, Math.max(0, start - Date.now())));
      return start;
    }
    await new Promise((go) => setTimeout(go, 5));
  }
}
