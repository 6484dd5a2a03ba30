import type { AuditErrorReason } from '../core/errors';
import type { ModelJob, ModelOutput } from '../core/training/modelRunner';
import type { EpochSummary, TrainProgress } from '../core/training/train';
import type { BackendPreference } from '../protocol/backends';

/** What a training worker is started with (`workerData`): one model's job. Pixels sit in a SharedArrayBuffer. */
export interface WorkerSetup extends ModelJob {
  readonly backend: BackendPreference;
  /**
   * True when `auto` chose `backend` on the engine's thread: the worker then starts it as `auto`
   * accepts it (tfjs-node-gpu without a CUDA GPU runs on the CPU) and falls back as `auto` would.
   */
  readonly chosenByAuto: boolean;
  /** Where to look for tfjs-node(-gpu) (ChooseBackendOptions.nativeFolders). */
  readonly nativeFolders: readonly string[];
}

/** Messages from a training worker to the engine. */
export type WorkerReply =
  | { readonly type: 'batch'; readonly progress: TrainProgress }
  | { readonly type: 'epoch'; readonly summary: EpochSummary }
  | { readonly type: 'done'; readonly output: ModelOutput }
  | { readonly type: 'error'; readonly reason?: AuditErrorReason; readonly message: string; readonly stack?: string };
