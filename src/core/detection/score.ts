/**
 * Per-sample scores from predicted probabilities. Probabilities are row-major `(N, K)` arrays,
 * as `predict` returns them.
 */

/**
 * Probability each sample's model gives to its given label ("self-confidence"): a label-quality
 * score in [0, 1], lower = the label is less likely correct.
 *
 * @param probabilities `(N, K)` class probabilities.
 * @param labels Given class ids, `(N,)`.
 * @param numClasses `K`.
 * @returns `(N,)` probabilities of the given labels.
 */
export function givenLabelProbability(
  probabilities: Float32Array,
  labels: Int32Array,
  numClasses: number,
): Float32Array {
  assertShapes(probabilities, labels, numClasses);
  const out = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = probabilities[i * numClasses + labels[i]];
  return out;
}

/**
 * The most probable class other than the given one, and its probability: the label a reviewer
 * would be offered instead.
 *
 * @returns `classes` `(N,)` and `probabilities` `(N,)`.
 */
export function bestOtherClass(
  probabilities: Float32Array,
  labels: Int32Array,
  numClasses: number,
): { classes: Int32Array; probabilities: Float32Array } {
  assertShapes(probabilities, labels, numClasses);
  const classes = new Int32Array(labels.length);
  const best = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let top = -1;
    let topP = -1;
    for (let k = 0; k < numClasses; k++) {
      const p = probabilities[i * numClasses + k];
      if (k !== labels[i] && p > topP) {
        top = k;
        topP = p;
      }
    }
    classes[i] = top;
    best[i] = topP;
  }
  return { classes, probabilities: best };
}

/**
 * The element-wise mean of two `(N, K)` probability arrays: the two models' consensus.
 */
export function averageProbabilities(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length)
    throw new RangeError(`Expected two probability arrays of one shape, but got ${a.length} and ${b.length} values.`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] + b[i]) / 2;
  return out;
}

/**
 * Suspicion that a sample is mislabeled, in [0, 1], higher = more suspect: how far `probabilities`
 * prefer the best other class over the given one, `(1 + P(other) − P(given)) / 2`. 0.5 means a tie;
 * the margin ranks a sample whose prediction is split between two classes below one whose
 * prediction clearly names a different class.
 *
 * @param labels Given class ids, `(N,)`.
 * @param probabilities `(N, K)` probabilities of the judging model.
 */
export function suspicionScores(labels: Int32Array, probabilities: Float32Array, numClasses: number): Float32Array {
  const given = givenLabelProbability(probabilities, labels, numClasses);
  const other = bestOtherClass(probabilities, labels, numClasses).probabilities;
  const scores = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) scores[i] = (1 + other[i] - given[i]) / 2;
  return scores;
}

function assertShapes(probabilities: Float32Array, labels: Int32Array, numClasses: number): void {
  if (probabilities.length !== labels.length * numClasses) {
    throw new RangeError(
      `Expected probabilities of shape (${labels.length}, ${numClasses}) = ${labels.length * numClasses} values, but got ${probabilities.length}.`,
    );
  }
}
