// "Label Audit: Run Audit": pick the dataset, run the engine under a cancellable progress
// notification, then open the review panel.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { AuditError, isCancellation } from '../../core/errors';
import type { AuditRunResult } from '../../protocol/engine';
import { readAuditSettings, SETTINGS_SECTION } from './auditSettings';
import { pickDatasetToAudit, resourcePath, type DatasetToAudit } from './datasetPick';
import { datasetFolderOf, describeChoice, ownModelFiles, ownModelOptions } from './ownModelChoice';
import { chooseOwnModelFiles, storedOwnModelChoice } from './ownModelPick';
import type { EngineClient } from './engineClient';
import type { AuditLog } from '../log';
import { describeProgress, ProgressIncrements } from './progressNotification';

/** What the command needs from the extension. */
export interface RunAuditDeps {
  readonly client: EngineClient;
  readonly log: AuditLog;
  /** Where "Install Native TensorFlow" installs (global storage): the engine looks there too. */
  readonly nativeInstallFolder: string;
  /** Called with the dataset root when an audit has written its report. */
  readonly onAudited: (datasetRoot: string) => Promise<void>;
  /** Workspace state: the user's own model's files, remembered per dataset. */
  readonly state: vscode.Memento;
}

/**
 * Runs the audit on the Explorer resource the command was invoked on, or on a dataset the user picks.
 * @returns The engine's result, or undefined when nothing ran (backed out, cancelled, failed: the
 *   user has been told).
 */
export async function runAuditCommand(deps: RunAuditDeps, resource?: unknown): Promise<AuditRunResult | undefined> {
  const { client, log } = deps;
  if (client.busy) {
    void vscode.window.showInformationMessage(
      'Label Audit: an audit is already running. Cancel it from its notification to start another.',
    );
    return undefined;
  }
  try {
    const settings = readAuditSettings((key) => vscode.workspace.getConfiguration(SETTINGS_SECTION).get(key));
    const target = await datasetToAudit(resource);
    if (!target) return undefined;
    const datasetPath = target.path;
    // The user's own model's outputs: chosen now (the pick's button), or as remembered for this dataset.
    const folder = await datasetFolderOf(datasetPath);
    if (target.chooseOwnModel && !(await chooseOwnModelFiles(deps.state, folder))) return undefined;
    const choice = storedOwnModelChoice(deps.state, folder);
    const ownModel = ownModelFiles(choice, folder);
    const options = ownModel ? { ...settings.options, ownModel, ...ownModelOptions(choice) } : settings.options;
    log.line(
      `audit of ${datasetPath} (backend setting: ${settings.backend}, options: ${JSON.stringify(settings.options)})`,
    );
    if (ownModel) log.line(`with your model's outputs: ${describeChoice(choice)}`);
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Label Audit: ${basename(datasetPath)}`,
        cancellable: true,
      },
      (progress, token) => {
        // The engine speaks AbortSignal; the notification's Cancel button is a CancellationToken.
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        const increments = new ProgressIncrements();
        progress.report({ message: 'Starting the engine' });
        return client
          .runAudit(
            {
              datasetPath,
              options,
              backend: settings.backend,
              nativeFolders: [
                ...(settings.nativeTensorflowFolder ? [settings.nativeTensorflowFolder] : []),
                deps.nativeInstallFolder,
              ],
            },
            {
              signal: controller.signal,
              onProgress: (p) => {
                progress.report({ increment: increments.next(p.overall), message: describeProgress(p) });
                if (p.message?.startsWith('skipped')) log.warn(`${p.phase}: ${p.message}`);
                else if (p.message) log.line(`${p.phase}: ${p.message}`);
              },
              onLog: ({ line, level }) => (level === 'info' ? log.line(line) : log.warn(line)),
            },
          )
          .finally(() => subscription.dispose());
      },
    );
    const { summary } = result;
    log.line(
      `done in ${summary.seconds.toFixed(1)} s on ${summary.backend}: ${summary.flagged} of ${summary.audited} images flagged ` +
        `(${(100 * summary.flagRate).toFixed(1)}%), ${summary.skipped} skipped; report ${result.reportPath}`,
    );
    if (summary.skipped > 0) warnSkipped(summary.skipped, log);
    await deps.onAudited(summary.datasetRoot);
    return result;
  } catch (error) {
    if (isCancellation(error)) {
      log.line('audit cancelled; no report was written');
      vscode.window.setStatusBarMessage('Label Audit: audit cancelled', 5_000);
    } else {
      log.showError(error, AuditError.is(error) ? 'Label Audit' : 'Label Audit failed');
    }
    return undefined;
  }
}

/** The Explorer resource the command was invoked on (with the remembered files), else the user's pick. */
async function datasetToAudit(resource: unknown): Promise<DatasetToAudit | undefined> {
  const given = resourcePath(resource);
  return given === undefined ? pickDatasetToAudit() : { path: given, chooseOwnModel: false };
}

function warnSkipped(skipped: number, log: AuditLog): void {
  void vscode.window
    .showWarningMessage(
      `Label Audit: skipped ${skipped === 1 ? '1 entry' : `${skipped} entries`} (unreadable images, unknown labels, missing files...). The log lists each one and why.`,
      'Show Log',
    )
    .then((choice) => {
      if (choice) log.show();
    });
}
