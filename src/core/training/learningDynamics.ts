/**
 * How ERM learned each sample, read from its training trajectory: the strongest published evidence
 * of memorization, and nearly free, because the ERM model visits every sample every epoch and the
 * forward pass of each batch already has its logits. Nothing here runs an extra pass.
 *
 * - **Area under the margin** (AUM; Pleiss et al. 2020, "Identifying Mislabeled Data using the Area
 *   Under the Margin Ranking"): the given label's logit minus the largest other logit, averaged over
 *   the epochs. A clean label's margin climbs early and stays high; a wrong one stays low or
 *   negative until the network memorizes it, so its average is low.
 * - **Forgetting events** (Toneva et al. 2019): how often a sample predicted as its given label at
 *   one visit is predicted as another class at the next.
 * - **Learned epoch**: the epoch from which the given label was predicted at every visit to the end
 *   (0 = never). Wrong labels are learned late, if at all.
 */

/** What ERM's trajectory says about each row of the image set (rows never trained on: NaN / 0). */
export interface LearningDynamics {
  /** Epochs recorded. */
  readonly epochs: number;
  /** `(N,)` mean margin (logits) over the epochs that visited the row. */
  readonly aum: Float32Array;
  /** `(N,)` forgetting events. */
  readonly forgettingEvents: Uint16Array;
  /** `(N,)` 1-based epoch from which the given label was predicted at every visit; 0 = never. */
  readonly learnedAtEpoch: Uint16Array;
  /** `(N, epochs)` row-major: each row's margin at each epoch's visit (NaN when not visited). */
  readonly epochMargins: Float32Array;
}

/** Collects the margins of ERM's training forward passes, batch by batch. */
export class DynamicsRecorder {
  private readonly marginSum: Float64Array;
  private readonly visits: Uint16Array;
  /** 0 = not seen yet, 1 = missed at the last visit, 2 = predicted right at the last visit. */
  private readonly lastVisit: Uint8Array;
  private readonly lastMissEpoch: Uint16Array;
  private readonly forgotten: Uint16Array;
  private readonly perEpoch: Float32Array[] = [];

  constructor(private readonly count: number) {
    this.marginSum = new Float64Array(count);
    this.visits = new Uint16Array(count);
    this.lastVisit = new Uint8Array(count);
    this.lastMissEpoch = new Uint16Array(count);
    this.forgotten = new Uint16Array(count);
  }

  /** Call before the first batch of each epoch (epochs are 1-based and consecutive). */
  startEpoch(): void {
    this.perEpoch.push(new Float32Array(this.count).fill(Number.NaN));
  }

  /**
   * Records one batch: `margins[b]` belongs to row `order[start + b]`.
   * @returns How many of the batch's samples were predicted as their given label (margin > 0).
   */
  record(order: Int32Array, start: number, margins: Float32Array): number {
    const epoch = this.perEpoch.length;
    const current = this.perEpoch[epoch - 1];
    let hits = 0;
    for (let b = 0; b < margins.length; b++) {
      const row = order[start + b];
      const margin = margins[b];
      const hit = margin > 0;
      current[row] = margin;
      this.marginSum[row] += margin;
      this.visits[row]++;
      if (hit) hits++;
      else {
        if (this.lastVisit[row] === 2) this.forgotten[row]++;
        this.lastMissEpoch[row] = epoch;
      }
      this.lastVisit[row] = hit ? 2 : 1;
    }
    return hits;
  }

  /** The figures so far. */
  result(): LearningDynamics {
    const epochs = this.perEpoch.length;
    const aum = new Float32Array(this.count);
    const learnedAtEpoch = new Uint16Array(this.count);
    const epochMargins = new Float32Array(this.count * epochs);
    for (let row = 0; row < this.count; row++) {
      aum[row] = this.visits[row] ? this.marginSum[row] / this.visits[row] : Number.NaN;
      learnedAtEpoch[row] = this.lastVisit[row] === 2 ? this.lastMissEpoch[row] + 1 : 0;
    }
    this.perEpoch.forEach((margins, e) => {
      for (let row = 0; row < this.count; row++) epochMargins[row * epochs + e] = margins[row];
    });
    return { epochs, aum, forgettingEvents: this.forgotten.slice(), learnedAtEpoch, epochMargins };
  }
}
