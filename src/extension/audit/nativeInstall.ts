// Installs native TensorFlow (@tensorflow/tfjs-node or -gpu) with npm into a folder the engine then
// loads it from (src/engine/optionalPackage.ts). Free of `vscode` imports (unit-tested): the command
// in nativeInstallCommand.ts adds the quick pick, the progress notification and the output channel.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { version as TFJS_VERSION } from '@tensorflow/tfjs-core/package.json';

/** The two native builds: CUDA on an NVIDIA GPU, or the CPU. */
export type NativeVariant = 'cuda' | 'cpu';

/** Each variant's package, pinned to the tfjs version label-audit is built with (they must match). */
export const NATIVE_PACKAGES: Record<NativeVariant, { readonly name: string; readonly version: string }> = {
  cuda: { name: '@tensorflow/tfjs-node-gpu', version: TFJS_VERSION },
  cpu: { name: '@tensorflow/tfjs-node', version: TFJS_VERSION },
};

/** A failed install: `message` says what failed and what to do; `log` holds npm's output. */
export class NativeInstallError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
    this.name = 'NativeInstallError';
  }
}

export interface NativeInstallOptions {
  readonly variant: NativeVariant;
  /** The npm prefix to install into (created when missing); the engine looks in `<prefix>/node_modules`. */
  readonly prefix: string;
  /** The npm executable; default: the first `npm` on PATH ({@link findNpm}). */
  readonly npm?: string;
  /** Extra arguments for `npm install` (tests: `--registry`, `--ignore-scripts`). */
  readonly npmArgs?: readonly string[];
  /** Receives npm's output line by line, then the check's result. */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Extra environment for npm and the load check. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The first `npm` on PATH (`npm.cmd` on Windows), or undefined. VS Code runs on Electron, which has
 * no npm of its own, so a Node.js installation is needed.
 */
export function findNpm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? ['npm.cmd', 'npm.exe', 'npm'] : ['npm'];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    for (const name of names) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/**
 * Runs `npm install <package>@<version> --prefix <prefix>`, then loads the package in a separate
 * Node process to check that its native part works (npm can succeed while the install script that
 * downloads libtensorflow was skipped or failed).
 *
 * @returns the prefix folder, ready for the engine.
 * @throws NativeInstallError whose message says what failed (npm missing, offline, install scripts
 *   refused, libtensorflow or CUDA missing) and what to do.
 */
export async function installNativeTensorflow(options: NativeInstallOptions): Promise<string> {
  const { name, version } = NATIVE_PACKAGES[options.variant];
  const log = options.log ?? (() => undefined);
  const env = { ...process.env, ...options.env };
  const npm = options.npm ?? findNpm(env);
  if (npm === undefined) {
    throw new NativeInstallError(
      `npm was not found on PATH, so ${name} cannot be installed. Install Node.js (it includes npm) and try again, or ` +
        `install it elsewhere (\`npm install --prefix <folder> ${name}@${version}\`) and set labelAudit.nativeTensorflowFolder to that folder.`,
      '',
    );
  }
  await mkdir(options.prefix, { recursive: true });
  const args = [
    'install',
    `${name}@${version}`,
    '--prefix',
    options.prefix,
    '--no-audit',
    '--no-fund',
    // Show the install script's own output (the libtensorflow download) in the log.
    '--foreground-scripts',
    ...(options.npmArgs ?? []),
  ];
  log(`${npm} ${args.join(' ')}`);
  const { code, output } = await run(npm, args, env, log, options.signal);
  if (code !== 0) throw new NativeInstallError(explainNpmFailure(name, version, code, output), output);
  const loadError = await loadCheck(options.prefix, name, env);
  if (loadError !== undefined) {
    log(loadError);
    throw new NativeInstallError(explainLoadFailure(name, options.prefix, loadError), output + loadError);
  }
  log(`${name}@${version} installed in ${options.prefix} and loads.`);
  return options.prefix;
}

/** What to tell the user when npm itself failed. */
export function explainNpmFailure(name: string, version: string, code: number | null, output: string): string {
  const offline = /\b(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|ENETUNREACH|EHOSTUNREACH)\b/.exec(output);
  if (offline) {
    return (
      `npm could not reach the package registry (${offline[1]}): this machine looks offline. On a machine with internet access run ` +
      `\`npm install --prefix <folder> ${name}@${version}\`, copy <folder> here and set labelAudit.nativeTensorflowFolder to it.`
    );
  }
  if (/install scripts?|allowScripts|ignore-scripts/i.test(output) && /skip|not allowed|refus/i.test(output)) {
    return (
      `npm refused to run ${name}'s install script, which downloads libtensorflow. Allow it (npm 11: \`npm install-scripts approve ${name}\` ` +
      `in the folder, or an allowScripts entry) and try again.`
    );
  }
  const last = output.trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'no output';
  return `npm install ${name}@${version} failed (exit code ${code}): ${last}. The "Label Audit" output channel has npm's full log.`;
}

/** What to tell the user when the package installed but does not load. */
export function explainLoadFailure(name: string, prefix: string, error: string): string {
  if (/libcuda|libcudart|libcudnn|libcublas|cuda/i.test(error)) {
    return (
      `${name} installed in ${prefix} but cannot find CUDA (${error}). Install the NVIDIA driver and the CUDA and cuDNN versions ` +
      `${name}'s README lists, or install the CPU build instead.`
    );
  }
  if (/tfjs_binding\.node|libtensorflow/i.test(error)) {
    return (
      `${name} installed in ${prefix} but its native part is missing (${error}). Its install script, which downloads libtensorflow, ` +
      `did not run or failed: npm 11 skips install scripts it was not allowed to run, and the download needs internet access. ` +
      `Run \`npm rebuild ${name}\` in ${prefix} with internet access, or choose the wasm or webgpu backend.`
    );
  }
  return `${name} installed in ${prefix} but fails to load: ${error}`;
}

/** Runs npm, streaming its output lines to `log`; resolves with its exit code and whole output. */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // npm.cmd is a batch file: Windows runs it only through a shell.
    const child = spawn(command, args, { env, signal, shell: process.platform === 'win32', windowsHide: true });
    let output = '';
    let pending = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      const lines = (pending + text).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending.trim()) log(pending);
      resolve({ code, output });
    });
  });
}

/** Loads the package from `prefix` in a plain Node process; returns the error's first line, if any. */
async function loadCheck(prefix: string, name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const script = `require(require.resolve(${JSON.stringify(name)}, { paths: [${JSON.stringify(prefix)}] }))`;
  try {
    // In the editor process.execPath is Electron; ELECTRON_RUN_AS_NODE makes it plain Node.
    await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
      timeout: 120_000,
    });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    // Node prints the throwing source line first; the "Error: ..." line is the message.
    const lines = stderr.split('\n').map((l) => l.trim());
    const line = lines.find((l) => /^\w*Error:/.test(l)) ?? lines.find((l) => l.length > 0);
    return line ?? 'unknown error';
  }
}
