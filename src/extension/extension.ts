// Entry point of the extension (bundled to dist/extension.js). It only wires things up: the work
// happens in the engine process, which is forked on the first audit, not at activation.
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { EngineClient } from './audit/engineClient';
import { AuditLog } from './log';
import { ReviewPanel } from './review/reviewPanel';

let client: EngineClient | undefined;

/** Called on the first Label Audit command, or when VS Code restores a review panel. */
export function activate(context: vscode.ExtensionContext): void {
  const log = new AuditLog();
  client = new EngineClient({ enginePath: context.asAbsolutePath('dist/engine.js'), log: log.line });
  context.subscriptions.push(log, ...registerCommands(context, client, log), ReviewPanel.register(context, log.line));
}

/** Stops the engine process (within about a second) when the extension host shuts down. */
export function deactivate(): Promise<void> | undefined {
  const stopping = client?.dispose();
  client = undefined;
  return stopping;
}
