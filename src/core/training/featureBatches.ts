import { SampleFiller } from './batches';

/**
 * Batches of embedding vectors for the heads trained on the user's embeddings (`--heads
 * embeddings`): each dimension standardised (mean 0, standard deviation 1 over the rows), so a unit
 * vector's small entries reach the head on the scale its He-initialised weights expect.
 */
export class FeatureFiller extends SampleFiller {
  readonly sampleLength: number;
  readonly sampleShape: readonly number[];
  /** Per dimension: mean and 1 / standard deviation, to be reused when predicting. */
  readonly standardization: FeatureStandardization;

  constructor(
    private readonly features: Float32Array,
    width: number,
    labels: Int32Array,
    numClasses: number,
    standardization?: FeatureStandardization,
  ) {
    super(labels, numClasses);
    this.sampleLength = width;
    this.sampleShape = [width];
    this.standardization = standardization ?? measureStandardization(features, width);
  }

  protected writeSample(index: number, x: Float32Array, offset: number, weight: number, accumulate: boolean): void {
    const { mean, inverseStd } = this.standardization;
    const width = this.sampleLength;
    const source = index * width;
    for (let k = 0; k < width; k++) {
      const value = weight * (this.features[source + k] - mean[k]) * inverseStd[k];
      x[offset + k] = accumulate ? x[offset + k] + value : value;
    }
  }
}

export interface FeatureStandardization {
  readonly mean: Float32Array;
  readonly inverseStd: Float32Array;
}

/** Mean and 1 / std of each of `width` dimensions over the rows of `features` (a constant dimension gets 1). */
export function measureStandardization(features: Float32Array, width: number): FeatureStandardization {
  const rows = features.length / width;
  const sum = new Float64Array(width);
  const sumSquares = new Float64Array(width);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < width; k++) {
      const v = features[r * width + k];
      sum[k] += v;
      sumSquares[k] += v * v;
    }
  const mean = new Float32Array(width);
  const inverseStd = new Float32Array(width);
  for (let k = 0; k < width; k++) {
    mean[k] = sum[k] / rows;
    const variance = sumSquares[k] / rows - mean[k] * mean[k];
    inverseStd[k] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1;
  }
  return { mean, inverseStd };
}
