// Entry point of the extension (bundled to dist/extension.js). It only wires things up: the work
// happens in the engine process, which is forked on the first audit, not at activation.
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { EngineClient } from './audit/engineClient';
import { AuditLog } from './log';
import { registerFindings } from './findings/registerFindings';
import { ReviewPanel } from './review/reviewPanel';
import { disposeSharedDecisionStores } from './review/sharedDecisionStores';

let client: EngineClient | undefined;

/**
 * Called on the first Label Audit command, when VS Code restores a review panel, or when the workspace
 * holds an audit report (its findings then appear in the label files and the Explorer).
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = new AuditLog();
  client = new EngineClient({ enginePath: context.asAbsolutePath('dist/engine.js'), log: log.line });
  context.subscriptions.push(
    log,
    ...registerCommands(context, client, log),
    ReviewPanel.register(context, log.line),
    ...registerFindings(log.line),
  );
}

/** Stops the engine process (within about a second) when the extension host shuts down. */
export async function deactivate(): Promise<void> {
  const stopping = client?.dispose();
  client = undefined;
  await Promise.all([stopping, disposeSharedDecisionStores()]);
}
