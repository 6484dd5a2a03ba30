// The phrases of a progress display, shared by the CLI's progress bar and the editor's notification.
import type { AuditProgress } from './shared/types';

/** The phase in words with its counts, e.g. "Training — ERM epoch 3/8, mixup epoch 3/8". */
export function describePhase(progress: AuditProgress): string {
  switch (progress.phase) {
    case 'loading':
      return 'Reading labels';
    case 'decoding':
      return progress.total ? `Decoding images ${progress.done ?? 0}/${progress.total}` : 'Decoding images';
    case 'training': {
      const models = [
        progress.erm ? `ERM epoch ${progress.erm.epoch}/${progress.erm.epochs}` : undefined,
        progress.mixup ? `mixup epoch ${progress.mixup.epoch}/${progress.mixup.epochs}` : undefined,
        progress.folds ? `folds ${progress.folds.done}/${progress.folds.total}` : undefined,
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
