// Precision, recall, F1, AUROC and false-positive rate of one signal's flags and scores against the
// labels the benchmark flipped: the one measure every detection benchmark prints.
import { auroc, detectionQuality } from '../src/core/detection/metrics';

export interface SignalQuality {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** NaN when there is no flipped label (0% noise). */
  readonly auroc: number;
  readonly falsePositiveRate: number;
}

/** Quality of `flags` and `scores` (both in sample order) against `flipped`. */
export function signalQuality(
  flags: ArrayLike<boolean | number>,
  scores: ArrayLike<number>,
  flipped: Uint8Array,
): SignalQuality {
  const q = detectionQuality(flags, flipped);
  return {
    precision: q.precision,
    recall: q.recall,
    f1: q.f1,
    auroc: auroc(scores, flipped),
    falsePositiveRate: q.falsePositiveRate,
  };
}

/** P, R, F1 to 3 decimals and AUROC to 4 ('-' when undefined), as the tables print them. */
export function qualityCells(q: SignalQuality): string[] {
  return [
    q.precision.toFixed(3),
    q.recall.toFixed(3),
    q.f1.toFixed(3),
    Number.isNaN(q.auroc) ? '-' : q.auroc.toFixed(4),
  ];
}

export function markdownTable(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
