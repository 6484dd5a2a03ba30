import { resolve } from 'node:path';
import { DecisionStore } from './decisionStore';

/**
 * One {@link DecisionStore} per dataset for the whole extension host, shared by the review panel and
 * the editor's quick fixes, so a decision made in either is seen by the other at once (through the
 * store's `onDidChange`) and the two never write `decisions.json` from different memories.
 */
const stores = new Map<string, Promise<DecisionStore>>();

/** The store of a dataset, opened on first use. A failed open is not kept, so the next call retries. */
export function sharedDecisionStore(datasetRoot: string): Promise<DecisionStore> {
  const root = resolve(datasetRoot);
  let store = stores.get(root);
  if (!store) {
    store = DecisionStore.open(root);
    stores.set(root, store);
    store.catch(() => stores.delete(root));
  }
  return store;
}

/** Waits for every pending write, then drops the stores (on deactivation). */
export async function disposeSharedDecisionStores(): Promise<void> {
  const open = [...stores.values()];
  stores.clear();
  for (const pending of open) {
    const store = await pending.catch(() => undefined);
    await store?.flush();
    store?.dispose();
  }
}
