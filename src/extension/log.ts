// The "Label Audit" output channel, and errors shown as notifications that lead to it.
import * as vscode from 'vscode';
import { AuditError } from '../core/errors';

/** Writes one line to the log. The shape the review panel and the engine client take. */
export type LogLine = (line: string) => void;

/** The extension's log: an output channel named "Label Audit" with timestamps and levels. */
export class AuditLog implements vscode.Disposable {
  /** The channel's name, as shown in the Output view's list. */
  static readonly channelName = 'Label Audit';
  private readonly channel = vscode.window.createOutputChannel(AuditLog.channelName, { log: true });

  /** Writes an info line. Bound, so it can be handed around as a {@link LogLine}. */
  readonly line: LogLine = (line) => this.channel.info(line);

  /** Writes a warning line (skipped files, backend fallbacks). */
  warn(line: string): void {
    this.channel.warn(line);
  }

  /**
   * Logs `error` in full (stack included for unexpected ones) and shows its message as an error
   * notification with a "Show Log" action.
   */
  showError(error: unknown, prefix = 'Label Audit'): void {
    const message = error instanceof Error ? error.message : String(error);
    this.channel.error(AuditError.is(error) || !(error instanceof Error) ? message : (error.stack ?? message));
    void vscode.window.showErrorMessage(`${prefix}: ${message}`, 'Show Log').then((choice) => {
      if (choice) this.show();
    });
  }

  /** Reveals the channel without taking the focus from the editor. */
  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
