import { AuditError } from './errors';
import { DEFAULT_FLAG_OPTIONS, SCORING_MODELS, type FlagOptions } from './detection/flag';
import type { UserModelFiles } from './userModel/userSignals';

/** Settings of one audit. Every field has a default (see {@link DEFAULT_AUDIT_OPTIONS}). */
export interface AuditOptions {
  /**
   * How suspects are ranked and flagged. 'mixup': ERM-vs-mixup disagreement alone (no extra
   * training). 'confident-learning': confident learning (Northcutt et al. 2021) on out-of-sample
   * probabilities from `folds`-fold cross-fitting. 'fused': both together (see `detection/judge.ts`).
   * The last two train the fold models in addition to the ERM and mixup models.
   */
  readonly method: AuditMethod;
  /** Cross-fitting folds (methods other than 'mixup'). */
  readonly folds: number;
  /** Passes over its training rows per fold model: a short budget, measured in bench/quality.ts. */
  readonly foldEpochs: number;
  /** Training of the fold models: plain ERM or mixup (which memorizes less when trained long). */
  readonly foldModel: 'erm' | 'mixup';
  /**
   * 'quick' trains both models for the same sample-step budget (meets the speed targets);
   * 'deep' then trains ERM on until it memorizes the given labels and records when each label was
   * learned, so the report shows which wrong labels were learned only late.
   */
  readonly mode: 'quick' | 'deep';
  /** Side of the square network input; images are resized to it. */
  readonly imageSize: number;
  /** Passes over the data per model in the quick audit (the budget is `epochs × N` sample-steps...). */
  readonly epochs: number;
  /** ...but never fewer than this many sample-steps, so small datasets still train enough... */
  readonly minSampleSteps: number;
  /**
   * ...and, unless `minSampleSteps` asks for more, never more than this (0: no cap), so that a large
   * dataset's quick audit stays within minutes: a model sees enough images long before 8 passes
   * over 60 000 of them.
   */
  readonly maxSampleSteps: number;
  /** mixup's Beta(α, α) parameter. */
  readonly alpha: number;
  readonly batchSize: number;
  /** Peak learning rate of the one-cycle schedule. */
  readonly learningRate: number;
  /** Deep audit: ERM stops once its training accuracy on the given labels reaches this... */
  readonly deepTargetAccuracy: number;
  /** ...or after this many epochs. */
  readonly deepMaxEpochs: number;
  readonly seed: number;
  readonly flag: Required<FlagOptions>;
  /** Images above this many megapixels are skipped rather than decoded. */
  readonly maxMegapixels: number;
  /** Reuse decoded pixels from `<dataset>/.label-audit/cache`. */
  readonly cache: boolean;
  /** Run the dataset-health checks (image quality, outliers, leaky splits; docs/dataset-health.md). */
  readonly health: boolean;
  /**
   * The user's own model's outputs (docs/own-model.md): with `predProbs` the out-of-sample signal
   * comes from them instead of fold models (and the method defaults to 'fused'); with `embeddings`
   * the neighbour strips use them and a kNN label-agreement signal joins the fusion.
   */
  readonly ownModel?: UserModelFiles;
  /**
   * What the ERM and mixup models are: 'cnn', the audit's CNNs on the pixels, or 'embeddings', small
   * heads on the user's embeddings (`ownModel.embeddings` or `ownModel.backbone`; training/head.ts).
   */
  readonly heads: AuditHeads;
}

/** The kinds of model of {@link AuditOptions.heads}. */
export const AUDIT_HEADS = ['cnn', 'embeddings'] as const;
export type AuditHeads = (typeof AUDIT_HEADS)[number];

/** The ranking methods of {@link AuditOptions.method}. */
export const AUDIT_METHODS = ['mixup', 'confident-learning', 'fused'] as const;
export type AuditMethod = (typeof AUDIT_METHODS)[number];

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = {
  method: 'mixup',
  folds: 4,
  // Measured (README, "Why these defaults"): ERM folds beat mixup folds at a short budget; at
  // 10 000 digits 2 passes fuse as well as 2.5 (F1 .970 and .940 on 20% symmetric and pair-flip
  // noise either way) and keep a cold audit with cross-fitting at 1.32× the time of one without
  // (2.5: 1.49×, too close to the 1.5× limit).
  foldEpochs: 2,
  foldModel: 'erm',
  mode: 'quick',
  imageSize: 32,
  epochs: 8,
  minSampleSteps: 0,
  // 200 000 sample-steps = 1 560 batches of 128, 2.5× what 8 epochs give 10 000 images; at ~1 150
  // samples/s per model that is about 3 minutes of training (bench/speed.ts, README).
  maxSampleSteps: 200_000,
  alpha: 8,
  batchSize: 128,
  learningRate: 0.01,
  deepTargetAccuracy: 0.97,
  deepMaxEpochs: 100,
  seed: 1,
  flag: DEFAULT_FLAG_OPTIONS,
  maxMegapixels: 50,
  cache: true,
  health: true,
  heads: 'cnn',
};

/** What a caller may pass: any subset of the options, thresholds included. */
export type AuditOptionsInput = Partial<Omit<AuditOptions, 'flag'>> & { readonly flag?: FlagOptions };

/** Fills in defaults and checks every value, naming the bad one. */
export function resolveAuditOptions(input: AuditOptionsInput = {}): AuditOptions {
  const mode = input.mode ?? DEFAULT_AUDIT_OPTIONS.mode;
  // A deep audit's ERM model has memorized the wrong labels, so only mixup's probabilities may score.
  const scoredBy = input.flag?.scoredBy ?? (mode === 'deep' ? 'mixup' : DEFAULT_FLAG_OPTIONS.scoredBy);
  const { ownModel: ownInput, ...plain } = input;
  const ownModel = ownInput && stripUndefined(ownInput);
  const options: AuditOptions = {
    ...DEFAULT_AUDIT_OPTIONS,
    // The user's probabilities are out of sample already: fusing them costs no extra training.
    ...(ownModel?.predProbs ? { method: 'fused' } : {}),
    ...stripUndefined(plain),
    ...(ownModel && Object.keys(ownModel).length ? { ownModel } : {}),
    flag: { ...DEFAULT_FLAG_OPTIONS, ...stripUndefined(input.flag ?? {}), scoredBy },
  };
  if (options.mode !== 'quick' && options.mode !== 'deep') bad('mode', options.mode, "'quick' or 'deep'");
  if (!AUDIT_METHODS.includes(options.method))
    bad('method', options.method, AUDIT_METHODS.map((m) => `'${m}'`).join(', '));
  integerIn('folds', options.folds, 2, 20);
  numberIn('foldEpochs', options.foldEpochs, 0.1, 1000);
  if (options.foldModel !== 'erm' && options.foldModel !== 'mixup')
    bad('foldModel', options.foldModel, "'erm' or 'mixup'");
  integerIn('imageSize', options.imageSize, 8, 256);
  numberIn('epochs', options.epochs, 0.1, 10_000);
  integerIn('minSampleSteps', options.minSampleSteps, 0, 1e9);
  integerIn('maxSampleSteps', options.maxSampleSteps, 0, 1e12);
  numberIn('alpha', options.alpha, 0.01, 100);
  integerIn('batchSize', options.batchSize, 1, 4096);
  numberIn('learningRate', options.learningRate, 1e-6, 1);
  numberIn('deepTargetAccuracy', options.deepTargetAccuracy, 0.5, 1);
  integerIn('deepMaxEpochs', options.deepMaxEpochs, 1, 10_000);
  integerIn('seed', options.seed, 0, 2 ** 32 - 1);
  numberIn('maxMegapixels', options.maxMegapixels, 0.01, 10_000);
  for (const key of ['cache', 'health'] as const)
    if (typeof options[key] !== 'boolean') bad(key, options[key], 'true or false');
  for (const key of ['minMargin', 'ermFitsAbove', 'aumWeight'] as const)
    numberIn(`flag.${key}`, options.flag[key], 0, 1);
  for (const [key, value] of Object.entries(options.ownModel ?? {}))
    if (
      key === 'classes'
        ? !Array.isArray(value)
        : key === 'predProbsAreLogits'
          ? typeof value !== 'boolean'
          : typeof value !== 'string'
    )
      bad(
        `ownModel.${key}`,
        value,
        key === 'classes' ? 'a list of class names' : key === 'predProbsAreLogits' ? 'true or false' : 'a file path',
      );
  if (!AUDIT_HEADS.includes(options.heads)) bad('heads', options.heads, AUDIT_HEADS.map((m) => `'${m}'`).join(', '));
  if (options.heads === 'embeddings' && !options.ownModel?.embeddings && !options.ownModel?.backbone)
    throw new AuditError(
      'badOption',
      'Heads on embeddings need embeddings: give an embeddings file (--embeddings) or a backbone (--backbone).',
    );
  if (options.ownModel?.embeddings && options.ownModel.backbone)
    throw new AuditError(
      'badOption',
      'Give embeddings from a file (--embeddings) or from a backbone (--backbone), not both.',
    );
  if ((options.ownModel?.backboneLayer || options.ownModel?.backbonePixels) && !options.ownModel.backbone)
    throw new AuditError(
      'badOption',
      'A backbone layer or pixel scaling was given without a backbone (--backbone <folder>).',
    );
  if (!SCORING_MODELS.includes(options.flag.scoredBy)) bad('flag.scoredBy', options.flag.scoredBy, "'both' or 'mixup'");
  return options;
}

/** Training budget of the quick audit for `count` images, in sample-steps. */
export function quickSampleSteps(options: AuditOptions, count: number): number {
  const passes = Math.round(options.epochs * count);
  const capped = options.maxSampleSteps > 0 ? Math.min(passes, options.maxSampleSteps) : passes;
  return Math.max(capped, options.minSampleSteps);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function integerIn(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) bad(name, value, `an integer from ${min} to ${max}`);
}

function numberIn(name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !(value >= min && value <= max)) bad(name, value, `a number from ${min} to ${max}`);
}

function bad(name: string, value: unknown, expected: string): never {
  throw new AuditError('badOption', `Expected ${name} to be ${expected}, but got ${JSON.stringify(value)}.`);
}
