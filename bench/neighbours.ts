/**
 * Time of the neighbour search alone (src/core/detection/neighbours.ts) at the sizes a real audit meets:
 * `N` images in 10 classes, the `Q` most suspect flagged, 6 neighbours under each of their two labels.
 * The search time does not depend on what the vectors show, so they are synthetic here: one random
 * direction per class plus noise, scaled to unit length like the model's embeddings.
 *
 *   npm run bench:neighbours -- [--count 60000] [--queries 3000] [--repeats 3]
 */
import { EMBEDDING_SIZE } from '../src/core/training/model';
import { chooseBackend } from '../src/engine/backend';
import { findNeighbours, type NeighbourQuery } from '../src/core/detection/neighbours';
import { Random } from '../src/core/training/random';
import { numberOption } from './args';

const CLASSES = 10;
const dim = EMBEDDING_SIZE;

function clusteredEmbeddings(count: number, random: Random): { embeddings: Float32Array; labels: Int32Array } {
  const centres = Float32Array.from({ length: CLASSES * dim }, () => random.normal());
  const embeddings = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % CLASSES;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      // ReLU activations are never negative.
      const v = Math.max(0, centres[labels[i] * dim + d] + random.normal());
      embeddings[i * dim + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dim; d++) embeddings[i * dim + d] /= Math.sqrt(norm) || 1;
  }
  return { embeddings, labels };
}

function run(count: number, queryCount: number, repeats: number): void {
  const random = new Random(7);
  const { embeddings, labels } = clusteredEmbeddings(count, random);
  const excluded = new Uint8Array(count);
  const queries: NeighbourQuery[] = [];
  for (let q = 0; q < queryCount; q++) {
    const row = Math.floor((q * count) / queryCount);
    excluded[row] = 1;
    queries.push({ row, given: labels[row], suggested: (labels[row] + 1 + (q % (CLASSES - 1))) % CLASSES });
  }
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    findNeighbours(embeddings, dim, labels, CLASSES, queries, excluded);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${count} images, ${queryCount} suspects: median ${(times[Math.floor(repeats / 2)] / 1000).toFixed(2)} s (runs: ${times.map((t) => (t / 1000).toFixed(2)).join(', ')})`,
  );
}

async function main(): Promise<void> {
  // The backend the engine would choose on this machine: the search's matrix products run on it.
  const choice = await chooseBackend('auto');
  console.log(`backend: ${choice.name}`);
  const repeats = numberOption('repeats', 3);
  const counts = process.argv.includes('--count') ? [numberOption('count', 60_000)] : [10_000, 60_000];
  for (const count of counts) run(count, numberOption('queries', Math.min(3000, count / 10)), repeats);
}

void main();
