import { FeatureFiller } from './featureBatches';
import { createHead } from './head';
import { modelOutput, type ModelRunner } from './modelRunner';
import { predictNetwork } from './predict';
import { trainNetwork } from './train';
import type { AlignedRows } from '../userModel/userSignals';

/**
 * A {@link ModelRunner} that trains heads on the user's embeddings instead of CNNs on pixels
 * (`--heads embeddings`): each job — ERM, mixup (mixed in feature space), a fold model — gets a
 * fresh {@link createHead} trained with the job's own budget, schedule and seed, on this thread (a
 * head on 10 000 vectors trains in seconds; a worker would spend longer copying them).
 *
 * @param features Row-aligned with the jobs' labels: the audited (distinct) images' unit vectors.
 */
export function embeddingHeadRunner(features: AlignedRows): ModelRunner {
  return async (job, events) => {
    if (job.labels.length * features.width !== features.values.length)
      throw new RangeError(
        `The embeddings have ${features.values.length / features.width} rows, the job ${job.labels.length}.`,
      );
    const filler = new FeatureFiller(features.values, features.width, job.labels, job.numClasses);
    const head = createHead(features.width, job.numClasses, job.config.seed);
    try {
      const trained = await trainNetwork(head, filler, job.labels.length, job.config, events, job.fold?.trainRows);
      const scoringStarted = performance.now();
      const scored = await predictNetwork(head, filler, job.labels.length, {
        signal: events.signal,
        rows: job.fold?.heldOutRows,
        embeddings: job.embeddings,
      });
      return modelOutput(trained, scored, (performance.now() - scoringStarted) / 1000);
    } finally {
      head.dispose();
    }
  };
}
