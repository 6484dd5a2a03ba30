import { SingleBar } from 'cli-progress';
import { describePhase, formatDuration } from '../core/progressPhrases';
import type { AuditPhase, AuditProgress } from '../core/shared/types';
import { terminalSafe } from './terminalText';

/**
 * Renders audit progress on stderr: a live bar with ETA in a terminal, plain lines otherwise. Text
 * from the audit (phases, messages naming files) goes through `terminalSafe`; only the bar's own
 * cursor codes reach the terminal as they are.
 */
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

function barView(stream: NodeJS.WriteStream): ProgressView {
  const bar = new SingleBar({
    stream,
    // Our own ETA (ProgressTracker's): cli-progress's would extrapolate from the fast first phases.
    format: ' {bar} {percentage}% | {etaText} | {phase}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update(progress) {
      const value = Math.round(progress.overall * 1000);
      const payload = { phase: terminalSafe(describePhase(progress)), etaText: formatEta(progress.etaSeconds) };
      if (!started) {
        bar.start(1000, value, payload);
        started = true;
      } else bar.update(value, payload);
      if (progress.message) this.log(progress.message);
    },
    log(line) {
      // cli-progress redraws on the next update; clear the line first so the log stays readable.
      stream.write(`\r\x1b[2K${terminalSafe(line)}\n`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** "ETA about 12 s", or "ETA …" while unknown. */
function formatEta(seconds: number | undefined): string {
  return seconds === undefined ? 'ETA …' : `ETA ${formatDuration(seconds)}`;
}

function lineView(stream: NodeJS.WriteStream): ProgressView {
  let lastTenth = -1;
  let lastPhase: AuditPhase | undefined;
  return {
    update(progress) {
      const tenth = Math.floor(progress.overall * 10);
      if (progress.message) this.log(progress.message);
      else if (tenth !== lastTenth || progress.phase !== lastPhase) {
        const eta = progress.etaSeconds === undefined ? '' : `, ${formatEta(progress.etaSeconds)}`;
        this.log(`${Math.round(progress.overall * 100)}% ${describePhase(progress)}${eta}`);
      }
      lastTenth = tenth;
      lastPhase = progress.phase;
    },
    log(line) {
      stream.write(`${terminalSafe(line)}\n`);
    },
    stop() {},
  };
}
