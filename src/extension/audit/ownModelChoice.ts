// The user's own model's output files chosen in the Run Audit flow (pred_probs, embeddings and the
// .npy companions), remembered per dataset in workspace state. Free of `vscode` imports (unit-tested):
// ownModelPick.ts asks the questions, this file checks, stores and turns the answers into the
// engine's `ownModel` option, the same `UserModelFiles` the CLI's --pred-probs / --embeddings give.
import { stat } from 'node:fs/promises';
import { dirname, extname, resolve, sep } from 'node:path';
import { relativeInside } from '../../core/data/containment';
import type { UserModelFiles } from '../../core/userModel/userSignals';

/**
 * What was chosen for one dataset. Paths are relative to the dataset folder with '/' separators, so
 * the choice survives the workspace moving; none may lead outside the folder.
 */
export interface OwnModelChoice {
  readonly predProbs?: string;
  /** `.npy` pred_probs: one image path per line, in row order. */
  readonly predProbsPaths?: string;
  /** `.npy` pred_probs: one class name per line, in column order. */
  readonly predProbsClasses?: string;
  /** The pred_probs rows are logits (softmax is applied). */
  readonly predProbsAreLogits?: boolean;
  readonly embeddings?: string;
  /** `.npy` embeddings: one image path per line, in row order. */
  readonly embeddingsPaths?: string;
  /** Instead of `embeddings`: a TensorFlow.js model folder (layer and scaling from its label-audit.json). */
  readonly backbone?: string;
  /** Train the ERM and mixup models as heads on the embeddings (file or backbone) instead of CNNs on the pixels. */
  readonly embeddingHeads?: boolean;
}

/** The file fields of a choice, in the order the pick offers them. */
export const CHOICE_FILES = [
  'predProbs',
  'predProbsPaths',
  'predProbsClasses',
  'embeddings',
  'embeddingsPaths',
  'backbone',
] as const;
export type ChoiceFile = (typeof CHOICE_FILES)[number];

/** The workspace-state key of a dataset's choice. */
export function ownModelStateKey(datasetFolder: string): string {
  return `labelAudit.ownModel:${resolve(datasetFolder)}`;
}

/**
 * The folder the user's files must lie in: the dataset folder, or the folder of a CSV/JSON label file.
 * @param datasetPath - What Run Audit audits: a folder or a label file.
 */
export async function datasetFolderOf(datasetPath: string): Promise<string> {
  const info = await stat(datasetPath).catch(() => undefined);
  return info?.isFile() ? dirname(datasetPath) : datasetPath;
}

/**
 * A stored choice, read back defensively: workspace state is a file other versions may have written,
 * so anything that is not a relative path inside the folder (or a boolean for the logits flag) is dropped.
 */
export function readStoredChoice(value: unknown, datasetFolder: string): OwnModelChoice {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const choice: Record<string, string | boolean> = {};
  for (const key of CHOICE_FILES) {
    const path = record[key];
    if (typeof path === 'string' && path !== '' && fileInside(datasetFolder, path) !== undefined) choice[key] = path;
  }
  if (choice.predProbs && record.predProbsAreLogits === true) choice.predProbsAreLogits = true;
  if (record.embeddingHeads === true) choice.embeddingHeads = true;
  return withoutOrphans(choice);
}

/**
 * The path to store for a picked file, or the problem to tell the user.
 * @param file - The absolute path the file dialog returned.
 */
export function choicePath(datasetFolder: string, file: string): { path: string } | { problem: string } {
  const inside = relativeInside(resolve(datasetFolder), resolve(file));
  if (inside === undefined)
    return {
      problem: `${file} is not inside the dataset folder ${datasetFolder}: put your model's files in the dataset folder (nothing outside it is read).`,
    };
  return { path: inside.split(sep).join('/') };
}

/** The choice with one file set (or cleared with `undefined`); clearing a main file clears its companions. */
export function withFile(choice: OwnModelChoice, key: ChoiceFile, path: string | undefined): OwnModelChoice {
  const next: Record<string, string | boolean | undefined> = { ...choice, [key]: path };
  // A new main file needs its own companions: the old ones described another file's rows.
  if (key === 'predProbs') Object.assign(next, { predProbsPaths: undefined, predProbsClasses: undefined });
  if (key === 'embeddings') next.embeddingsPaths = undefined;
  // Embeddings come from a file or from a backbone, never both (the engine refuses the pair).
  if (key === 'embeddings' && path !== undefined) next.backbone = undefined;
  if (key === 'backbone' && path !== undefined)
    Object.assign(next, { embeddings: undefined, embeddingsPaths: undefined });
  if (key === 'predProbs' && path === undefined) next.predProbsAreLogits = undefined;
  return withoutOrphans(next);
}

/** True for a NumPy file, which needs a paths file (and, for pred_probs, a classes file) beside it. */
export function isNpy(path: string): boolean {
  return extname(path).toLowerCase() === '.npy';
}

/** The companions a `.npy` main file still needs, in the order the pick asks for them. */
export function missingCompanions(choice: OwnModelChoice): ChoiceFile[] {
  const missing: ChoiceFile[] = [];
  if (choice.predProbs && isNpy(choice.predProbs)) {
    if (!choice.predProbsPaths) missing.push('predProbsPaths');
    if (!choice.predProbsClasses) missing.push('predProbsClasses');
  }
  if (choice.embeddings && isNpy(choice.embeddings) && !choice.embeddingsPaths) missing.push('embeddingsPaths');
  return missing;
}

/**
 * The engine's `ownModel` option for a complete choice, with absolute paths; undefined when nothing
 * is chosen. A `.npy` whose companions are missing is left out (the pick asks for them first).
 */
export function ownModelFiles(choice: OwnModelChoice, datasetFolder: string): UserModelFiles | undefined {
  const missing = new Set(missingCompanions(choice));
  const at = (path: string | undefined) => (path === undefined ? undefined : fileInside(datasetFolder, path));
  const probs = choice.predProbs && !missing.has('predProbsPaths') && !missing.has('predProbsClasses');
  const embeddings = choice.embeddings && !missing.has('embeddingsPaths');
  if (!probs && !embeddings && !choice.backbone) return undefined;
  return {
    ...(probs
      ? {
          predProbs: at(choice.predProbs),
          ...(choice.predProbsPaths ? { predProbsPaths: at(choice.predProbsPaths) } : {}),
          ...(choice.predProbsClasses ? { predProbsClasses: at(choice.predProbsClasses) } : {}),
          ...(choice.predProbsAreLogits ? { predProbsAreLogits: true } : {}),
        }
      : {}),
    ...(embeddings
      ? {
          embeddings: at(choice.embeddings),
          ...(choice.embeddingsPaths ? { embeddingsPaths: at(choice.embeddingsPaths) } : {}),
        }
      : {}),
    ...(choice.backbone ? { backbone: at(choice.backbone) } : {}),
  };
}

/** The audit options a choice sets beside `ownModel`: heads on the embeddings when chosen (and there are embeddings). */
export function ownModelOptions(choice: OwnModelChoice): { heads?: 'embeddings' } {
  return choice.embeddingHeads && (choice.embeddings || choice.backbone) ? { heads: 'embeddings' } : {};
}

/** One line for the log and the pick: "pred_probs probs.csv (logits), embeddings emb.npy + paths.txt". */
export function describeChoice(choice: OwnModelChoice): string {
  const parts: string[] = [];
  if (choice.predProbs) {
    const extra = [choice.predProbsPaths, choice.predProbsClasses].filter(Boolean).map((p) => ` + ${p}`);
    parts.push(`pred_probs ${choice.predProbs}${extra.join('')}${choice.predProbsAreLogits ? ' (logits)' : ''}`);
  }
  if (choice.embeddings)
    parts.push(`embeddings ${choice.embeddings}${choice.embeddingsPaths ? ` + ${choice.embeddingsPaths}` : ''}`);
  if (choice.backbone) parts.push(`backbone ${choice.backbone}`);
  if (choice.embeddingHeads && (choice.embeddings || choice.backbone)) parts.push('heads on the embeddings');
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** The absolute file (or folder) a stored relative path names, or undefined when it would lead outside the folder. */
function fileInside(datasetFolder: string, path: string): string | undefined {
  const root = resolve(datasetFolder);
  const file = resolve(root, ...path.split('/'));
  return relativeInside(root, file) === undefined ? undefined : file;
}

/** Drops unset keys and companions whose main file is gone. */
function withoutOrphans(choice: Record<string, string | boolean | undefined>): OwnModelChoice {
  const kept = Object.fromEntries(Object.entries(choice).filter(([, value]) => value !== undefined));
  if (!kept.predProbs) for (const key of ['predProbsPaths', 'predProbsClasses', 'predProbsAreLogits']) delete kept[key];
  if (!kept.embeddings) delete kept.embeddingsPaths;
  if (!kept.embeddings && !kept.backbone) delete kept.embeddingHeads;
  return kept as OwnModelChoice;
}
