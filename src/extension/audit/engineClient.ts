// Starts, talks to and stops the engine process (dist/engine.js). Deliberately free of `vscode`
// imports, so the unit tests fork the real engine through this very class.
import { fork, type ChildProcess } from 'node:child_process';
import {
  CancellationTokenSource,
  ErrorCodes,
  IPCMessageReader,
  IPCMessageWriter,
  ResponseError,
  createMessageConnection,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { AuditError } from '../../core/errors';
import type { AuditProgress } from '../../core/shared/types';
import {
  AuditRunRequest,
  DidLogNotification,
  DidProgressNotification,
  EngineErrorCodes,
  type AuditRunParams,
  type AuditRunResult,
  type EngineErrorData,
  type LogParams,
} from '../../protocol/engine';

/** Settings of an {@link EngineClient}. */
export interface EngineClientOptions {
  /** Absolute path of the engine script, normally `<extension>/dist/engine.js`. */
  readonly enginePath: string;
  /** Receives the engine's stdout/stderr lines and lifecycle events, for the output channel. */
  readonly log?: (line: string) => void;
  /** After a cancel, how long to wait for the engine to stop by itself before killing it. Default 3 000 ms. */
  readonly cancelGraceMs?: number;
}

/** Callbacks and cancellation of one {@link EngineClient.runAudit} call. */
export interface AuditRunEvents {
  /** Aborting stops the audit within a training batch; the call then rejects with AuditError('cancelled'). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: AuditProgress) => void;
  readonly onLog?: (log: LogParams) => void;
}

/**
 * The engine process ended while an audit was running (a crash, an out-of-memory kill...).
 * The message names the exit code or signal and ends with the last lines the engine wrote to stderr.
 */
export class EngineExitedError extends Error {
  override readonly name = 'EngineExitedError';

  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    /** The tail of the engine's stderr. */
    readonly stderr: string,
  ) {
    const how = signal ? `was killed (${signal})` : `exited with code ${exitCode}`;
    const detail = lastLines(stderr, 3);
    super(`The Label Audit engine process ${how} during the audit.${detail ? ` Its last output: ${detail}` : ''}`);
  }
}

/** How much of the engine's stderr to keep for crash messages. */
const STDERR_KEPT = 16_384;
/** How long {@link EngineClient.dispose} waits after SIGTERM before SIGKILL (vscode-jupyter's kernelProcess waits 1 s). */
const KILL_TIMEOUT_MS = 1_000;

/** A running engine process and its JSON-RPC connection. */
interface Engine {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  /** Settles once, when the process has exited. */
  readonly exited: Promise<EngineExitedError>;
  stderr: string;
}

/**
 * Owns the engine process: forks it on the first audit, reuses it for the next ones, turns its
 * replies into `AuditError`s and its death into an {@link EngineExitedError} (never a hang), and
 * kills it on {@link dispose}. One audit at a time.
 */
export class EngineClient {
  private engine: Engine | undefined;
  private current: AuditRunEvents | undefined;
  private disposed = false;

  constructor(private readonly options: EngineClientOptions) {}

  /** True while an audit runs. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Process id of the running engine, if one is running (for the log and for tests). */
  get pid(): number | undefined {
    return this.engine?.child.pid;
  }

  /**
   * Runs one audit in the engine process.
   * @returns The report path and headline figures.
   * @throws AuditError with the engine's reason ('cancelled' after `signal` aborts; 'notADataset',
   *   'tooFewClasses', 'backendUnavailable'... for bad input); {@link EngineExitedError} when the
   *   process dies; Error for a second concurrent call or an unexpected engine failure.
   */
  async runAudit(params: AuditRunParams, events: AuditRunEvents = {}): Promise<AuditRunResult> {
    if (this.disposed) throw new Error('The Label Audit engine has been shut down.');
    if (this.current) throw new Error('An audit is already running; wait for it to finish or cancel it.');
    if (events.signal?.aborted) throw new AuditError('cancelled', 'The audit was cancelled.');
    this.current = events;
    const cancellation = new CancellationTokenSource();
    let killTimer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const engine = this.start();
      const cancelled = new Promise<never>((_, reject) => {
        onAbort = () => {
          cancellation.cancel();
          // The engine stops within a batch; if it does not (stuck in native code), end it: every
          // file it writes is written atomically, so killing it leaves nothing half-written.
          killTimer = setTimeout(() => {
            this.options.log?.('engine: did not stop after the cancel request; killing it');
            this.kill(engine);
            reject(new AuditError('cancelled', 'The audit was cancelled.'));
          }, this.options.cancelGraceMs ?? 3_000);
        };
        events.signal?.addEventListener('abort', onAbort, { once: true });
      });
      const request = engine.connection
        .sendRequest(AuditRunRequest, params, cancellation.token)
        .catch(async (error: unknown) => {
          if (!isConnectionFailure(error)) throw toAuditError(error);
          // jsonrpc rejects pending requests as soon as the channel closes, before the process's
          // 'close' event: wait for that event, whose error says what happened to the engine.
          const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2_000).unref());
          throw (await Promise.race([engine.exited, timeout])) ?? error;
        });
      return await Promise.race([request, cancelled, engine.exited.then((error) => Promise.reject(error))]);
    } finally {
      clearTimeout(killTimer);
      if (onAbort) events.signal?.removeEventListener('abort', onAbort);
      cancellation.dispose();
      this.current = undefined;
    }
  }

  /** Stops the engine process: SIGTERM, then SIGKILL if it is still there after a second. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const engine = this.engine;
    if (engine) await this.stop(engine);
  }

  /** The running engine, forking a new one if there is none (first use, or after a crash). */
  private start(): Engine {
    if (this.engine) return this.engine;
    const log = this.options.log ?? (() => undefined);
    const child = fork(this.options.enginePath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Never inherit the host's --inspect flags: two processes cannot debug on one port. To debug
      // the engine itself, set LABEL_AUDIT_ENGINE_INSPECT=9231 and use the "Attach to engine
      // process" launch configuration.
      execArgv: process.env.LABEL_AUDIT_ENGINE_INSPECT ? [`--inspect=${process.env.LABEL_AUDIT_ENGINE_INSPECT}`] : [],
      // Inside the editor process.execPath is Electron; this makes it behave as plain Node
      // (vscode-languageclient does the same for its forked servers).
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    let resolveExited: (error: EngineExitedError) => void = () => undefined;
    const engine: Engine = {
      child,
      connection,
      exited: new Promise((resolve) => (resolveExited = resolve)),
      stderr: '',
    };
    forwardLines(child.stdout, log);
    forwardLines(child.stderr, (line) => {
      engine.stderr = (engine.stderr + line + '\n').slice(-STDERR_KEPT);
      log(line);
    });
    let ended = false;
    const end = (error: EngineExitedError) => {
      if (ended) return;
      ended = true;
      if (this.engine === engine) this.engine = undefined;
      connection.dispose();
      resolveExited(error);
    };
    // 'close', not 'exit': it comes after stderr has been read to the end, so the message has the last lines.
    child.on('close', (code, signal) => {
      log(`engine: process ${child.pid} ended (${signal ?? `exit code ${code}`})`);
      end(new EngineExitedError(code, signal, engine.stderr));
    });
    // 'error' without 'exit' means the process could not be started at all.
    child.on('error', (error) => end(new EngineExitedError(null, null, `${engine.stderr}${error.message}`)));
    connection.onNotification(DidProgressNotification, (progress) => this.current?.onProgress?.(progress));
    connection.onNotification(DidLogNotification, (params) => this.current?.onLog?.(params));
    // A connection error (e.g. a message that cannot be written) surfaces as the exit that follows it.
    connection.onError(([error]) => log(`engine: connection error: ${error.message}`));
    connection.listen();
    log(`engine: started process ${child.pid} (${this.options.enginePath})`);
    this.engine = engine;
    return engine;
  }

  private kill(engine: Engine): void {
    if (this.engine === engine) this.engine = undefined;
    void this.stop(engine);
  }

  private async stop(engine: Engine): Promise<void> {
    const { child } = engine;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, KILL_TIMEOUT_MS, 'timeout').unref());
    if ((await Promise.race([engine.exited, timeout])) === 'timeout') {
      child.kill('SIGKILL');
      await engine.exited;
    }
  }
}

/** True for the errors jsonrpc raises itself when the channel breaks (as opposed to the engine's replies). */
function isConnectionFailure(error: unknown): boolean {
  return (
    !(error instanceof ResponseError) ||
    error.code === ErrorCodes.PendingResponseRejected ||
    error.code === ErrorCodes.ConnectionInactive
  );
}

/** Rebuilds the engine's error on this side: an AuditError when it was one, else a readable Error. */
function toAuditError(error: unknown): Error {
  if (!(error instanceof ResponseError)) return error instanceof Error ? error : new Error(String(error));
  const data = error.data as EngineErrorData | undefined;
  if (error.code === EngineErrorCodes.cancelled || data?.reason === 'cancelled')
    return new AuditError('cancelled', 'The audit was cancelled.');
  if (data && data.reason !== 'internal') return new AuditError(data.reason, error.message, data.file);
  return Object.assign(new Error(error.message), data?.stack ? { stack: data.stack } : {});
}

/** Calls `onLine` for every complete line of a stream. */
function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  });
  stream.on('end', () => {
    if (pending.trim()) onLine(pending);
    pending = '';
  });
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}
