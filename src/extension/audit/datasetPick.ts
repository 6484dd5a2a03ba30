// Which dataset a command works on: the Explorer resource it was invoked on, else a quick pick of
// the datasets found in the workspace, else a folder picker.
import { stat } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import * as vscode from 'vscode';
import { reportPath } from '../../core/reportFile';
import { COMMANDS } from '../commandIds';
import { findDatasets, type DetectedDataset } from './datasetDiscovery';

/** The path an Explorer context-menu command was invoked on, if it was (commands also run from the palette). */
export function resourcePath(resource: unknown): string | undefined {
  return resource instanceof vscode.Uri && resource.scheme === 'file' ? resource.fsPath : undefined;
}

/** The dataset Run Audit is to audit, and whether the user asked to choose their model's outputs first. */
export interface DatasetToAudit {
  readonly path: string;
  readonly chooseOwnModel: boolean;
}

/** The button on each dataset of the pick: choose the user's own model's outputs before the audit. */
const OWN_MODEL_BUTTON: vscode.QuickInputButton = {
  iconPath: new vscode.ThemeIcon('beaker'),
  tooltip: "Use your model's outputs (pred_probs, embeddings)…",
};

/**
 * Asks which dataset to audit: detected datasets in a quick pick (with "Choose a folder…" last),
 * or straight away a folder picker when none is found. Each dataset has a button that opens the
 * optional step for the user's own model's outputs (ownModelPick.ts) before the audit starts.
 * @returns The folder or manifest path, or undefined when the user backed out.
 */
export async function pickDatasetToAudit(): Promise<DatasetToAudit | undefined> {
  const found = await findDatasets(workspaceRoots());
  const folder = async () => {
    const path = await pickFolder('Audit this dataset');
    return path === undefined ? undefined : { path, chooseOwnModel: false };
  };
  if (found.length === 0) return folder();
  const browse = { label: '$(folder-opened) Choose a folder…', path: undefined };
  const items = [...found.map((d) => ({ ...toItem(d), buttons: [OWN_MODEL_BUTTON] })), browse];
  const picked = await new Promise<{ item: (typeof items)[number]; chooseOwnModel: boolean } | undefined>((settle) => {
    const pick = vscode.window.createQuickPick<(typeof items)[number]>();
    pick.title = 'Label Audit: Run Audit';
    pick.placeholder =
      "Pick the dataset to audit (a folder per class, or a CSV/JSON label file); its beaker button adds your model's outputs";
    pick.matchOnDescription = true;
    // An open review panel re-rendering can take the focus; the pick must not vanish under the user then.
    pick.ignoreFocusOut = true;
    pick.items = items;
    let result: { item: (typeof items)[number]; chooseOwnModel: boolean } | undefined;
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      if (item) result = { item, chooseOwnModel: false };
      pick.hide();
    });
    pick.onDidTriggerItemButton((event) => {
      result = { item: event.item, chooseOwnModel: true };
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      settle(result);
    });
    pick.show();
  });
  if (!picked) return undefined;
  if (picked.item.path === undefined) return folder();
  return { path: picked.item.path, chooseOwnModel: picked.chooseOwnModel };
}

/**
 * The root of an audited dataset for Review and Export: the resource's dataset when invoked on one,
 * else the dataset audited last in this workspace, else a pick among the audited datasets found.
 * @param lastRoot - Root of the last audit run from this workspace (kept in workspace state).
 * @returns The dataset root, or undefined when there is none (the user is told) or they backed out.
 */
export async function pickAuditedDataset(
  resource: unknown,
  lastRoot: string | undefined,
  purpose: string,
): Promise<string | undefined> {
  const given = resourcePath(resource);
  if (given) return (await isFile(given)) ? dirname(given) : given;
  if (lastRoot && (await isFile(reportPath(lastRoot)))) return lastRoot;
  const audited = (await findDatasets(workspaceRoots())).filter((d) => d.hasReport);
  if (audited.length === 1) return audited[0].root;
  if (audited.length === 0) {
    const run = 'Run Audit';
    const choice = await vscode.window.showInformationMessage(
      'Label Audit: no audited dataset found in this workspace. Run an audit first.',
      run,
    );
    if (choice === run) await vscode.commands.executeCommand(COMMANDS.runAudit);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(audited.map(toItem), {
    title: `Label Audit: ${purpose}`,
    placeHolder: 'Pick the audited dataset',
  });
  return picked?.root;
}

interface DatasetItem extends vscode.QuickPickItem {
  readonly path: string;
  readonly root: string;
}

function toItem(dataset: DetectedDataset): DatasetItem {
  const kind =
    dataset.format === 'folder'
      ? `folder per class, ${dataset.classes} classes`
      : `${dataset.format.toUpperCase()} label file`;
  return {
    label: `$(file-media) ${displayPath(dataset.path)}`,
    description: dataset.hasReport ? `${kind} · audited` : kind,
    path: dataset.path,
    root: dataset.root,
  };
}

/** A path relative to its workspace folder when it lies in one (with the folder's name if there are several). */
function displayPath(path: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path));
  if (!folder) return path;
  const inner = relative(folder.uri.fsPath, path) || basename(path);
  return (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `${folder.name}/${inner}` : inner;
}

async function pickFolder(openLabel: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel,
    title: 'Label Audit: pick a dataset folder (one subfolder per class, or holding labels.csv / labels.json)',
  });
  return picked?.[0]?.fsPath;
}

function workspaceRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
