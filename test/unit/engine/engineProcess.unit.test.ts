import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AuditError } from '../../../src/core/errors';
import type { AuditProgress } from '../../../src/core/shared/types';
import { EngineClient, EngineExitedError } from '../../../src/extension/audit/engineClient';
import type { LogParams } from '../../../src/protocol/engine';
import { REPO } from '../../helpers/repo';
import { AUDIT_DIR } from '../../../src/core/report';

// The engine as the extension runs it: the built dist/engine.js, forked with an IPC channel and
// driven over vscode-jsonrpc by the extension's own EngineClient, on copies of the sample dataset.
const ENGINE = join(REPO, 'dist', 'engine.js');
let work: string;

async function copyDigits(name: string): Promise<string> {
  const target = join(work, name);
  await cp(join(REPO, 'sample-data', 'digits'), target, {
    recursive: true,
    filter: (src) => !src.includes('.label-audit'),
  });
  return target;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Resolves when the audit is in training with at least one ERM epoch done. */
function trainingStarted(progress: AuditProgress[]): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (progress.some((p) => p.phase === 'training' && (p.erm?.epoch ?? 0) >= 2)) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
}

before(async () => {
  await stat(ENGINE).catch(() => assert.fail('dist/engine.js is missing: run `npm run build` first'));
  work = await mkdtemp(join(tmpdir(), 'label-audit-engine-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('an audit in the engine process reports every phase in order, logs the backend and writes the report', async () => {
  const dataset = await copyDigits('full');
  const client = new EngineClient({ enginePath: ENGINE });
  const progress: AuditProgress[] = [];
  const logs: LogParams[] = [];
  try {
    const result = await client.runAudit(
      { datasetPath: dataset, options: { epochs: 2 }, backend: 'auto' },
      { onProgress: (p) => progress.push(p), onLog: (l) => logs.push(l) },
    );
    assert.equal(result.reportPath, join(dataset, AUDIT_DIR, 'report.json'));
    const report = JSON.parse(await readFile(result.reportPath, 'utf8')) as {
      dataset: { audited: number };
      summary: { flagged: number };
      settings: { epochs: number };
    };
    assert.equal(report.dataset.audited, 400);
    assert.equal(report.settings.epochs, 2, 'the options crossed the channel');
    assert.deepEqual(result.summary, {
      ...result.summary,
      datasetRoot: dataset,
      audited: 400,
      skipped: 0,
      flagged: report.summary.flagged,
      backend: 'wasm',
    });

    const phases = progress.map((p) => p.phase).filter((phase, i, all) => phase !== all[i - 1]);
    assert.deepEqual(phases, ['loading', 'decoding', 'training', 'writing']);
    const overall = progress.map((p) => p.overall);
    assert.deepEqual(
      overall,
      [...overall].sort((a, b) => a - b),
      'overall progress never goes back',
    );
    assert.equal(overall.at(-1), 1);
    const training = progress.filter((p) => p.phase === 'training');
    assert.ok(
      training.some((p) => p.erm?.epochs === 2 && p.mixup?.epochs === 2),
      'training progress names the epochs',
    );
    assert.ok(
      training.some((p) => p.etaSeconds !== undefined),
      'training progress has an ETA',
    );
    assert.ok(
      progress.some((p) => /ERM epoch 2\/2: loss/.test(p.message ?? '')),
      'per-epoch lines reach the host',
    );
    assert.ok(
      logs.some((l) => /^backend: wasm .*: .*tfjs-node is not installed/.test(l.line)),
      `the backend and why: ${JSON.stringify(logs)}`,
    );
  } finally {
    await client.dispose();
  }
});

test('cancel mid-training rejects with the cancelled error within 2 s, leaves no report, and the engine runs the next audit', async () => {
  const dataset = await copyDigits('cancel');
  const client = new EngineClient({ enginePath: ENGINE });
  try {
    const controller = new AbortController();
    const progress: AuditProgress[] = [];
    const run = client.runAudit(
      { datasetPath: dataset, options: { epochs: 200 }, backend: 'wasm' },
      { signal: controller.signal, onProgress: (p) => progress.push(p) },
    );
    const outcome = run.then(
      () => assert.fail('the cancelled audit resolved'),
      (error: unknown) => error,
    );
    await trainingStarted(progress);
    const pid = client.pid;
    const cancelledAt = performance.now();
    controller.abort();
    const error = await outcome;
    const seconds = (performance.now() - cancelledAt) / 1000;
    assert.ok(AuditError.is(error, 'cancelled'), `expected the cancelled AuditError, got ${String(error)}`);
    assert.ok(seconds < 2, `stopped ${seconds.toFixed(2)} s after the cancel`);
    assert.equal(await exists(join(dataset, AUDIT_DIR, 'report.json')), false, 'no report');
    // Only the complete decode cache may be there: no temp file of a half-written report.
    assert.deepEqual(await readdir(join(dataset, AUDIT_DIR)), ['cache']);
    assert.equal(client.pid, pid, 'the engine stopped the audit by itself, it was not killed');

    const next = await client.runAudit({ datasetPath: dataset, options: { epochs: 1 }, backend: 'wasm' });
    assert.equal(next.summary.audited, 400);
    assert.equal(client.pid, pid, 'the same engine process ran it');
  } finally {
    await client.dispose();
  }
});

test('a killed engine gives a readable error, not a hang, and the next call starts a new engine', async () => {
  const dataset = await copyDigits('kill');
  const lines: string[] = [];
  const client = new EngineClient({ enginePath: ENGINE, log: (line) => lines.push(line) });
  try {
    const progress: AuditProgress[] = [];
    const run = client.runAudit(
      { datasetPath: dataset, options: { epochs: 200 }, backend: 'wasm' },
      { onProgress: (p) => progress.push(p) },
    );
    const outcome = run.then(
      () => assert.fail('the audit of a killed engine resolved'),
      (error: unknown) => error,
    );
    await trainingStarted(progress);
    const pid = client.pid!;
    process.kill(pid, 'SIGKILL');
    const error = await outcome;
    assert.ok(error instanceof EngineExitedError, `expected EngineExitedError, got ${String(error)}`);
    assert.match(error.message, /engine process was killed \(SIGKILL\) during the audit/);
    assert.ok(lines.some((line) => line.includes(`process ${pid} ended (SIGKILL)`)));
    assert.equal(await exists(join(dataset, AUDIT_DIR, 'report.json')), false);

    // A new engine serves the next request, and the engine's AuditErrors arrive with their reason.
    await assert.rejects(
      client.runAudit({ datasetPath: join(dataset, 'no-such-folder'), options: {}, backend: 'wasm' }),
      (e: unknown) => AuditError.is(e, 'pathNotFound') && /no-such-folder: the path does not exist/.test(e.message),
    );
    assert.notEqual(client.pid, pid);
  } finally {
    await client.dispose();
  }
});

test('an unavailable backend and a bad option come back as AuditErrors that say what to fix', async () => {
  const dataset = await copyDigits('errors');
  const client = new EngineClient({ enginePath: ENGINE });
  try {
    await assert.rejects(
      client.runAudit({ datasetPath: dataset, options: {}, backend: 'tensorflow' }),
      (e: unknown) => {
        return AuditError.is(e, 'backendUnavailable') && /tensorflow backend was requested/.test(e.message);
      },
    );
    await assert.rejects(
      client.runAudit({ datasetPath: dataset, options: { imageSize: 3 }, backend: 'wasm' }),
      (e: unknown) => {
        return AuditError.is(e, 'badOption') && /imageSize/.test(e.message);
      },
    );
  } finally {
    await client.dispose();
  }
});

test('dispose during an audit ends the engine within a second; the engine also exits when its parent disconnects', async () => {
  const dataset = await copyDigits('dispose');
  const client = new EngineClient({ enginePath: ENGINE });
  const progress: AuditProgress[] = [];
  const run = client.runAudit(
    { datasetPath: dataset, options: { epochs: 200 }, backend: 'wasm' },
    { onProgress: (p) => progress.push(p) },
  );
  const outcome = run.then(
    () => assert.fail('the audit resolved after dispose'),
    (error: unknown) => error,
  );
  await trainingStarted(progress);
  const started = performance.now();
  await client.dispose();
  assert.ok(performance.now() - started < 1_000, 'dispose took under a second');
  assert.ok((await outcome) instanceof EngineExitedError);
  await assert.rejects(client.runAudit({ datasetPath: dataset, options: {}, backend: 'wasm' }), /shut down/);

  const child = fork(ENGINE, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  await once(child, 'spawn');
  child.disconnect();
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});
