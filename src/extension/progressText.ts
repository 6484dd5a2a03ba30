// Words for the progress notification. Free of `vscode` imports (unit-tested).
import type { AuditProgress } from '../core/types';

/**
 * One line for the notification: the phase with its counts, the overall percentage and the ETA,
 * e.g. "Training — ERM epoch 3/8, mixup epoch 3/8 · 42% · about 20 s left".
 */
export function describeProgress(progress: AuditProgress): string {
  const parts = [phaseText(progress), `${Math.floor(progress.overall * 100)}%`];
  if (progress.etaSeconds !== undefined && progress.overall < 1) parts.push(`${formatDuration(progress.etaSeconds)} left`);
  return parts.join(' · ');
}

function phaseText(progress: AuditProgress): string {
  switch (progress.phase) {
    case 'loading':
      return 'Reading labels';
    case 'decoding':
      return progress.total ? `Decoding images ${progress.done ?? 0}/${progress.total}` : 'Decoding images';
    case 'training': {
      const models = [
        progress.erm ? `ERM epoch ${progress.erm.epoch}/${progress.erm.epochs}` : undefined,
        progress.mixup ? `mixup epoch ${progress.mixup.epoch}/${progress.mixup.epochs}` : undefined,
      ].filter((text) => text !== undefined);
      return models.length > 0 ? `Training — ${models.join(', ')}` : 'Training';
    }
    case 'writing':
      return 'Scoring and writing the report';
  }
}

/** "about 5 s", "about 3 min", "about 1 h 20 min": rounded, because an ETA is an estimate. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * Converts overall fractions into the increments `Progress.report` wants (it adds them up, in
 * percent), never going backwards.
 */
export class ProgressIncrements {
  private reported = 0;

  /** The increment that brings the bar to `overall` (0 when that would move it backwards). */
  next(overall: number): number {
    const target = Math.min(100, Math.max(0, overall * 100));
    const increment = Math.max(0, target - this.reported);
    this.reported += increment;
    return increment;
  }
}
