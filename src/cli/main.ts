import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runAudit } from '../core/audit';
import { loadDataset, locateDataset } from '../core/data/dataset';
import { acceptSuggestions, readDecisionsDocument } from '../core/review/decisions';
import { withCopyDecisions } from '../core/review/copySets';
import { AuditError, isCancellation } from '../core/errors';
import { exportCleanedLabels } from '../core/export/exportLabels';
import { SCORING_MODELS, type ScoringModels } from '../core/detection/flag';
import { AUDIT_HEADS, AUDIT_METHODS, DEFAULT_AUDIT_OPTIONS, type AuditHeads, type AuditMethod } from '../core/options';
import { AUDIT_DIR, type AuditReport } from '../core/report';
import { readReport, reportPath } from '../core/reportFile';
import { BACKEND_NAMES, type BackendPreference } from '../protocol/backends';
import { chooseAuditBackend } from '../engine/backend';
import { writeFileAtomic } from '../core/atomicWrite';
import { cleanlabCsvChunks } from '../core/export/cleanlabCsv';
import { createProgressView } from './progressBar';
import { formatSuspects } from './summary';
import { checkGate, GATE_TYPES, parseFailOn, type GateRule } from '../core/health/failOn';
import { terminal, type Terminal } from './terminalText';
import { workerModelRunner } from '../engine/workerRunner';
import { PIXEL_SCALINGS } from '../core/userModel/pixelScaling';

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug): the message and stack are printed. */
  internal: 1,
  /** Bad command line or option value. */
  usage: 2,
  /** The dataset, report or decisions cannot be used (named in the message). */
  badInput: 3,
  /** The audit ran, but more samples were flagged than --max-suspect-rate allows. */
  tooManySuspects: 4,
  /** The audit ran, but a dataset-health rule of --fail-on was broken (e.g. outliers>1%). */
  healthGate: 5,
  /** Interrupted (Ctrl+C); nothing half-written was left. */
  cancelled: 130,
} as const;

/**
 * Runs the `label-audit` command line and resolves to the exit code (the caller exits).
 * @param argv Arguments after the program name.
 */
export async function main(
  argv: readonly string[],
  io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let exitCode: number = EXIT.ok;
  // Every line printed goes through one Terminal, which escapes control characters in names.
  const term = terminal(io);
  const program = buildProgram(term, controller.signal, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, term);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function buildProgram(io: Terminal, signal: AbortSignal, setExit: (code: number) => void): Command {
  const program = new Command('label-audit')
    .description(
      'Find mislabeled images: train an ERM and a mixup CNN (and, optionally, k-fold models for confident learning), flag the labels they reject.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();

  program
    .command('audit')
    .description(`audit a dataset and write <dataset>/${AUDIT_DIR}/report.json`)
    .argument('<dataset>', 'a folder-per-class dataset, a folder with labels.csv/labels.json, or a CSV/JSON manifest')
    .addOption(
      new Option(
        '--method <method>',
        "'mixup': ERM-vs-mixup alone; 'confident-learning': confident learning on k-fold out-of-sample probabilities; 'fused': both (trains the fold models too)",
      )
        .choices([...AUDIT_METHODS])
        .default(DEFAULT_AUDIT_OPTIONS.method),
    )
    .option(
      '--folds <k>',
      'cross-fitting folds (confident-learning, fused)',
      positiveInteger,
      DEFAULT_AUDIT_OPTIONS.folds,
    )
    .option(
      '--fold-epochs <n>',
      'passes over its training rows per fold model',
      positiveNumber,
      DEFAULT_AUDIT_OPTIONS.foldEpochs,
    )
    .addOption(
      new Option('--mode <mode>', "'quick' (fixed budget) or 'deep' (train ERM until it memorizes)")
        .choices(['quick', 'deep'])
        .default('quick'),
    )
    .option(
      '--epochs <n>',
      'passes over the data per model (quick audit)',
      positiveNumber,
      DEFAULT_AUDIT_OPTIONS.epochs,
    )
    .option(
      '--min-steps <n>',
      'at least this many sample-steps per model, for small datasets',
      positiveInteger,
      DEFAULT_AUDIT_OPTIONS.minSampleSteps,
    )
    .option(
      '--max-steps <n>',
      'at most this many sample-steps per model in a quick audit, for large datasets (0: no cap)',
      nonNegativeInteger,
      DEFAULT_AUDIT_OPTIONS.maxSampleSteps,
    )
    .option('--alpha <a>', 'mixup Beta(α, α) parameter', positiveNumber, DEFAULT_AUDIT_OPTIONS.alpha)
    .option('--image-size <px>', 'side of the square network input', positiveInteger, DEFAULT_AUDIT_OPTIONS.imageSize)
    .option('--batch-size <n>', 'training batch size', positiveInteger, DEFAULT_AUDIT_OPTIONS.batchSize)
    .option(
      '--seed <n>',
      'random seed; the same seed gives the same report',
      nonNegativeInteger,
      DEFAULT_AUDIT_OPTIONS.seed,
    )
    .option(
      '--min-margin <p>',
      'flag when the scoring probabilities (--scored-by) prefer another class by at least this much',
      probability,
      DEFAULT_AUDIT_OPTIONS.flag.minMargin,
    )
    .option(
      '--aum-weight <w>',
      "weight of ERM's area under the margin in the score, from 0 (the models' probabilities alone) to 1",
      probability,
      DEFAULT_AUDIT_OPTIONS.flag.aumWeight,
    )
    .addOption(
      new Option(
        '--scored-by <models>',
        "whose probabilities score the labels: 'both' models averaged (quick default) or 'mixup' alone (deep default: ERM has memorized)",
      ).choices(SCORING_MODELS),
    )
    // The option's name in 0.1.0, kept so that scripts written for it still run.
    .addOption(new Option('--judge <models>', 'old name of --scored-by').choices(SCORING_MODELS).hideHelp())
    .option('--require-erm-fit', 'flag only labels the ERM model fits (the strict rule; use with --mode deep)', false)
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend (see docs/backends.md)')
        .choices(BACKEND_NAMES)
        .default('auto'),
    )
    .option('--no-cache', `decode every image again instead of reusing <dataset>/${AUDIT_DIR}/cache`)
    .option(
      '--out <file>',
      `also write the report to this file (the only one written when <dataset>/${AUDIT_DIR} is not writable)`,
    )
    .option('--top <n>', 'suspects to print', nonNegativeInteger, 20)
    .option(
      '--max-suspect-rate <rate>',
      `exit with code ${EXIT.tooManySuspects} when more than this share of samples is flagged (CI gate)`,
      probability,
    )
    .option(
      '--fail-on <rules>',
      `exit with code ${EXIT.healthGate} when a dataset-health rule is broken, e.g. "outliers>1%,blurry>5%,leakySplits>0" (types: ${GATE_TYPES.join(', ')}; a share with %, else a number of images)`,
      failOnRules,
    )
    .option('--no-health', 'skip the dataset-health checks (image quality, outliers, leaky splits)')
    .option(
      '--pred-probs <file>',
      "your model's out-of-sample class probabilities: CSV (path + one column per class) or .npy (N×K); replaces the fold models, method defaults to fused",
    )
    .option('--pred-probs-are-logits', 'the --pred-probs rows are logits: apply softmax')
    .option('--pred-probs-paths <file>', '.npy --pred-probs: image paths, one per line, in row order')
    .option('--pred-probs-classes <file>', '.npy --pred-probs: class names, one per line, in column order')
    .option('--classes <names>', '.npy --pred-probs: class names in column order, comma-separated', commaList)
    .option(
      '--embeddings <file>',
      "your model's embeddings: CSV (path + D columns) or .npy (N×D); used for the neighbour strips and a kNN label-agreement signal",
    )
    .option('--embeddings-paths <file>', '.npy --embeddings: image paths, one per line, in row order')
    .option(
      '--backbone <folder>',
      'instead of --embeddings: a TensorFlow.js model folder (model.json + weights, optional label-audit.json) whose features are computed here and cached',
    )
    .option('--backbone-layer <name>', 'the --backbone layer (or graph node) whose pooled output is the embedding')
    .addOption(
      new Option('--backbone-pixels <scaling>', 'how the --backbone takes pixels (default 0,1)').choices(
        PIXEL_SCALINGS,
      ),
    )
    .addOption(
      new Option(
        '--heads <kind>',
        'the ERM and mixup models: cnn (on the pixels) or embeddings (small heads on --embeddings / --backbone vectors)',
      )
        .choices(AUDIT_HEADS)
        .default('cnn'),
    )
    .option('--json', 'print a JSON summary on stdout instead of a table')
    .option('--quiet', 'no progress output on stderr')
    .action(async (dataset: string, flags: AuditFlags, command: Command) =>
      setExit(
        await auditCommand(
          dataset,
          { ...flags, methodGiven: command.getOptionValueSource('method') !== 'default' },
          io,
          signal,
        ),
      ),
    );

  program
    .command('export')
    .description('write cleaned labels next to the original label file, plus a decisions log')
    .argument('<dataset>', 'the audited dataset (as given to `audit`)')
    .option('--accept-suggestions', 'relabel every flagged sample to its suggested label')
    .option(
      '--decisions <file>',
      'a decisions JSON file ({ "version": 2, "decisions": { "<path>": { "action": ... } }, "classActions": [...] }; version 1 too)',
    )
    .addOption(
      new Option(
        '--format <format>',
        "manifest format for folder-per-class datasets; 'cleanlab': instead write the report as a CSV with Datalab's label-issue columns (default <dataset>/.label-audit/label_issues.csv)",
      ).choices(['csv', 'json', 'cleanlab']),
    )
    .option('--out <file>', 'where to write the cleaned label file (default: next to the original, *.cleaned.*)')
    .option('--force', 'replace a previous export')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (dataset: string, flags: ExportFlags) => setExit(await exportCommand(dataset, flags, io)));

  return program;
}

interface AuditFlags {
  method: AuditMethod;
  folds: number;
  foldEpochs: number;
  mode: 'quick' | 'deep';
  epochs: number;
  minSteps: number;
  maxSteps: number;
  alpha: number;
  imageSize: number;
  batchSize: number;
  seed: number;
  minMargin: number;
  aumWeight: number;
  scoredBy?: ScoringModels;
  /** The old name of `scoredBy`. */
  judge?: ScoringModels;
  requireErmFit: boolean;
  backend: BackendPreference;
  cache: boolean;
  out?: string;
  top: number;
  maxSuspectRate?: number;
  failOn?: GateRule[];
  health: boolean;
  json?: boolean;
  quiet?: boolean;
  /** --method was on the command line (not commander's default). */
  methodGiven?: boolean;
  predProbs?: string;
  predProbsAreLogits?: boolean;
  predProbsPaths?: string;
  predProbsClasses?: string;
  classes?: string[];
  embeddings?: string;
  embeddingsPaths?: string;
  backbone?: string;
  backboneLayer?: string;
  backbonePixels?: string;
  heads: AuditHeads;
}

async function auditCommand(
  datasetPath: string,
  flags: AuditFlags,
  io: Terminal,
  signal: AbortSignal,
): Promise<number> {
  const view = createProgressView(io.stderr, Boolean(flags.quiet));
  try {
    const backend = await chooseAuditBackend(flags.backend);
    view.log(`backend: ${backend.reason}`);
    const { report, reportPath: written } = await runAudit(
      datasetPath,
      {
        backend: backend.name,
        // An explicit --method wins; otherwise --pred-probs makes the default 'fused' (options.ts).
        method: flags.methodGiven ? flags.method : undefined,
        ownModel: {
          predProbs: flags.predProbs,
          predProbsAreLogits: flags.predProbsAreLogits,
          predProbsPaths: flags.predProbsPaths,
          predProbsClasses: flags.predProbsClasses,
          classes: flags.classes,
          embeddings: flags.embeddings,
          embeddingsPaths: flags.embeddingsPaths,
          backbone: flags.backbone,
          backboneLayer: flags.backboneLayer,
          backbonePixels: flags.backbonePixels,
        },
        heads: flags.heads,
        folds: flags.folds,
        foldEpochs: flags.foldEpochs,
        mode: flags.mode,
        epochs: flags.epochs,
        minSampleSteps: flags.minSteps,
        maxSampleSteps: flags.maxSteps,
        alpha: flags.alpha,
        imageSize: flags.imageSize,
        batchSize: flags.batchSize,
        seed: flags.seed,
        cache: flags.cache,
        health: flags.health,
        flag: {
          minMargin: flags.minMargin,
          aumWeight: flags.aumWeight,
          scoredBy: flags.scoredBy ?? flags.judge,
          requireErmFit: flags.requireErmFit,
        },
      },
      {
        signal,
        onProgress: (p) => view.update(p),
        runner: workerModelRunner(backend),
        out: flags.out,
      },
    );
    view.stop();
    printAuditSummary(report, flags.out ?? written, flags, io);
    const tooMany = flags.maxSuspectRate !== undefined && report.summary.flagRate > flags.maxSuspectRate;
    if (tooMany) {
      io.err(
        `label-audit: ${(100 * report.summary.flagRate).toFixed(1)}% of samples flagged, above --max-suspect-rate ${(100 * flags.maxSuspectRate!).toFixed(1)}%\n`,
      );
    }
    if (tooMany) return EXIT.tooManySuspects;
    const broken = flags.failOn ? checkGate(flags.failOn, report.health, report.dataset.audited) : [];
    for (const { rule, count, share } of broken)
      io.err(`label-audit: --fail-on ${rule.text} broken: ${count} images (${(100 * share).toFixed(1)}%)\n`);
    return broken.length ? EXIT.healthGate : EXIT.ok;
  } finally {
    view.stop();
  }
}

function printAuditSummary(report: AuditReport, path: string, flags: AuditFlags, out: Terminal): void {
  const suspects = report.samples.filter((s) => s.flagged);
  if (flags.json) {
    out.json({
      report: path,
      backend: report.settings.backend,
      method: report.settings.method,
      audited: report.dataset.audited,
      skipped: report.skipped.length,
      flagged: report.summary.flagged,
      flagRate: report.summary.flagRate,
      noiseMatrix: report.noiseMatrix,
      seconds: report.timings.total,
      ...(report.duplicates ? { duplicates: report.duplicates } : {}),
      ...(report.classes ? { classWarnings: report.classes.filter((c) => c.warning) } : {}),
      ...(report.mergeSuggestions ? { mergeSuggestions: report.mergeSuggestions } : {}),
      ...(report.health ? { health: healthCounts(report) } : {}),
      suspects: suspects.slice(0, flags.top),
    });
    return;
  }
  out.out(formatSuspects(report, flags.top));
  out.out(`\nReport: ${path}\n`);
}

/** The JSON summary's health figures: counts per type, without the per-sample score arrays. */
function healthCounts(report: AuditReport): Record<string, unknown> {
  const health = report.health!;
  const brief = (issue: {
    count: number;
    share: number;
    threshold: number;
    datasetProperty: boolean;
    flagged: readonly number[];
  }) => ({
    count: issue.count,
    share: issue.share,
    threshold: issue.threshold,
    datasetProperty: issue.datasetProperty,
    examples: issue.flagged.slice(0, 5).map((at) => report.samples[at]?.path),
  });
  return {
    ...Object.fromEntries(Object.entries(health.imageQuality.types).map(([type, issue]) => [type, brief(issue)])),
    ...(health.outliers ? { outliers: brief(health.outliers) } : {}),
    ...(health.leakySplits
      ? {
          leakySplits: {
            images: health.leakySplits.images,
            groups: health.leakySplits.groups.length,
            splits: health.leakySplits.splits,
          },
        }
      : {}),
  };
}

interface ExportFlags {
  acceptSuggestions?: boolean;
  decisions?: string;
  format?: 'csv' | 'json' | 'cleanlab';
  out?: string;
  force?: boolean;
  json?: boolean;
}

async function exportCommand(datasetPath: string, flags: ExportFlags, io: Terminal): Promise<number> {
  if (flags.format === 'cleanlab') return exportCleanlab(datasetPath, flags, io);
  if (Boolean(flags.acceptSuggestions) === Boolean(flags.decisions)) {
    throw new AuditError('badOption', 'Pass exactly one of --accept-suggestions and --decisions <file>.');
  }
  const dataset = await loadDataset(datasetPath);
  let decisions;
  let classActions;
  if (flags.decisions) {
    ({ decisions, classActions } = await readDecisionsDocument(flags.decisions));
    // A decision on a copy set covers the set's files (copySets.ts); without a report there are no sets.
    const report = await readReport(reportPath(dataset.root)).catch((error: unknown) => {
      if (AuditError.is(error, 'reportMissing')) return undefined;
      throw error;
    });
    if (report) decisions = withCopyDecisions(decisions, report.samples);
  } else {
    const report = await readReport(reportPath(dataset.root));
    decisions = acceptSuggestions(report.samples.filter((s) => s.flagged));
  }
  const result = await exportCleanedLabels(dataset, decisions, {
    folderFormat: flags.format,
    outPath: flags.out,
    overwrite: flags.force,
    replaceHint: 'pass --force',
    classActions,
    decisionsFile: flags.decisions,
  });
  if (flags.json) io.json(result);
  else {
    io.out(
      `Cleaned labels: ${result.labelsPath}\nDecisions log:  ${result.logPath}\n` +
        `${result.relabeled} relabeled, ${result.removed} removed, ${result.kept} kept, ${result.unchanged} without a decision` +
        `${result.classChanged ? `, ${result.classChanged} moved by a class merge or rename` : ''}\n`,
    );
  }
  return EXIT.ok;
}

/** `export --format cleanlab`: the report as a Datalab-style CSV; no decisions involved. */
async function exportCleanlab(datasetPath: string, flags: ExportFlags, io: Terminal): Promise<number> {
  if (flags.acceptSuggestions || flags.decisions)
    throw new AuditError(
      'badOption',
      '--format cleanlab writes the audit report as it is: drop --accept-suggestions and --decisions.',
    );
  // The report is all it writes: the dataset's files are not walked (seconds at a million images).
  const { root } = await locateDataset(datasetPath);
  const report = await readReport(reportPath(root));
  const out = flags.out ?? join(root, AUDIT_DIR, 'label_issues.csv');
  if (!flags.force && (await exists(out)))
    throw new AuditError('exportExists', `${out} exists: pass --force to replace it.`, out);
  await writeFileAtomic(out, cleanlabCsvChunks(report));
  if (flags.json) io.json({ labelIssuesPath: out, rows: report.samples.length });
  else
    io.out(
      `Label issues (cleanlab columns): ${out}\n${report.samples.length} rows, ${report.summary.flagged} flagged\n`,
    );
  return EXIT.ok;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Prints an error the way a user can act on it, and picks the exit code. */
function reportError(error: unknown, io: Terminal): number {
  if (isCancellation(error)) {
    io.err('label-audit: cancelled; no report was written.\n');
    return EXIT.cancelled;
  }
  if (error instanceof AuditError) {
    io.err(`label-audit: ${error.message}\n`);
    return error.reason === 'badOption' || error.reason === 'backendUnavailable' ? EXIT.usage : EXIT.badInput;
  }
  const code = (error as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander has printed the message (or the help/version text) already.
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  io.err(`label-audit: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT.internal;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of 0 or more');
  return n;
}

function commaList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new InvalidArgumentError('expected class names separated by commas');
  return names;
}

/** `--fail-on`'s rules, with parseFailOn's message as commander's "argument is invalid" reason. */
function failOnRules(value: string): GateRule[] {
  try {
    return parseFailOn(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function probability(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}
