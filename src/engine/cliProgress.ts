import { SingleBar } from 'cli-progress';
import type { AuditPhase, AuditProgress } from '../core/types';

const PHASE_TITLES: Readonly<Record<AuditPhase, string>> = {
  loading: 'Reading labels',
  decoding: 'Decoding images',
  training: 'Training',
  writing: 'Writing report',
};

/** Renders audit progress on stderr: a live bar with ETA in a terminal, plain lines otherwise. */
export interface ProgressView {
  update(progress: AuditProgress): void;
  /** Prints a log line without breaking the bar. */
  log(line: string): void;
  stop(): void;
}

/** Picks the view for `stream`: a bar when it is a TTY, else timestamped lines. `quiet` prints nothing. */
export function createProgressView(stream: NodeJS.WriteStream, quiet: boolean): ProgressView {
  if (quiet) return { update() {}, log() {}, stop() {} };
  return stream.isTTY ? barView(stream) : lineView(stream);
}

/** "Training (ERM epoch 3/8, mixup epoch 3/8)", "Decoding images (120/400)". */
export function describeProgress(progress: AuditProgress): string {
  const title = PHASE_TITLES[progress.phase];
  if (progress.erm && progress.mixup) {
    return `${title} (ERM epoch ${progress.erm.epoch}/${progress.erm.epochs}, mixup epoch ${progress.mixup.epoch}/${progress.mixup.epochs})`;
  }
  return progress.done !== undefined && progress.total !== undefined ? `${title} (${progress.done}/${progress.total})` : title;
}

function barView(stream: NodeJS.WriteStream): ProgressView {
  const bar = new SingleBar({
    stream,
    format: ' {bar} {percentage}% | ETA {eta_formatted} | {phase}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update(progress) {
      const value = Math.round(progress.overall * 1000);
      if (!started) {
        bar.start(1000, value, { phase: describeProgress(progress) });
        started = true;
      } else bar.update(value, { phase: describeProgress(progress) });
      if (progress.message) this.log(progress.message);
    },
    log(line) {
      // cli-progress redraws on the next update; clear the line first so the log stays readable.
      stream.write(`\r\x1b[2K${line}\n`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineView(stream: NodeJS.WriteStream): ProgressView {
  let lastTenth = -1;
  let lastPhase: AuditPhase | undefined;
  return {
    update(progress) {
      const tenth = Math.floor(progress.overall * 10);
      if (progress.message) this.log(progress.message);
      else if (tenth !== lastTenth || progress.phase !== lastPhase) {
        const eta = progress.etaSeconds === undefined ? '' : `, ETA ${Math.round(progress.etaSeconds)} s`;
        this.log(`${Math.round(progress.overall * 100)}% ${describeProgress(progress)}${eta}`);
      }
      lastTenth = tenth;
      lastPhase = progress.phase;
    },
    log(line) {
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}
