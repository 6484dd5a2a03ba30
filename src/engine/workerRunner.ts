import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditError, throwIfAborted } from '../core/errors';
import type { ModelJobEvents, ModelOutput, ModelRunner } from '../core/modelRunner';
import type { ImageSet } from '../core/types';
import type { BackendPreference } from './backend';
import type { WorkerReply, WorkerSetup } from './workerProtocol';

/**
 * A {@link ModelRunner} that trains each model on its own worker thread with the given backend.
 * The pixels are copied once into a SharedArrayBuffer that both workers read without copying.
 * Cancelling terminates the worker at once: it writes no files, so nothing is left half-done.
 */
export function workerModelRunner(backend: BackendPreference): ModelRunner {
  const shared = new WeakMap<ImageSet, ImageSet>();
  return (job, events) => {
    let images = shared.get(job.images);
    if (!images) {
      images = toShared(job.images);
      shared.set(job.images, images);
    }
    return runInWorker({ backend, images, labels: job.labels, numClasses: job.numClasses, config: job.config, evalImages: job.evalImages }, events);
  };
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
          finish(reply.reason ? new AuditError(reply.reason, reply.message) : Object.assign(new Error(reply.message), { stack: reply.stack }));
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
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, { eval: true, workerData: setup });
}

function toShared(images: ImageSet): ImageSet {
  if (images.pixels.buffer instanceof SharedArrayBuffer) return images;
  const pixels = new Uint8Array(new SharedArrayBuffer(images.pixels.byteLength));
  pixels.set(images.pixels);
  return { ...images, pixels };
}
