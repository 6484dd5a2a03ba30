// Registers the Label Audit commands. Their ids are the ones package.json contributes.
import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import { pickAuditedDataset } from './audit/datasetPick';
import type { EngineClient } from './audit/engineClient';
import { exportCommand } from './export/exportCommand';
import type { AuditLog } from './log';
import { ReviewPanel } from './review/reviewPanel';
import { runAuditCommand } from './audit/runAuditCommand';
import { installNativeTensorflowCommand, nativeInstallFolder } from './audit/nativeInstallCommand';

/** Workspace-state key of the root of the dataset audited last, the default for Review and Export. */
const LAST_ROOT_KEY = 'labelAudit.lastDatasetRoot';

/**
 * Registers the commands. Each takes the Explorer resource as its optional first argument.
 * @returns The registrations, to dispose on deactivation.
 */
export function registerCommands(
  context: vscode.ExtensionContext,
  client: EngineClient,
  log: AuditLog,
): vscode.Disposable[] {
  const lastRoot = () => context.workspaceState.get<string>(LAST_ROOT_KEY);
  const openReview = async (root: string) => {
    await ReviewPanel.createOrShow(context, root, log.line);
  };
  return [
    vscode.commands.registerCommand(COMMANDS.runAudit, (resource?: unknown) =>
      runAuditCommand(
        {
          client,
          log,
          nativeInstallFolder: nativeInstallFolder(context),
          state: context.workspaceState,
          onAudited: async (root) => {
            await context.workspaceState.update(LAST_ROOT_KEY, root);
            await openReview(root);
          },
        },
        resource,
      ),
    ),
    vscode.commands.registerCommand(COMMANDS.reviewSuspects, async (resource?: unknown) => {
      try {
        const root = await pickAuditedDataset(resource, lastRoot(), 'Review Suspects');
        if (root) await openReview(root);
      } catch (error) {
        log.showError(error);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.exportCleanedLabels, async (resource?: unknown) => {
      try {
        const root = await pickAuditedDataset(resource, lastRoot(), 'Export Cleaned Labels');
        if (root) await exportCommand(root, log);
      } catch (error) {
        log.showError(error);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.installNativeTensorflow, () =>
      installNativeTensorflowCommand(context, log),
    ),
  ];
}
