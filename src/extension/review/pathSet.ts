/** A set of sample paths asked only whether it holds one: what the review session checks the webview's requests against. */
export interface PathSet {
  has(path: string): boolean;
}

/**
 * A {@link PathSet} of `paths` whose hash set is built on the first question rather than up front:
 * at a million samples that is over half a second the panel need not spend before it opens, and the
 * first question comes from a reviewer's click, after it has.
 */
export function lazyPathSet(paths: readonly string[]): PathSet {
  let set: ReadonlySet<string> | undefined;
  return {
    has(path) {
      set ??= new Set(paths);
      return set.has(path);
    },
  };
}
