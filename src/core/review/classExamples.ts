import type { ReportSample } from '../report';

/**
 * Each class's most typical images, for the reviewer who relabels a sample and wants to see what the
 * classes look like: the unflagged samples of the class that both models are surest of, i.e. with
 * the highest `min(ermGiven, mixupGiven)`. The minimum, because one model alone can be sure of a
 * memorized wrong label (ERM) or of a blurry average (mixup); an image both find obvious is the
 * class as the dataset itself teaches it. Byte-identical files (`copyGroup`) count once: four copies
 * of one placeholder would show a class as one image.
 *
 * @param samples - The report's samples, in any order (ties keep this order).
 * @param classes - The dataset's classes; every one gets an entry, empty when it has no unflagged sample.
 * @param perClass - Examples per class (default 4).
 * @returns Per class, up to `perClass` samples, most typical first.
 */
export function typicalExamples<
  S extends Pick<ReportSample, 'givenLabel' | 'ermGiven' | 'mixupGiven' | 'flagged'> &
    Pick<Partial<ReportSample>, 'copyGroup'>,
>(samples: readonly S[], classes: readonly string[], perClass = 4): Map<string, S[]> {
  if (!Number.isInteger(perClass) || perClass < 1)
    throw new RangeError(`Expected perClass to be a positive integer, but got ${perClass}`);
  const best = new Map<string, { sample: S; confidence: number }[]>(classes.map((c) => [c, []]));
  // One pass with a tiny sorted list per class: linear in the samples, so 100 000 cost nothing.
  for (const sample of samples) {
    if (sample.flagged) continue;
    const list = best.get(sample.givenLabel);
    if (!list) continue;
    const confidence = Math.min(sample.ermGiven, sample.mixupGiven);
    if (list.length === perClass && confidence <= list[list.length - 1].confidence) continue;
    // Copies have the same pixels, so the same confidence: the first one listed stays.
    if (sample.copyGroup !== undefined && list.some((entry) => entry.sample.copyGroup === sample.copyGroup)) continue;
    let at = list.length;
    while (at > 0 && list[at - 1].confidence < confidence) at--;
    list.splice(at, 0, { sample, confidence });
    if (list.length > perClass) list.pop();
  }
  return new Map([...best].map(([label, list]) => [label, list.map((entry) => entry.sample)]));
}
