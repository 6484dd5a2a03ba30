// Bring your own model: how each signal finds injected label errors alone, and fused.
//
// A stand-in "user model" supplies what --pred-probs and --embeddings would: out-of-sample
// probabilities from 4-fold multinomial logistic regression on the pixels (trained here with tfjs,
// full batch, Adam), and the pixels themselves, mean-centred and scaled to unit length, as the
// embeddings. Both are weak next to a real pretrained network, which is the point: the fusion must
// help even when the user's model is only fair. ERM and mixup train as in an audit ('mixup' method,
// no fold models). Every fused row uses the same flag rule (margin ≥ minMargin on the fused
// probabilities) without the per-class cap, so the rows differ only in their inputs.
//
// Usage: npm run bench:own-model -- [--count 2000] [--sources mnist,fashion] [--noise sym20,pair20]
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { benchImageSet, releaseSource, unitPixels } from './data';
import { assignFolds } from '../src/core/training/crossFit';
import { auditImages } from '../src/core/training/auditImages';
import { judgeSamples, fusedProbabilities } from '../src/core/detection/judge';
import { neighbourVotes, DEFAULT_VOTERS } from '../src/core/detection/neighbourVotes';
import { auroc, detectionQuality } from '../src/core/detection/metrics';
import { injectLabelNoise } from '../src/core/detection/noise';
import { averageProbabilities, suspicionScores } from '../src/core/detection/score';
import { resolveAuditOptions } from '../src/core/options';
import { chooseBackend } from '../src/engine/backend';
import type { ImageSet } from '../src/core/shared/types';
import { NOISE_SETTINGS, PAIRS } from './noiseSettings';
import { stringOption } from './args';

async function main(): Promise<void> {
  const count = Number(stringOption('count', '2000'));
  const sources = stringOption('sources', 'mnist,fashion').split(',') as ('mnist' | 'fashion')[];
  const noises = stringOption('noise', 'sym20,pair20').split(',') as (keyof typeof NOISE_SETTINGS)[];
  const backend = await chooseBackend('auto');
  const options = resolveAuditOptions({ method: 'mixup' });
  console.log(
    `backend: ${backend.reason}; ${new Date().toISOString()}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`${count} images per dataset, k = ${DEFAULT_VOTERS} voters, minMargin ${options.flag.minMargin}\n`);
  const header = ['data', 'noise', 'signal', 'P', 'R', 'F1', 'AUROC'];
  const rows: string[][] = [];
  for (const source of sources) {
    const data = await benchImageSet(source, count, { size: options.imageSize, seed: 11 });
    releaseSource(source);
    for (const noiseName of noises) {
      const noisy = injectLabelNoise(data.labels, 10, { ...NOISE_SETTINGS[noiseName], seed: 3, pairs: PAIRS[source] });
      const labels = noisy.labels;
      const audit = await auditImages(data.images, labels, 10, options, {});
      const user = kFoldLogisticRegression(data.images, labels, 10, 4);
      const embeddings = unitPixels(data.images);
      const covered = new Uint8Array(count).fill(1);
      const votes = neighbourVotes(embeddings, data.images.size ** 2 * data.images.channels, labels, 10, covered).votes;
      const judged = averageProbabilities(audit.ermProbabilities, audit.mixupProbabilities);
      const byMargin = (probabilities: Float32Array) =>
        quality(suspicionScores(labels, probabilities, 10), noisy.flipped, options.flag.minMargin);
      const add = (signal: string, figures: string[]) => {
        rows.push([source, noiseName, signal, ...figures]);
        console.log(rows.at(-1)!.join('  '));
      };
      add('ERM-vs-mixup alone', byMargin(judged));
      add('user pred_probs alone (margin)', byMargin(user));
      const cl = [
        ...judgeSamples(
          labels,
          { erm: audit.ermProbabilities, mixup: audit.mixupProbabilities, outOfSample: user },
          10,
          {
            method: 'confident-learning',
            flag: options.flag,
          },
        ).verdicts,
      ].sort((a, b) => a.index - b.index);
      add(
        'user pred_probs, confident learning',
        figures(
          cl.map((v) => v.flagged),
          cl.map((v) => v.score),
          noisy.flipped,
        ),
      );
      add('kNN agreement alone (margin)', byMargin(votes));
      add('fused ERM-vs-mixup + pred_probs', byMargin(fusedProbabilities(judged, user, undefined)));
      for (const u of [0.2, 0.33]) {
        add(`fused + pred_probs at weight ${u}`, byMargin(fusedProbabilities(judged, user, undefined, 0, u)));
        add(`fused + pred_probs at ${u} + kNN 0.5`, byMargin(fusedProbabilities(judged, user, votes, 0.5, u)));
      }
      if (process.argv.includes('--weights-only')) continue;
      for (const w of [0.25, 0.5, 1])
        add(`fused + kNN (weight ${w})`, byMargin(fusedProbabilities(judged, user, votes, w)));
      add('fused ERM-vs-mixup + kNN (no pred_probs)', byMargin(fusedProbabilities(judged, judged, votes, 0.5)));
    }
  }
  console.log(`\n${[header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
  console.log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

function quality(scores: Float32Array, flipped: Uint8Array, minMargin: number): string[] {
  return figures(
    Array.from(scores, (s) => 2 * s - 1 >= minMargin - 1e-6),
    scores,
    flipped,
  );
}

function figures(flagged: ArrayLike<boolean>, scores: ArrayLike<number>, flipped: Uint8Array): string[] {
  const q = detectionQuality(flagged, flipped);
  return [q.precision.toFixed(3), q.recall.toFixed(3), q.f1.toFixed(3), auroc(scores, flipped).toFixed(4)];
}

/** Out-of-sample probabilities of k-fold softmax regression on the pixels (full batch, Adam, 150 steps). */
function kFoldLogisticRegression(images: ImageSet, labels: Int32Array, numClasses: number, k: number): Float32Array {
  const d = images.size * images.size * images.channels;
  const folds = assignFolds(labels, k, 5);
  const out = new Float32Array(images.count * numClasses);
  const x = Float32Array.from(images.pixels, (p) => p / 255);
  for (let f = 0; f < k; f++) {
    const train = [...folds.keys()].filter((i) => folds[i] !== f);
    const held = [...folds.keys()].filter((i) => folds[i] === f);
    const rows = (ids: number[]) => {
      const m = new Float32Array(ids.length * d);
      ids.forEach((i, r) => m.set(x.subarray(i * d, (i + 1) * d), r * d));
      return tf.tensor2d(m, [ids.length, d]);
    };
    const xs = rows(train);
    const ys = tf.oneHot(
      tf.tensor1d(
        Int32Array.from(train, (i) => labels[i]),
        'int32',
      ),
      numClasses,
    );
    const w = tf.variable(tf.zeros([d, numClasses]));
    const b = tf.variable(tf.zeros([numClasses]));
    const optimizer = tf.train.adam(0.01);
    for (let step = 0; step < 150; step++)
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(xs, w), b)) as tf.Scalar);
    const heldX = rows(held);
    const probabilities = tf.tidy(() => tf.softmax(tf.add(tf.matMul(heldX, w), b)));
    const values = probabilities.dataSync();
    held.forEach((i, r) => out.set(values.subarray(r * numClasses, (r + 1) * numClasses), i * numClasses));
    tf.dispose([xs, ys, w, b, heldX, probabilities]);
    optimizer.dispose();
  }
  return out;
}

void main();
