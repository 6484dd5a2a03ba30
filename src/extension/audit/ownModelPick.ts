// The optional step of Run Audit: the user's own model's outputs for this dataset (pred_probs,
// embeddings or a backbone model folder, and a .npy file's paths and classes files), picked from the dataset folder and
// remembered per dataset in workspace state (ownModelChoice.ts checks and stores them).
import * as vscode from 'vscode';
import {
  choicePath,
  describeChoice,
  isNpy,
  missingCompanions,
  ownModelStateKey,
  readStoredChoice,
  withFile,
  type ChoiceFile,
  type OwnModelChoice,
} from './ownModelChoice';

/** The dataset's remembered choice (empty when none). */
export function storedOwnModelChoice(state: vscode.Memento, datasetFolder: string): OwnModelChoice {
  return readStoredChoice(state.get(ownModelStateKey(datasetFolder)), datasetFolder);
}

/** What each file is, for the dialogs. */
const FILE_KINDS: Readonly<Record<ChoiceFile, { title: string; filters: Record<string, string[]> }>> = {
  predProbs: {
    title: "your model's out-of-sample class probabilities (CSV: path + one column per class, or .npy N×K)",
    filters: { 'CSV or NumPy': ['csv', 'npy'] },
  },
  predProbsPaths: {
    title: 'the image path of each row of the .npy probabilities, one per line',
    filters: { Text: ['txt', 'csv', 'lst'] },
  },
  predProbsClasses: {
    title: 'the class of each column of the .npy probabilities, one per line',
    filters: { Text: ['txt', 'csv', 'lst'] },
  },
  embeddings: {
    title: "your model's embeddings (CSV: path + D numeric columns, or .npy N×D)",
    filters: { 'CSV or NumPy': ['csv', 'npy'] },
  },
  embeddingsPaths: {
    title: 'the image path of each row of the .npy embeddings, one per line',
    filters: { Text: ['txt', 'csv', 'lst'] },
  },
  backbone: {
    title: 'the folder of your TensorFlow.js model (model.json and its weight files)',
    filters: {},
  },
};

type Step =
  | { step: 'run' }
  | { step: 'pick'; file: 'predProbs' | 'embeddings' | 'backbone' }
  | { step: 'logits' }
  | { step: 'heads' }
  | { step: 'clear' };
interface StepItem extends vscode.QuickPickItem {
  readonly action: Step;
}

/**
 * Lets the user choose, change or clear the files, then confirm.
 * @returns True to go on with the audit, false when the user backed out (the choices made so far are kept).
 */
export async function chooseOwnModelFiles(state: vscode.Memento, datasetFolder: string): Promise<boolean> {
  for (;;) {
    const choice = storedOwnModelChoice(state, datasetFolder);
    const items: StepItem[] = [
      { label: '$(play) Run the audit', description: `your model: ${describeChoice(choice)}`, action: { step: 'run' } },
      {
        label: '$(graph) Predicted probabilities…',
        description: choice.predProbs ?? 'none (optional)',
        detail: 'Out-of-sample: cross-validated, or from a model that did not train on these images',
        action: { step: 'pick', file: 'predProbs' },
      },
      {
        label: '$(symbol-array) Embeddings…',
        description: choice.embeddings ?? 'none (optional)',
        detail: 'Features for the nearest-neighbour strips, the kNN label agreement and near duplicates',
        action: { step: 'pick', file: 'embeddings' },
      },
      {
        label: '$(circuit-board) Backbone model folder…',
        description: choice.backbone ?? 'none (optional)',
        detail:
          'A TensorFlow.js model whose features become the embeddings (instead of a file); layer and pixel scaling from its label-audit.json',
        action: { step: 'pick', file: 'backbone' },
      },
    ];
    if (choice.predProbs)
      items.push({
        label: `$(symbol-operator) The probabilities are logits: ${choice.predProbsAreLogits ? 'yes' : 'no'}`,
        description: 'softmax is applied to logits',
        action: { step: 'logits' },
      });
    if (choice.embeddings || choice.backbone)
      items.push({
        label: `$(layers) Train on your embeddings: ${choice.embeddingHeads ? 'yes' : 'no'}`,
        description: choice.embeddingHeads ? 'heads on the embeddings' : 'CNNs on the pixels',
        detail:
          'ERM and mixup as small heads on the embeddings instead of CNNs on the pixels: seconds instead of minutes',
        action: { step: 'heads' },
      });
    if (choice.predProbs || choice.embeddings || choice.backbone)
      items.push({ label: "$(clear-all) Clear your model's files", action: { step: 'clear' } });
    const picked = await vscode.window.showQuickPick(items, {
      title: "Label Audit: your model's outputs (optional)",
      placeHolder: 'Files inside the dataset folder; remembered for this dataset',
    });
    if (!picked) return false;
    const { action } = picked;
    if (action.step === 'run') return true;
    let next: OwnModelChoice | undefined = choice;
    if (action.step === 'clear') next = {};
    if (action.step === 'logits') next = { ...choice, predProbsAreLogits: !choice.predProbsAreLogits };
    if (action.step === 'heads') next = { ...choice, embeddingHeads: !choice.embeddingHeads };
    if (action.step === 'pick') next = await pickFileAndCompanions(choice, action.file, datasetFolder);
    if (next) await state.update(ownModelStateKey(datasetFolder), next);
  }
}

/** Picks a main file and, for a .npy, the companions it needs; undefined when the user backed out. */
async function pickFileAndCompanions(
  choice: OwnModelChoice,
  file: 'predProbs' | 'embeddings' | 'backbone',
  datasetFolder: string,
): Promise<OwnModelChoice | undefined> {
  const main = await pickFile(file, datasetFolder);
  if (main === undefined) return undefined;
  let next = withFile(choice, file, main);
  if (!isNpy(main)) return next;
  for (const companion of missingCompanions(next)) {
    if (!companion.startsWith(file)) continue;
    const path = await pickFile(companion, datasetFolder);
    // Without its companions a .npy cannot be read: keep the choice as it was.
    if (path === undefined) return undefined;
    next = withFile(next, companion, path);
  }
  return next;
}

/** A file (or, for the backbone, folder) dialog opened in the dataset folder; a path outside it is refused with a message. */
async function pickFile(kind: ChoiceFile, datasetFolder: string): Promise<string | undefined> {
  const { title, filters } = FILE_KINDS[kind];
  for (;;) {
    const picked = await vscode.window.showOpenDialog({
      defaultUri: vscode.Uri.file(datasetFolder),
      canSelectFiles: kind !== 'backbone',
      canSelectFolders: kind === 'backbone',
      canSelectMany: false,
      openLabel: kind === 'backbone' ? 'Use this folder' : 'Use this file',
      title: `Label Audit: ${title}`,
      ...(kind === 'backbone' ? {} : { filters: { ...filters, 'All files': ['*'] } }),
    });
    const uri = picked?.[0];
    if (!uri) return undefined;
    const result = choicePath(datasetFolder, uri.fsPath);
    if ('path' in result) return result.path;
    const again = kind === 'backbone' ? 'Pick Another Folder' : 'Pick Another File';
    if ((await vscode.window.showWarningMessage(`Label Audit: ${result.problem}`, again)) !== again) return undefined;
  }
}
