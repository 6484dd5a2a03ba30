/**
 * One export as a process of its own, for the concurrent-export tests:
 * `runTogether(exportRunner.child.ts, [[<manifest>, <rounds>, <label>], ...])` relabels the
 * first ten samples to <label> and exports without overwrite to `round-<r>.csv` beside the
 * manifest, once per round, each round starting at `go + r × 250 ms` so that several runners
 * really export at once. Prints each round's outcome (`ok` or the AuditError reason), comma-separated.
 */
import { dirname, join } from 'node:path';
import { loadDataset } from '../../src/core/data/dataset';
import { AuditError } from '../../src/core/errors';
import { exportCleanedLabels } from '../../src/core/export/exportLabels';
import { waitForGo } from './startTogether';

async function main(): Promise<void> {
  const [goFile, manifest, rounds, label] = process.argv.slice(2);
  if (goFile === undefined || manifest === undefined || rounds === undefined || label === undefined)
    throw new Error('usage: <go file> <manifest> <rounds> <label>');
  const dataset = await loadDataset(manifest);
  const decisions = Object.fromEntries(
    dataset.samples.slice(0, 10).map((sample) => [sample.path, { action: 'relabel' as const, label }]),
  );
  const start = await waitForGo(goFile);
  const outcomes: string[] = [];
  for (let round = 0; round < Number(rounds); round++) {
    await new Promise((go) => setTimeout(go, Math.max(0, start + 250 * round - Date.now())));
    try {
      await exportCleanedLabels(dataset, decisions, { outPath: join(dirname(manifest), `round-${round}.csv`) });
      outcomes.push('ok');
    } catch (error) {
      if (!(error instanceof AuditError)) throw error;
      outcomes.push(error.reason);
    }
  }
  process.stdout.write(outcomes.join(','));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
