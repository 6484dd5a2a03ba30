/**
 * Worker-thread entry: trains and scores one audit model. Each worker loads its own tfjs engine and
 * wasm module, so the ERM and the mixup model train on two cores at once (the wasm backend runs
 * one thread per module in Node; see docs/measurements.md#tensorflowjs-422).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditError } from '../core/errors';
import { runModelInProcess } from '../core/training/modelRunner';
import { startWorkerBackend } from './backend';
import type { WorkerReply, WorkerSetup } from './workerProtocol';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (reply: WorkerReply) => port.postMessage(reply);

async function run(): Promise<void> {
  const { backend, nativeFolders, chosenByAuto, ...job } = setup;
  await startWorkerBackend(backend, chosenByAuto, { nativeFolders });
  const output = await runModelInProcess(job, {
    onBatch: (progress) => post({ type: 'batch', progress }),
    onEpoch: (summary) => post({ type: 'epoch', summary }),
  });
  post({ type: 'done', output });
}

run().catch((error: unknown) =>
  post({
    type: 'error',
    reason: AuditError.is(error) ? error.reason : undefined,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  }),
);
