import { ThumbnailSkipped, type ThumbnailCache } from './thumbnailCache';

/** How long answers are collected before they are sent, so a screen of cards costs a few messages, not one per card. */
const BATCH_MS = 30;

/**
 * The host's side of `thumbnails/request`: the webview asks for the cards it shows, and each answer
 * maps a sample path to the URI of what to show (its thumbnail, or the original when that is small
 * or cannot be thumbnailed). Each request replaces the previous one: thumbnails of cards scrolled
 * away before their turn are not made. Free of `vscode` (the URI maker is passed in), so the browser
 * harness runs it too.
 */
export class ThumbnailRequests {
  private current = new AbortController();
  // A Map, not an object: a sample path is any name, "__proto__" included.
  private batch = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  /**
   * @param cache - The dataset's thumbnail cache.
   * @param uriOf - The URI the webview loads an absolute file from (`asWebviewUri`).
   * @param originalOf - The absolute file of a sample path, shown when no thumbnail can be made; undefined
   *   when the path leads outside the dataset (nothing is shown then).
   * @param send - Posts `thumbnails/didCreate` with a batch of answers.
   * @param log - Where a failed thumbnail is reported.
   */
  constructor(
    private readonly cache: ThumbnailCache,
    private readonly uriOf: (file: string) => string,
    private readonly originalOf: (path: string) => Promise<string | undefined>,
    private readonly send: (thumbnails: Record<string, string>) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Makes (or finds) the thumbnails of `paths`, dropping whatever the previous request still had queued. */
  request(paths: readonly string[]): void {
    this.current.abort();
    this.current = new AbortController();
    const signal = this.current.signal;
    for (const path of paths) {
      this.cache.file(path, signal).then(
        (file) => this.answer(path, file),
        (error: unknown) => {
          if (error instanceof ThumbnailSkipped) return;
          // The grid still shows the image if the browser can decode it; the log says why there is no thumbnail.
          this.log(`No thumbnail for ${path}: ${error instanceof Error ? error.message : String(error)}`);
          void this.originalOf(path).then((original) => {
            if (original !== undefined) this.answer(path, original);
          });
        },
      );
    }
  }

  /** Stops answering (the panel closed); thumbnails being made are still written. */
  dispose(): void {
    this.disposed = true;
    this.current.abort();
    clearTimeout(this.timer);
  }

  private answer(path: string, file: string): void {
    if (this.disposed) return;
    this.batch.set(path, this.uriOf(file));
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const batch = this.batch;
      this.batch = new Map();
      this.send(Object.fromEntries(batch));
    }, BATCH_MS);
  }
}
