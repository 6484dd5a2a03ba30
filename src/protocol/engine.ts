// The one contract between the extension host (src/extension/audit/engineClient.ts) and the forked engine
// process (src/engine/main.ts), spoken over vscode-jsonrpc on the fork's IPC channel.
// Types and message declarations only: no behaviour lives here.
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { AuditErrorReason } from '../core/errors';
import type { AuditOptionsInput } from '../core/options';
import type { AuditProgress } from '../core/shared/types';
import type { BackendPreference } from './backends';

/** The TensorFlow.js backends a user can ask for (the `labelAudit.backend` setting; see `BACKENDS`). */
export type EngineBackend = BackendPreference;

/** Parameters of {@link AuditRunRequest}. */
export interface AuditRunParams {
  /** A folder-per-class dataset, a folder holding a manifest, or a CSV/JSON manifest (absolute path). */
  readonly datasetPath: string;
  /** Audit settings; anything left out takes its default from `DEFAULT_AUDIT_OPTIONS`. */
  readonly options: AuditOptionsInput;
  readonly backend: EngineBackend;
  /**
   * npm prefix folders that may hold @tensorflow/tfjs-node(-gpu), searched in order before the
   * engine's own node_modules: the `labelAudit.nativeTensorflowFolder` setting, then where
   * "Label Audit: Install Native TensorFlow" installed it (the extension's global storage).
   */
  readonly nativeFolders?: readonly string[];
}

/** A few headline figures of a finished audit, so the host need not read the report to say them. */
export interface AuditRunSummary {
  /** Absolute path of the dataset root (the folder that holds `.label-audit/`). */
  readonly datasetRoot: string;
  /** The backend that trained the models ('wasm', 'cpu', 'tensorflow'). */
  readonly backend: string;
  /** Images audited. */
  readonly audited: number;
  /** Entries skipped (unreadable images, unknown labels...), listed in the report. */
  readonly skipped: number;
  /** Samples flagged as likely mislabeled, and their share of the audited ones. */
  readonly flagged: number;
  readonly flagRate: number;
  /** Wall-clock time of the audit in seconds. */
  readonly seconds: number;
}

/** Result of {@link AuditRunRequest}. */
export interface AuditRunResult {
  /** Absolute path of the report written (`<root>/.label-audit/report.json`). */
  readonly reportPath: string;
  readonly summary: AuditRunSummary;
}

/**
 * Error codes of failed requests (JSON-RPC leaves -32000..-32099 to the application).
 * A cancelled audit uses LSP's RequestCancelled code, which every JSON-RPC tool knows.
 */
export const EngineErrorCodes = {
  /** The audit stopped with an `AuditError`; `data.reason` says which. */
  auditError: -32001,
  /** The audit was cancelled; nothing was written. */
  cancelled: -32800,
} as const;

/** The `data` of a `ResponseError` from the engine: enough to rebuild the `AuditError` on the host. */
export interface EngineErrorData {
  /** The AuditError reason, or 'internal' for an unexpected failure (a bug). */
  readonly reason: AuditErrorReason | 'internal';
  /** The file the problem is about, when there is one. */
  readonly file?: string;
  /** Stack of an unexpected failure, for the log. */
  readonly stack?: string;
}

/**
 * Runs one audit and writes its report. Cancel it with the request's CancellationToken
 * (`$/cancelRequest`): the engine then stops within one training batch and rejects with
 * {@link EngineErrorCodes.cancelled}, leaving no report or partial file. One audit at a time.
 */
export const AuditRunRequest = new RequestType<AuditRunParams, AuditRunResult, EngineErrorData>('audit/run');

/** Progress of the running audit: phase, epochs, ETA, and an optional log line in `message`. Throttled. */
export const DidProgressNotification = new NotificationType<AuditProgress>('audit/didProgress');

/** One line for the "Label Audit" output channel (backend chosen and why, warnings). */
export interface LogParams {
  readonly line: string;
  readonly level: 'info' | 'warning' | 'error';
}

/** A log line from the engine that is not tied to progress. */
export const DidLogNotification = new NotificationType<LogParams>('audit/didLog');
