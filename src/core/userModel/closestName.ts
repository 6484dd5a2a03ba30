/** Spelling help for names the user typed: which of the known names they most likely meant. */

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate closest to `name`, ignoring case, or undefined when there is none or, with
 * `nearOnly`, when even the closest differs in more than half the name (at least 2 edits allowed).
 */
export function closestName(name: string, candidates: readonly string[], nearOnly = false): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return nearOnly && bestDistance > Math.max(2, Math.floor(name.length / 2)) ? undefined : best;
}
