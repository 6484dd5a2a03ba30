/**
 * The thumbnail URIs the host has sent, and which thumbnails to ask for next. No DOM, so it is
 * unit-tested in Node. Bounded: a reviewer scrolling through 100 000 samples must not leave
 * 100 000 URIs behind; the least recently shown are forgotten (and asked for again if needed,
 * which the host answers from its disk cache).
 */

/** URIs kept by default: many screens of cards. */
export const THUMBNAIL_STORE_LIMIT = 3000;

/** Sample path → URI of the image its card shows, least recently used dropped first. */
export class ThumbnailStore {
  // A Map iterates in insertion order; re-inserting on use makes its first key the least recent.
  private readonly uris = new Map<string, string>();
  private lastRequest = '';

  constructor(private readonly limit = THUMBNAIL_STORE_LIMIT) {}

  /** The URI for a card, if the host sent one (counts as a use). */
  get(path: string): string | undefined {
    const uri = this.uris.get(path);
    if (uri !== undefined) {
      this.uris.delete(path);
      this.uris.set(path, uri);
    }
    return uri;
  }

  /** Adds the host's answers, forgetting the least recently used beyond the limit. */
  add(thumbnails: Readonly<Record<string, string>>): void {
    for (const [path, uri] of Object.entries(thumbnails)) {
      this.uris.delete(path);
      this.uris.set(path, uri);
    }
    for (const path of this.uris.keys()) {
      if (this.uris.size <= this.limit) break;
      this.uris.delete(path);
    }
  }

  /** How many URIs are kept. */
  get size(): number {
    return this.uris.size;
  }

  /**
   * The request to send for the cards in view that have no image yet, or undefined when it would
   * repeat the last one (each render asks; the host needs to hear only of changes).
   */
  requestFor(shown: readonly string[]): string[] | undefined {
    const missing = shown.filter((path) => !this.uris.has(path));
    const key = missing.join('\n');
    if (key === this.lastRequest) return undefined;
    this.lastRequest = key;
    return missing.length > 0 ? missing : undefined;
  }

  /** Forgets everything (a new report: its images may have changed). */
  clear(): void {
    this.uris.clear();
    this.lastRequest = '';
  }
}
