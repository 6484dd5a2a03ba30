import type { AuditErrorReason } from '../core/errors';
import type { ModelOutput } from '../core/modelRunner';
import type { EpochSummary, TrainConfig, TrainProgress } from '../core/train';
import type { ImageSet } from '../core/types';
import type { BackendPreference } from './backend';

/** What a training worker is started with (`workerData`). Pixels sit in a SharedArrayBuffer. */
export interface WorkerSetup {
  readonly backend: BackendPreference;
  readonly images: ImageSet;
  readonly labels: Int32Array;
  readonly numClasses: number;
  readonly config: TrainConfig;
  readonly evalImages?: ImageSet;
}

/** Messages from a training worker to the engine. */
export type WorkerReply =
  | { readonly type: 'batch'; readonly progress: TrainProgress }
  | { readonly type: 'epoch'; readonly summary: EpochSummary }
  | { readonly type: 'done'; readonly output: ModelOutput }
  | { readonly type: 'error'; readonly reason?: AuditErrorReason; readonly message: string; readonly stack?: string };
