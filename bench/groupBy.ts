// Grouping a benchmark's runs into the rows of its table (bench:dynamics, bench:levers): one place,
// so every table lists its rows in the order the runs first produced them.

/** `items` grouped by `key`: each group in input order, the groups in the order of their first item. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}
