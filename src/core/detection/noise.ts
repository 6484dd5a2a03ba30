import { Random } from '../training/random';

/** How wrong labels are chosen by {@link injectLabelNoise}. */
export type LabelNoiseKind = 'symmetric' | 'pairFlip';

/** Options of {@link injectLabelNoise}. */
export interface LabelNoiseOptions {
  /** Fraction of labels to change, in [0, 1); exactly round(rate·n) are changed. */
  readonly rate: number;
  readonly kind: LabelNoiseKind;
  readonly seed: number;
  /**
   * pairFlip only: where each class goes. An array must give a target for every class; a map may
   * name only some classes (e.g. 7 → 1), and then only samples of those classes are flipped.
   * Default: c → (c + 1) mod K.
   */
  readonly pairs?: ReadonlyMap<number, number> | readonly number[];
}

/** Labels after {@link injectLabelNoise}. */
export interface NoisyLabels {
  readonly labels: Int32Array;
  /** 1 where the label was changed, else 0. */
  readonly flipped: Uint8Array;
}

/**
 * Returns new labels with exactly round(rate*n) labels changed, plus which indices were changed.
 * symmetric: a uniformly random OTHER class; pairFlip: class c → pairs[c] (default c → (c+1) mod K),
 * e.g. 7→1, shirt→T-shirt when a map is given. The changed indices are a uniform random subset of
 * the eligible samples (all of them, or those of the mapped classes), as cleanlab's tests do it; the
 * input is not modified and the same seed gives the same result.
 */
export function injectLabelNoise(
  labels: ArrayLike<number>,
  numClasses: number,
  options: LabelNoiseOptions,
): NoisyLabels {
  const { rate, kind, seed } = options;
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new RangeError(`numClasses must be an integer ≥ 2, got ${numClasses}`);
  }
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`rate must be in [0, 1), got ${rate}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (kind !== 'symmetric' && kind !== 'pairFlip') {
    throw new RangeError(`kind must be 'symmetric' or 'pairFlip', got ${String(kind)}`);
  }
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RangeError(`labels[${i}] must be an integer class id in 0..${numClasses - 1}, got ${label}`);
    }
  }
  const target = kind === 'pairFlip' ? pairTargets(numClasses, options.pairs) : undefined;

  const eligible: number[] = [];
  for (let i = 0; i < n; i++) if (target === undefined || target[labels[i]] >= 0) eligible.push(i);
  const changes = Math.round(rate * n);
  if (changes > eligible.length) {
    throw new RangeError(
      `rate ${rate} asks for ${changes} changed labels but only ${eligible.length} samples belong to classes in pairs`,
    );
  }

  const random = new Random(seed);
  const chosen = random.shuffle(eligible).slice(0, changes);
  const noisy = Int32Array.from(labels);
  const flipped = new Uint8Array(n);
  for (const i of chosen) {
    const given = noisy[i];
    if (target !== undefined) {
      noisy[i] = target[given];
    } else {
      // Uniform over the K-1 other classes: draw from 0..K-2 and skip over the given class.
      const other = random.int(numClasses - 1);
      noisy[i] = other >= given ? other + 1 : other;
    }
    flipped[i] = 1;
  }
  return { labels: noisy, flipped };
}

/** Target class per class (-1 = not flipped), validated. */
function pairTargets(numClasses: number, pairs: LabelNoiseOptions['pairs']): Int32Array {
  const target = new Int32Array(numClasses).fill(-1);
  let entries: Iterable<readonly [number, number]>;
  if (pairs === undefined) {
    entries = Array.from({ length: numClasses }, (_, c) => [c, (c + 1) % numClasses] as const);
  } else if (isPairMap(pairs)) {
    entries = pairs.entries();
  } else {
    if (pairs.length !== numClasses) {
      throw new RangeError(`pairs must have one target per class (${numClasses}), got ${pairs.length}`);
    }
    entries = pairs.map((to, from) => [from, to] as const);
  }
  for (const [from, to] of entries) {
    for (const [name, value] of [
      ['class', from],
      ['target', to],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value >= numClasses) {
        throw new RangeError(`pairs: ${name} ${value} is not a class id in 0..${numClasses - 1}`);
      }
    }
    if (from === to) throw new RangeError(`pairs: class ${from} maps to itself, which would not change its label`);
    target[from] = to;
  }
  return target;
}

function isPairMap(pairs: NonNullable<LabelNoiseOptions['pairs']>): pairs is ReadonlyMap<number, number> {
  return pairs instanceof Map;
}
