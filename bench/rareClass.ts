// How many images a class needs for a reliable verdict. Real MNIST digits: 9 classes of `--others`
// images each and one rare class of 5, 10, 20, 40, 80 images; planted errors: a fifth of the rare
// class (at least one) given another digit's label ("out": found when flagged with the rare class
// suggested) and as many images of other digits given the rare label ("in": found when flagged).
// The default quick audit (mixup method, 8 epochs, α 8) judges every image; the script prints the
// clean rare members flagged (before the class cap: flagged + held back), and both recalls. The
// figures pick RARE_CLASS_MIN_SHARE and RARE_CLASS_MIN_IMAGES in src/core/detection/classHealth.ts (README,
// "Rare classes and class actions"; the floor from runs with --others 10 --counts 10 and 20 / 20).
//
//   npm run bench:rare -- [--counts 5,10,20,40,80] [--rare 5] [--others 300] [--seeds 1]
import { auditImages } from '../src/core/training/auditImages';
import { resolveAuditOptions } from '../src/core/options';
import type { ImageSet } from '../src/core/shared/types';
import { chooseBackend } from '../src/engine/backend';
import { workerModelRunner } from '../src/engine/workerRunner';
import { benchImageSet } from './data';

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}
const numbers = (text: string) => text.split(',').map(Number);

/** Rows of `labels` to keep: the first `others` of every class, the first `rareCount` of `rare`. */
function subset(labels: Int32Array, rare: number, rareCount: number, others: number): number[] {
  const taken = new Map<number, number>();
  const rows: number[] = [];
  labels.forEach((label, row) => {
    const limit = label === rare ? rareCount : others;
    const count = taken.get(label) ?? 0;
    if (count < limit) {
      taken.set(label, count + 1);
      rows.push(row);
    }
  });
  return rows;
}

function select(images: ImageSet, rows: readonly number[]): ImageSet {
  const stride = images.size * images.size * images.channels;
  const pixels = new Uint8Array(rows.length * stride);
  rows.forEach((row, i) => pixels.set(images.pixels.subarray(row * stride, (row + 1) * stride), i * stride));
  return { ...images, pixels, count: rows.length };
}

async function main(): Promise<void> {
  const counts = numbers(argument('counts', '5,10,20,40,80'));
  const rareClasses = numbers(argument('rare', '5'));
  const others = Number(argument('others', '300'));
  const seeds = numbers(argument('seeds', '1'));
  await chooseBackend('auto');
  const data = await benchImageSet('mnist', 10_000, { size: 32, seed: 7 });
  console.log(`9 classes × ${others} MNIST digits + one rare class with planted errors; default quick audit`);
  console.log(
    [
      'rare digit',
      'images',
      'seed',
      'clean rare flagged',
      'errors out found',
      'errors in found',
      'clean others flagged',
      'seconds',
    ].join(' | '),
  );
  for (const rare of rareClasses) {
    for (const count of counts) {
      for (const seed of seeds) {
        const rows = subset(data.labels, rare, count, others);
        const truth = Int32Array.from(rows, (row) => data.labels[row]);
        const labels = Int32Array.from(truth);
        const planted = Math.max(1, Math.round(count / 5));
        const rareRows = [...truth.keys()].filter((i) => truth[i] === rare);
        const otherRows = [...truth.keys()].filter((i) => truth[i] !== rare);
        const out = rareRows.slice(0, planted);
        const into = otherRows.slice(0, planted);
        out.forEach((i, n) => (labels[i] = (rare + 1 + (n % 9)) % 10));
        into.forEach((i) => (labels[i] = rare));
        const started = performance.now();
        const audit = await auditImages(select(data.images, rows), labels, 10, resolveAuditOptions({ seed }), {
          runner: workerModelRunner('auto'),
        });
        const rejected = (v: { flagged: boolean; heldBack?: boolean }) => v.flagged || v.heldBack === true;
        const byRow = new Map(audit.verdicts.map((v) => [v.index, v]));
        const cleanRare = rareRows.slice(planted).filter((i) => rejected(byRow.get(i)!)).length;
        const outFound = out.filter((i) => rejected(byRow.get(i)!) && byRow.get(i)!.suggestedLabel === rare).length;
        const inFound = into.filter((i) => rejected(byRow.get(i)!)).length;
        const cleanOthers = otherRows.slice(planted).filter((i) => rejected(byRow.get(i)!)).length;
        console.log(
          [
            rare,
            count,
            seed,
            `${cleanRare} / ${count - planted}`,
            `${outFound} / ${planted}`,
            `${inFound} / ${planted}`,
            `${cleanOthers} / ${otherRows.length - planted}`,
            ((performance.now() - started) / 1000).toFixed(0),
          ].join(' | '),
        );
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
