/**
 * A real VS Code for the end-to-end tests: code-server on a free loopback port, with its own
 * temporary user-data, extensions and workspace folders, label-audit.vsix installed, and a copy of
 * the sample dataset in the workspace. Everything is removed again by `stop()`; the server log is
 * kept under test-output/e2e/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CODE_SERVER, NODE24, OUTPUT_DIR, VSIX } from './environment';
import { copySampleDigits, SAMPLE_DIGITS } from '../helpers/repo';

/** The sample dataset copied into every workspace as `digits/`. */
export { SAMPLE_DIGITS };

/**
 * User settings of every test server: a quiet, predictable workbench (no chat, tips or update
 * checks) and a short audit, because these tests check the editor integration, not detection quality.
 */
export const BASE_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  'labelAudit.epochs': 3,
};

/** A running code-server and the folders it uses. */
export interface CodeServer {
  /** The workbench URL with the workspace opened. */
  readonly url: string;
  /** The workspace folder (holds `digits/`, a copy of the sample dataset). */
  readonly workspace: string;
  /** The user-data folder (settings, logs). */
  readonly userDataDir: string;
  /** The user settings file (written before the start; change it later with Workbench.editUserSettings). */
  readonly settingsFile: string;
  /** The text of the extension's "Label Audit" output channel, as the editor logged it to disk. */
  outputChannelLog(): Promise<string>;
  /** Stops the server and every process it started (extension host, engine), and removes the folders. */
  stop(): Promise<void>;
}

/** How to start a server. */
export interface StartOptions {
  /** Names the server log in test-output/e2e/ (`<name>-server.log`). */
  readonly name: string;
  /** Settings on top of BASE_SETTINGS. */
  readonly settings?: Record<string, unknown>;
  /** Adds more files to the workspace before the editor opens it. */
  readonly prepareWorkspace?: (workspace: string) => Promise<void>;
}

/** Installs label-audit.vsix into a fresh profile and starts code-server on it. */
export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const root = await mkdtemp(join(tmpdir(), 'label-audit-e2e-'));
  const userDataDir = join(root, 'user');
  const extensionsDir = join(root, 'extensions');
  const workspace = join(root, 'workspace');
  await mkdir(join(userDataDir, 'User'), { recursive: true });
  await mkdir(workspace, { recursive: true });
  await copySampleDigits(join(workspace, 'digits'));
  await options.prepareWorkspace?.(workspace);
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  await writeFile(settingsFile, JSON.stringify({ ...BASE_SETTINGS, ...options.settings }, null, 2));
  // Keeps code-server from reading or writing ~/.config/code-server and ~/.local/share/code-server.
  const env = {
    ...process.env,
    PATH: `${dirname(NODE24)}:${process.env.PATH ?? ''}`,
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
  };
  const common = [
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--config',
    join(root, 'config.yaml'),
  ];

  const install = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', VSIX], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (install.status !== 0 || !/successfully installed/i.test(install.stdout)) {
    await rm(root, { recursive: true, force: true });
    throw new Error(
      `code-server --install-extension ${VSIX} failed (exit ${install.status}):\n${install.stdout}\n${install.stderr}`,
    );
  }

  const port = await freePort();
  await mkdir(OUTPUT_DIR, { recursive: true });
  const log = createWriteStream(join(OUTPUT_DIR, `${options.name}-server.log`));
  const server = spawn(
    NODE24,
    [
      CODE_SERVER,
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-workspace-trust',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ],
    // Its own process group, so stop() also reaches the extension host and the engine it forks.
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));

  const stop = async () => {
    await killGroup(server, exited);
    log.end();
    await rm(root, { recursive: true, force: true });
  };
  try {
    await waitForHealth(port, exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`,
    workspace,
    userDataDir,
    settingsFile,
    outputChannelLog: () => readChannelLog(userDataDir),
    stop,
  };
}

/** A TCP port nobody listens on right now, on the loopback interface. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not get a free port');
  return address.port;
}

async function waitForHealth(port: number, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`code-server exited during startup; see ${OUTPUT_DIR}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer on port ${port} within 60 s`);
}

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // The group is already gone.
    }
  };
  signalGroup('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') signalGroup('SIGKILL');
  // Children that outlived the server (the engine process) go with the group too.
  signalGroup('SIGKILL');
}

/**
 * The output channel's log file: `<user-data>/logs/<session>/exthost<n>/label-audit.label-audit/Label Audit.log`.
 * After a window reload there is one per extension host; they are joined oldest first.
 */
async function readChannelLog(userDataDir: string): Promise<string> {
  const logs = join(userDataDir, 'logs');
  const found: string[] = [];
  for (const session of (await readdir(logs).catch(() => [])).sort()) {
    for (const host of (await readdir(join(logs, session)).catch(() => [])).sort()) {
      found.push(join(logs, session, host, 'label-audit.label-audit', 'Label Audit.log'));
    }
  }
  const texts = await Promise.all(found.map((file) => readFile(file, 'utf8').catch(() => '')));
  return texts.join('');
}
