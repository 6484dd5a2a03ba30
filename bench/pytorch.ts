// The PyTorch side of the side-by-side speed benchmark: Debian's python3-torch training the audit
// CNN (bench/pytorch_reference.py) on the same bytes our engine trains on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's interpreter: python3-torch installs into it, not into a pyenv or venv Python. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'pytorch_reference.py');

export interface TorchFigures {
  readonly torch: string;
  readonly threads: number;
  /** Training samples/s. */
  readonly train: number;
  /** Forward-only (scoring) samples/s. */
  readonly forward: number;
}

function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure Debian's python3-torch is importable, installing it with apt when it is missing and
 * apt can run. Returns why PyTorch is unavailable, or undefined when it is ready.
 */
export function ensurePyTorch(): string | undefined {
  if (hasTorch()) return undefined;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  if (apt.status !== 0) return 'apt-get is not available here, so python3-torch cannot be installed';
  if (process.getuid?.() !== 0)
    return 'python3-torch is missing and installing it needs root (sudo apt-get install python3-torch)';
  console.log('# installing python3-torch with apt (once)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'python3-torch'],
  ]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (run.status !== 0)
      return `apt-get ${args.join(' ')} failed: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' ')}`;
  }
  return hasTorch() ? undefined : 'python3-torch installed, but `import torch` still fails';
}

/** Trains the audit CNN in PyTorch on `pixels` (uint8, `count`×size×size) with `threads` threads. */
export function runPyTorch(
  pixels: Uint8Array,
  labels: Int32Array,
  spec: { size: number; classes: number; batch: number; steps: number; threads: number },
): TorchFigures {
  const dir = mkdtempSync(join(tmpdir(), 'label-audit-torch-'));
  try {
    const pixelsFile = join(dir, 'pixels.u8');
    const labelsFile = join(dir, 'labels.i32');
    writeFileSync(pixelsFile, pixels);
    writeFileSync(labelsFile, new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
    const args = [
      SCRIPT,
      pixelsFile,
      labelsFile,
      ...[spec.size, spec.classes, spec.batch, spec.steps, spec.threads].map(String),
    ];
    const run = spawnSync(PYTHON, args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} failed (exit ${run.status}):\n${run.stderr}`);
    return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as TorchFigures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
