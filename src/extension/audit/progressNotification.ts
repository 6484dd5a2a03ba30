// The progress notification's line and bar steps. Free of `vscode` imports (unit-tested).
import { describePhase, formatDuration } from '../../core/progressPhrases';
import type { AuditProgress } from '../../core/shared/types';

/**
 * One line for the notification: the phase with its counts, the overall percentage and the ETA,
 * e.g. "Training — ERM epoch 3/8, mixup epoch 3/8 · 42% · about 20 s left".
 */
export function describeProgress(progress: AuditProgress): string {
  const parts = [describePhase(progress), `${Math.floor(progress.overall * 100)}%`];
  if (progress.etaSeconds !== undefined && progress.overall < 1)
    parts.push(`${formatDuration(progress.etaSeconds)} left`);
  return parts.join(' · ');
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
