/**
 * Why an audit could not go on. Callers branch on `reason`, never on message text.
 * Fatal reasons stop the audit before any training; skippable problems with single files
 * are not errors at all but {@link InputIssue}s listed in the report.
 */
export type AuditErrorReason =
  /** The dataset path does not exist. */
  | 'pathNotFound'
  /** The path exists but holds no dataset: no class folders with images, no (single, readable) label file. */
  | 'notADataset'
  | 'manifestMalformed'
  | 'tooFewClasses'
  | 'tooFewSamples'
  | 'decodeFailed'
  | 'backendUnavailable'
  | 'badOption'
  | 'reportMissing'
  | 'reportMalformed'
  | 'decisionsMalformed'
  /** A --pred-probs, --embeddings, paths or classes file that cannot be used (named in the message). */
  | 'modelOutputsMalformed'
  | 'exportExists'
  | 'outputNotWritable'
  /** Another label-audit holds the lock of the file to write (two exports at once, a stuck lock). */
  | 'busy'
  | 'cancelled';

export class AuditError extends Error {
  override readonly name = 'AuditError';

  constructor(
    readonly reason: AuditErrorReason,
    message: string,
    /** The file the problem is about, when there is one. */
    readonly file?: string,
  ) {
    super(message);
  }

  /** True when `error` is an AuditError, optionally of the given reason. */
  static is(error: unknown, reason?: AuditErrorReason): error is AuditError {
    return error instanceof AuditError && (reason === undefined || error.reason === reason);
  }
}

/** Throws the standard cancellation error if `signal` has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AuditError('cancelled', 'The audit was cancelled.');
}

/** True for the error that a cancelled audit rejects with. */
export function isCancellation(error: unknown): boolean {
  return AuditError.is(error, 'cancelled');
}
