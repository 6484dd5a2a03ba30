import type { AuditErrorReason } from '../core/errors';
import type { ModelJob, ModelOutput } from '../core/training/modelRunner';
import type { EpochSummary, TrainProgress } from '../core/training/train';
import type { BackendPreference } from '../protocol/backends';

/** What a training worker is started with (`workerData`): one model's job. Pixels sit in a SharedArrayBuffer. */
export interface WorkerSetup extends ModelJob {
  readonly backend: BackendPreference;
  /** Where to look for tfjs-node(-gpu) (ChooseBackendOptions.nativeFolders). */
  readonly nativeFolders: readonly string[];
}

/** Messages from a training worker to the engine. */
export type WorkerReply =
  | { readonly type: 'batch'; readonly progress: TrainProgress }
  | { readonly type: 'epoch'; readonly summary: EpochSummary }
  | { readonly type: 'done'; readonly output: ModelOutput }
  | { readonly type: 'error'; readonly reason?: AuditErrorReason; readonly message: string; readonly stack?: string };
