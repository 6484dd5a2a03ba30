import { join } from 'node:path';
import { outFileProblem, prepareAuditFolder, refuseAuditFolder } from './auditFolder';
import { auditImages } from './training/auditImages';
import { auditUnits, expandAudit, pickRows, unitImages } from './training/auditUnits';
import { loadDataset } from './data/dataset';
import { decodeImages, fileHashes, type DecodeResult } from './data/decode';
import { findDuplicates } from './detection/duplicates';
import { addEmbeddingDuplicates, type DuplicateFindingsWithEmbeddings } from './detection/embeddingDuplicates';
import { throwIfAborted } from './errors';
import { assessHealth, type DatasetHealth } from './health/healthReport';
import { qualityScores } from './health/imageQuality';
import type { ModelRunner } from './training/modelRunner';
import { resolveAuditOptions, type AuditOptionsInput } from './options';
import { ProgressTracker } from './progress';
import { AUDIT_DIR, buildReport, type AuditReport, type OwnModelSummary } from './report';
import { reportPath as defaultReportPath, writeReport } from './reportFile';
import type { AuditProgress } from './shared/types';
import { embeddingHeadRunner } from './training/headRunner';
import { backboneEmbeddings, type BackboneEmbeddings } from './userModel/backboneEmbeddings';
import { loadBackbone, type Backbone } from './userModel/backboneModel';
import type { PixelScaling } from './userModel/pixelScaling';
import { loadUserSignals, selectRows, type AlignedRows, type UserSignals } from './userModel/userSignals';

/** What {@link runAudit} returns: the report and where it was written. */
export interface AuditOutcome {
  readonly report: AuditReport;
  readonly reportPath: string;
}

/**
 * Audits a labeled image dataset end to end: load the label source, decode the images (cached),
 * train the ERM and mixup models (and, for the 'confident-learning' and 'fused' methods, the
 * cross-fitting fold models), flag likely label errors, and write
 * `<dataset>/.label-audit/report.json` atomically. The tfjs backend must be chosen beforehand.
 *
 * @param datasetPath A folder-per-class dataset, a folder holding a manifest, or a CSV/JSON manifest.
 * @param input Audit settings; defaults in `DEFAULT_AUDIT_OPTIONS`.
 * Before any image is decoded, `<dataset>/.label-audit` is checked: it must be inside the dataset
 * (not a link elsewhere) and writable, and stale temporaries of killed writers are removed from it.
 * When it cannot be written the audit stops at once with AuditError('outputNotWritable') — unless
 * `events.out` is given, which then is the only file written (and the decode cache is off).
 *
 * @param events `signal` stops the audit within one batch, leaving no report or partial file behind;
 *   `onProgress` receives throttled progress with phase, epoch and ETA; `runner` trains each model
 *   (default: on this thread; the engine passes one that uses a worker thread per model); `out` is a
 *   file the report is also written to (checked for writability before training too).
 * @throws AuditError for fatal problems (no dataset, fewer than two classes, nothing decodable, bad
 *   option, output not writable, cancelled). Problems with single files are listed in `report.skipped` instead.
 */
export async function runAudit(
  datasetPath: string,
  input: AuditOptionsInput & { backend: string },
  events: {
    signal?: AbortSignal;
    onProgress?: (progress: AuditProgress) => void;
    runner?: ModelRunner;
    out?: string;
  } = {},
): Promise<AuditOutcome> {
  const { backend, ...rest } = input;
  const options = resolveAuditOptions(rest);
  const progress = new ProgressTracker(events.onProgress);
  const { signal } = events;
  const started = performance.now();
  const lap = lapTimer();

  progress.report('loading', 0, { message: `reading labels from ${datasetPath}` });
  const dataset = await loadDataset(datasetPath, { signal });
  const loadSeconds = lap();
  progress.report('loading', 1, {
    message: `${dataset.samples.length} images in ${dataset.classes.length} classes (${dataset.format})`,
  });

  // Before the minutes of decoding and training: can the report be written where it goes?
  const folder = await prepareAuditFolder(dataset.root, { cache: options.cache });
  const outProblem = events.out === undefined ? undefined : await outFileProblem(events.out);
  if (outProblem) refuseAuditFolder(dataset.root, outProblem, events.out);
  if (folder.problem && events.out === undefined) refuseAuditFolder(dataset.root, folder.problem);
  if (folder.problem)
    progress.report('loading', 1, { message: `${folder.problem}: the report goes to ${events.out} only` });
  else if (folder.cacheProblem) progress.report('loading', 1, { message: `decode cache off: ${folder.cacheProblem}` });
  for (const name of folder.removedTemporaries)
    progress.report('loading', 1, { message: `removed ${name}, left in ${AUDIT_DIR} by an interrupted write` });
  const useCache = options.cache && folder.cacheProblem === undefined;
  // Checked before decoding: a bad file should fail in a second, not after minutes of decoding.
  const ownAll = options.ownModel
    ? await loadUserSignals(
        options.ownModel,
        dataset.root,
        dataset.classes,
        dataset.samples.map((s) => s.path),
      )
    : undefined;

  // Loaded before decoding too, so a wrong layer name fails at once; run after it (it needs the hashes).
  const backbone = options.ownModel?.backbone
    ? await loadBackbone(options.ownModel.backbone, {
        layer: options.ownModel.backboneLayer,
        pixels: options.ownModel.backbonePixels as PixelScaling | undefined,
      })
    : undefined;
  if (backbone)
    progress.report('loading', 1, {
      message: `backbone: ${backbone.format} model from ${backbone.folder}, ${backbone.inputSize}×${backbone.inputSize}×${backbone.channels} input (pixels ${backbone.pixels}), embedding from "${backbone.layer}"`,
    });

  // `images` is optional here so that it can be let go once the units' pixels are picked (below).
  const decoded: Omit<DecodeResult, 'images'> & { images?: DecodeResult['images'] } = await decodeImages(dataset, {
    size: options.imageSize,
    maxMegapixels: options.maxMegapixels,
    signal,
    ...(useCache ? { cacheDir: join(dataset.root, AUDIT_DIR, 'cache') } : {}),
    onProgress: (done: number, total: number) => progress.report('decoding', done / total, { done, total }),
  }).catch((error: unknown) => {
    // A cancelled or failed decode must not leave the backbone's weights in a long-lived engine.
    backbone?.dispose();
    throw error;
  });
  const decodeSeconds = lap();
  async function embedWithBackbone(model: Backbone): Promise<BackboneEmbeddings> {
    try {
      const run = await backboneEmbeddings(model, dataset, decoded.kept, fileHashes(decoded), {
        ...(useCache ? { cacheDir: join(dataset.root, AUDIT_DIR, 'cache') } : {}),
        maxMegapixels: options.maxMegapixels,
        signal,
        onProgress: (done, total) =>
          progress.report('decoding', total ? done / total : 1, {
            done,
            total,
            message: 'embedding with your backbone',
          }),
      });
      progress.report('decoding', 1, {
        message: `backbone: ${run.embeddings.width}-dimensional embeddings of ${run.computed + run.cacheHits} distinct images in ${run.seconds.toFixed(1)} s (${run.cacheHits} from cache)${run.cacheProblem ? `; cache not updated: ${run.cacheProblem}` : ''}`,
      });
      return run;
    } finally {
      model.dispose();
    }
  }
  const fromFiles = ownAll && selectRows(ownAll, decoded.kept);
  const fromBackbone = backbone && (await embedWithBackbone(backbone));
  const own: UserSignals | undefined = fromBackbone
    ? { ...(fromFiles ?? { skipped: [] }), embeddings: fromBackbone.embeddings }
    : fromFiles;
  const skipped = [...dataset.issues, ...decoded.issues, ...(own?.skipped ?? [])];
  for (const [name, aligned] of [
    ['--pred-probs', own?.predProbs],
    ['--embeddings', own?.embeddings],
  ] as const)
    if (aligned)
      progress.report('decoding', 1, {
        message: `${name}: ${decoded.kept.length - aligned.missing} of ${decoded.kept.length} images have a row${aligned.missing ? `; ${aligned.missing} are audited without that signal` : ''}`,
      });
  progress.report('decoding', 1, {
    message: `decoded ${decoded.kept.length} images (${decoded.cacheHits} from cache)${skipped.length ? `, skipped ${skipped.length}` : ''}`,
  });
  if (decoded.cacheProblem)
    progress.report('decoding', 1, { message: `decode cache not updated: ${decoded.cacheProblem}` });
  for (const issue of skipped.slice(0, 20))
    progress.report('decoding', 1, { message: `skipped ${issue.file}: ${issue.problem}` });
  if (skipped.length > 20)
    progress.report('decoding', 1, {
      message: `... and ${skipped.length - 20} more skipped entries, listed in the report`,
    });

  // Before training, so a user watching the log sees copies with clashing labels early. The kept
  // samples themselves rather than new per-file records: whatever the main thread holds, live or
  // garbage, when training starts stays resident until it ends (the thread barely allocates while
  // the workers train, so V8 does not collect), and training holds the audit's peak (issue #18).
  const keptSamples =
    decoded.kept.length === dataset.samples.length
      ? dataset.samples
      : decoded.kept.map((index) => dataset.samples[index]);
  const byHash = findDuplicates(decoded.images!, keptSamples, decoded.contentOf);
  // With the user's embeddings, their near copies too (embeddingDuplicates.ts).
  const duplicates: DuplicateFindingsWithEmbeddings = own?.embeddings
    ? addEmbeddingDuplicates(byHash, own.embeddings, keptSamples)
    : byHash;
  throwIfAborted(signal);
  const { conflicting, exact, near, embeddings: byEmbeddings } = duplicates.summary;
  progress.report('decoding', 1, {
    message:
      `duplicates: ${exact.groups} exact and ${near.groups} near groups, ${conflicting.groups} with different labels` +
      (byEmbeddings
        ? `; on your embeddings (cosine ≥ ${byEmbeddings.minCosine}): ${byEmbeddings.groups} near groups, ${byEmbeddings.added} more with different labels`
        : ''),
  });

  const classIds = new Map(dataset.classes.map((name, id) => [name, id]));
  const labels = Int32Array.from(decoded.kept, (i) => classIds.get(dataset.samples[i].label) ?? -1);
  // Copies with one label are one training example, trained and judged once (training/auditUnits.ts).
  const units = auditUnits(duplicates.copyGroupOf, labels);
  const unitRows = (values: Int32Array) => (units.identity ? values : pickRows(values, 1, units.rows));
  if (!units.identity)
    progress.report('decoding', 1, {
      message: `training on ${units.rows.length} distinct images: ${decoded.kept.length - units.rows.length} copies share the verdict of their first file`,
    });
  // Image quality reads the pixels, so it is measured before they are freed.
  const quality = options.health ? qualityScores(decoded.images!, decoded.dimensions, decoded.contentOf) : undefined;
  const imageSize = decoded.images!.size;
  const trainingImages = unitImages(decoded.images!, decoded.contentOf, units);
  // Unless every file is its own unit, the units' pixels are a copy: let the contents go before training.
  delete decoded.images;
  const unitOwn = own && (units.identity ? own : selectRows(own, Array.from(units.rows)));
  // With heads on the embeddings every model trains on the user's vectors instead of the pixels.
  const headFeatures = options.heads === 'embeddings' ? unitOwn?.embeddings : undefined;
  if (headFeatures)
    progress.report('training', 0, {
      message: `training heads on your ${headFeatures.width}-dimensional embeddings instead of CNNs on the pixels${headFeatures.missing ? ` (${headFeatures.missing} images without an embedding train on a zero vector)` : ''}`,
    });
  const unitAudit = await auditImages(trainingImages, unitRows(labels), dataset.classes.length, options, {
    signal,
    runner: headFeatures ? embeddingHeadRunner(headFeatures) : events.runner,
    copyOf: unitRows(duplicates.copyGroupOf),
    ...(unitOwn ? { own: unitOwn } : {}),
    onTraining: (t) =>
      progress.report('training', t.fraction, {
        erm: { epoch: t.ermEpoch, epochs: t.ermEpochs },
        mixup: { epoch: t.mixupEpoch, epochs: t.mixupEpochs },
        ...(t.folds ? { folds: { done: t.foldsDone ?? 0, total: t.folds } } : {}),
        ...(t.message ? { message: t.message } : {}),
      }),
  });
  const audit = expandAudit(unitAudit, units, dataset.classes.length);
  throwIfAborted(signal);
  if (quality) progress.report('writing', 0, { message: 'checking dataset health and laying out the embedding map' });
  const health = quality
    ? await assessHealth({
        dataset,
        kept: decoded.kept,
        qualityScores: quality,
        imageSize,
        duplicateGroups: duplicates.groups,
        ...(audit.embeddings ? { embeddings: audit.embeddings } : {}),
        seed: options.seed,
        ...(signal ? { signal } : {}),
        // The writing phase's first half: the map's layout is the one health step that takes seconds.
        onMapProgress: (fraction) => progress.report('writing', fraction / 2),
      })
    : undefined;
  if (health) progress.report('writing', 0.5, { message: healthLine(health) });

  // The writing phase's second half, after the health checks' first.
  progress.report('writing', health ? 0.5 : 0, { message: 'writing the report' });
  const report = buildReport(
    dataset,
    decoded.kept,
    audit,
    { ...options, backend },
    {
      timings: {
        load: loadSeconds,
        decode: decodeSeconds,
        erm: audit.erm.seconds,
        mixup: audit.mixup.seconds,
        score: audit.scoringSeconds,
        total: (performance.now() - started) / 1000,
      },
      decode: { cacheHits: decoded.cacheHits, decoded: decoded.kept.length - decoded.cacheHits },
      // maxRSS is in KiB on every platform Node supports.
      resources: { peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) },
      skipped,
      duplicates,
      ...(own
        ? {
            ownModel: ownModelSummary(
              own,
              decoded.kept.length,
              backbone && fromBackbone && { model: backbone, run: fromBackbone },
            ),
          }
        : {}),
      ...(health ? { health } : {}),
    },
  );
  const written = [
    ...(folder.problem ? [] : [defaultReportPath(dataset.root)]),
    ...(events.out === undefined ? [] : [events.out]),
  ];
  for (const path of written) await writeReport(report, path);
  progress.report('writing', 1, { message: `report written to ${written.join(' and ')}` });
  return { report, reportPath: written[0] };
}

/** How much of the audit the user's files covered, for the report. */
function ownModelSummary(
  own: UserSignals,
  audited: number,
  backbone?: { model: Backbone; run: BackboneEmbeddings },
): OwnModelSummary {
  const coverage = (aligned: AlignedRows | undefined) =>
    aligned && { covered: audited - aligned.missing, missing: aligned.missing };
  const predProbs = coverage(own.predProbs);
  const embeddings = coverage(own.embeddings);
  return {
    ...(predProbs ? { predProbs } : {}),
    ...(embeddings ? { embeddings: { ...embeddings, dimensions: own.embeddings!.width } } : {}),
    ...(backbone
      ? {
          backbone: {
            format: backbone.model.format,
            layer: backbone.model.layer,
            inputSize: backbone.model.inputSize,
            pixels: backbone.model.pixels,
            seconds: backbone.run.seconds,
            computed: backbone.run.computed,
            cacheHits: backbone.run.cacheHits,
          },
        }
      : {}),
    skippedRows: own.skipped.length,
  };
}

/** The health checks in one log line: what fired how often. */
function healthLine(health: DatasetHealth): string {
  const fired = Object.entries(health.quality)
    .filter(([, q]) => q.flags.count > 0)
    .map(([type, q]) => `${q.flags.count} ${type}${q.flags.datasetProperty ? ' (dataset property)' : ''}`);
  if (health.outliers) fired.push(`${health.outliers.flags.count} outliers`);
  if (health.leakySplits) fired.push(`${health.leakySplits.images} images copied across splits`);
  return `dataset health in ${health.seconds.toFixed(1)} s: ${fired.length ? fired.join(', ') : 'nothing found'}`;
}

/** Returns a function giving the seconds since the previous call (or since creation). */
function lapTimer(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    return seconds;
  };
}
