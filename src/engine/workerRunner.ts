import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditError, throwIfAborted } from '../core/errors';
import type { ModelJobEvents, ModelOutput, ModelRunner } from '../core/training/modelRunner';
import type { ImageSet } from '../core/shared/types';
import type { BackendPreference } from '../protocol/backends';
import type { BackendChoice } from './backend';
import type { WorkerReply, WorkerSetup } from './workerProtocol';

/**
 * A {@link ModelRunner} that trains each model on its own worker thread with the given backend.
 * The pixels are copied once into a SharedArrayBuffer that every worker reads without copying
 * (cross-fitting folds included: they select rows, they do not copy images).
 * At most `concurrency` workers run at once (default: one per core, at least two): the wasm
 * backend uses one core per worker, so more would only share the cores and hold more memory;
 * the other jobs wait their turn.
 * On webgpu each worker opens its own WebGPU device (tfjs keeps one engine per thread); the
 * alternative, both models on one device in one thread, is measured by `npm run bench:gpu`
 * (docs/backends.md).
 * Cancelling terminates the worker at once: it writes no files, so nothing is left half-done.
 */
export function workerModelRunner(
  backend: BackendPreference | Pick<BackendChoice, 'started' | 'preference'>,
  { concurrency = Math.max(2, availableParallelism()), nativeFolders = [] as readonly string[] } = {},
): ModelRunner {
  // Given this thread's choice, the workers start what it started (WorkerSetup.chosenByAuto).
  const [name, chosenByAuto] =
    typeof backend === 'string' ? [backend, false] : [backend.started, backend.preference === 'auto'];
  const shared = new WeakMap<ImageSet, ImageSet>();
  const slots = new Slots(concurrency);
  return async (job, events) => {
    let images = shared.get(job.images);
    if (!images) {
      images = toShared(job.images);
      shared.set(job.images, images);
    }
    const release = await slots.acquire(events.signal);
    try {
      return await runInWorker({ ...job, backend: name, nativeFolders, chosenByAuto, images }, events);
    } finally {
      release();
    }
  };
}

/** A counting semaphore: `acquire` resolves to a release function once a slot is free. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(count: number) {
    this.free = count;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // Hand the slot straight to the next job in line, or give it back.
      if (next) next();
      else this.free++;
    };
    if (signal?.aborted) {
      release();
      throwIfAborted(signal);
    }
    return release;
  }
}

function runInWorker(setup: WorkerSetup, events: ModelJobEvents): Promise<ModelOutput> {
  throwIfAborted(events.signal);
  return new Promise<ModelOutput>((resolve, reject) => {
    const worker = startWorker(setup);
    let settled = false;
    const finish = (error: unknown, output?: ModelOutput) => {
      if (settled) return;
      settled = true;
      events.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (output) resolve(output);
      else reject(error);
    };
    const onAbort = () => finish(new AuditError('cancelled', 'The audit was cancelled.'));
    events.signal?.addEventListener('abort', onAbort);
    worker.on('message', (reply: WorkerReply) => {
      switch (reply.type) {
        case 'batch':
          events.onBatch?.(reply.progress);
          break;
        case 'epoch':
          events.onEpoch?.(reply.summary);
          break;
        case 'done':
          finish(undefined, reply.output);
          break;
        case 'error':
          finish(
            reply.reason
              ? new AuditError(reply.reason, reply.message)
              : Object.assign(new Error(reply.message), { stack: reply.stack }),
          );
          break;
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(new Error(`The training worker stopped unexpectedly (exit code ${code}).`)));
  });
}

/** Starts the worker script next to this file: the bundled .js in dist/, or the .ts source. */
function startWorker(setup: WorkerSetup): Worker {
  const bundled = join(__dirname, 'trainWorker.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData: setup });
  // Running from sources (tests, benchmarks): Node 20 workers do not inherit tsx's loader hooks,
  // so the worker registers tsx itself before loading the TypeScript entry.
  const source = join(__dirname, 'trainWorker.ts');
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, {
    eval: true,
    workerData: setup,
  });
}

function toShared(images: ImageSet): ImageSet {
  if (images.pixels.buffer instanceof SharedArrayBuffer) return images;
  const pixels = new Uint8Array(new SharedArrayBuffer(images.pixels.byteLength));
  pixels.set(images.pixels);
  return { ...images, pixels };
}
