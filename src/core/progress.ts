import type { AuditPhase, AuditProgress } from './shared/types';

/** Share of the whole audit each phase takes, measured on a 10 000-image quick audit with wasm. */
const PHASE_WEIGHTS: Readonly<Record<AuditPhase, number>> = {
  loading: 0.01,
  decoding: 0.07,
  training: 0.91,
  writing: 0.01,
};
const PHASE_ORDER: readonly AuditPhase[] = ['loading', 'decoding', 'training', 'writing'];

/**
 * Turns per-phase fractions into overall progress with an ETA, and throttles what it passes on:
 * a training loop reports every batch, a progress bar or an IPC channel wants a few updates per
 * second. Log lines (`message`) and phase changes always go through.
 */
export class ProgressTracker {
  private readonly started = performance.now();
  private lastSent = -Infinity;
  private lastPhase: AuditPhase | undefined;

  constructor(
    private readonly listener: ((progress: AuditProgress) => void) | undefined,
    private readonly minIntervalMs = 200,
  ) {}

  report(
    phase: AuditPhase,
    fraction: number,
    detail: Omit<AuditProgress, 'phase' | 'fraction' | 'overall' | 'etaSeconds'> = {},
  ): void {
    if (!this.listener) return;
    const now = performance.now();
    const important = phase !== this.lastPhase || detail.message !== undefined || fraction >= 1;
    if (!important && now - this.lastSent < this.minIntervalMs) return;
    this.lastSent = now;
    this.lastPhase = phase;
    const clamped = Math.min(1, Math.max(0, fraction));
    const overall = overallFraction(phase, clamped);
    const elapsed = (now - this.started) / 1000;
    // Extrapolate only once enough is done for the rate to mean something.
    const etaSeconds = overall > 0.03 ? Math.max(0, (elapsed * (1 - overall)) / overall) : undefined;
    this.listener({
      phase,
      fraction: clamped,
      overall,
      ...(etaSeconds === undefined ? {} : { etaSeconds }),
      ...detail,
    });
  }
}

function overallFraction(phase: AuditPhase, fraction: number): number {
  let before = 0;
  for (const p of PHASE_ORDER) {
    if (p === phase) break;
    before += PHASE_WEIGHTS[p];
  }
  return Math.min(1, before + PHASE_WEIGHTS[phase] * fraction);
}
