// The engine process: forked by the extension (src/extension/audit/engineClient.ts), bundled to
// dist/engine.js. It serves `audit/run` over vscode-jsonrpc on the fork's IPC channel, so the heavy
// work (decoding, training on worker threads, scoring) never runs in the extension host.
import { dirname } from 'node:path';
import {
  type CancellationToken,
  ErrorCodes,
  IPCMessageReader,
  IPCMessageWriter,
  ResponseError,
  createMessageConnection,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { runAudit } from '../core/audit';
import { AuditError, isCancellation } from '../core/errors';
import {
  AuditRunRequest,
  DidLogNotification,
  DidProgressNotification,
  EngineErrorCodes,
  type AuditRunParams,
  type AuditRunResult,
  type EngineErrorData,
} from '../protocol/engine';
import { chooseAuditBackend } from './backend';
import { workerModelRunner } from './workerRunner';

/**
 * Registers the engine's request handlers on `connection` (does not start listening).
 * Exported so a test can serve the engine over an in-memory connection if it ever needs to.
 */
export function serveEngine(connection: MessageConnection): void {
  let running = false;
  const log = (line: string, level: 'info' | 'warning' | 'error' = 'info') =>
    void connection.sendNotification(DidLogNotification, { line, level });

  connection.onRequest(
    AuditRunRequest,
    async (params, token): Promise<AuditRunResult | ResponseError<EngineErrorData>> => {
      // The host runs one audit at a time; two at once would fight over the same cores and files.
      if (running)
        return new ResponseError(ErrorCodes.InvalidRequest, 'An audit is already running in this engine process.', {
          reason: 'internal',
        });
      running = true;
      try {
        return await audit(params, token, connection, log);
      } catch (error) {
        return toResponseError(error);
      } finally {
        running = false;
      }
    },
  );
}

async function audit(
  params: AuditRunParams,
  token: CancellationToken,
  connection: MessageConnection,
  log: (line: string, level?: 'info' | 'warning' | 'error') => void,
): Promise<AuditRunResult> {
  // Core code speaks AbortSignal; jsonrpc's $/cancelRequest arrives as a CancellationToken.
  const controller = new AbortController();
  const subscription = token.onCancellationRequested(() => controller.abort());
  try {
    // chooseBackend logs each backend it tries; its success line would repeat the reason logged below.
    const nativeFolders = params.nativeFolders ?? [];
    const backend = await chooseAuditBackend(params.backend, {
      nativeFolders,
      log: (line) => line.startsWith('backend: ') || log(line),
    });
    log(`backend: ${backend.reason}`);
    const started = performance.now();
    const { report, reportPath } = await runAudit(
      params.datasetPath,
      { ...params.options, backend: backend.name },
      {
        signal: controller.signal,
        // runAudit's ProgressTracker already throttles to a few updates a second; log lines always pass.
        onProgress: (progress) => void connection.sendNotification(DidProgressNotification, progress),
        runner: workerModelRunner(backend, { nativeFolders }),
      },
    );
    return {
      reportPath,
      summary: {
        datasetRoot: report.dataset.root,
        backend: report.settings.backend,
        audited: report.dataset.audited,
        skipped: report.skipped.length,
        flagged: report.summary.flagged,
        flagRate: report.summary.flagRate,
        seconds: (performance.now() - started) / 1000,
      },
    };
  } finally {
    subscription.dispose();
  }
}

/** Carries an error across the channel with enough detail for the host to rebuild the AuditError. */
function toResponseError(error: unknown): ResponseError<EngineErrorData> {
  if (isCancellation(error))
    return new ResponseError(EngineErrorCodes.cancelled, 'The audit was cancelled; no report was written.', {
      reason: 'cancelled',
    });
  if (error instanceof AuditError) {
    return new ResponseError(EngineErrorCodes.auditError, error.message, {
      reason: error.reason,
      ...(error.file ? { file: error.file } : {}),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  return new ResponseError(ErrorCodes.InternalError, `The audit failed unexpectedly: ${message}`, {
    reason: 'internal',
    ...(stack ? { stack } : {}),
  });
}

/** Starts serving on the IPC channel of a forked process. */
function main(): void {
  if (typeof process.send !== 'function') {
    process.stderr.write(
      `${dirname(__filename)}: the engine must be started with child_process.fork (it talks over the IPC channel).\n`,
    );
    process.exit(2);
  }
  const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
  serveEngine(connection);
  // Without its parent the engine has no one to report to: stop, even mid-audit (writes are atomic).
  process.on('disconnect', () => process.exit(0));
  connection.onClose(() => process.exit(0));
  connection.listen();
}

if (require.main === module) main();
