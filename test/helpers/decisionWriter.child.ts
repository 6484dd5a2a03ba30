/**
 * A second review window, as a process of its own: opens the decision store of a dataset and saves
 * one decision per given sample path, in bursts (several changes in flight) and one at a time
 * alternately, as fast as it can. Run by the shared-decisions tests:
 * `runTogether(decisionWriter.child.ts, [[<dataset root>, <label>, <path>...], ...])`; each process
 * opens its store, then waits for the go so that both really write at once.
 */
import { DecisionStore } from '../../src/extension/review/decisionStore';
import { waitForGo } from './startTogether';

async function main(): Promise<void> {
  const [goFile, root, label, ...paths] = process.argv.slice(2);
  if (goFile === undefined || root === undefined || label === undefined)
    throw new Error('usage: <go file> <root> <label> <path>...');
  const store = await DecisionStore.open(root);
  await waitForGo(goFile);
  for (let i = 0; i < paths.length;) {
    if (i % 2 === 0) {
      // A burst: three changes before the first is written.
      const burst = paths.slice(i, i + 3);
      await Promise.all(burst.map((path) => store.decide(path, { action: 'relabel', label })));
      i += burst.length;
    } else {
      await store.decide(paths[i] as string, { action: 'relabel', label });
      i++;
    }
  }
  await store.flush();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
