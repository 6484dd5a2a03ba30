/**
 * Bounds the pixels being decoded at once. Decoding a W×H image holds about 3·W·H bytes (plus
 * libvips' working copies) until it is resized, so a pool of 2 × cores decodes that are each just
 * under the 50-megapixel limit needs gigabytes on a large machine. Each decode takes its pixel count
 * from the budget first and waits while the budget is spent; one image larger than the whole budget
 * still runs, alone. Small images (the usual case) never wait.
 */
export class PixelBudget {
  private inFlight = 0;
  private readonly waiting: { pixels: number; start: () => void }[] = [];

  /** @param limit - Pixels allowed in flight at once (> 0). */
  constructor(readonly limit: number) {
    if (!(limit > 0)) throw new RangeError(`pixel budget must be above 0, not ${limit}`);
  }

  /** Pixels currently taken. */
  get taken(): number {
    return this.inFlight;
  }

  /** Runs `task` once `pixels` fit in the budget (first come, first served), then gives them back. */
  async run<T>(pixels: number, task: () => Promise<T>): Promise<T> {
    await this.acquire(pixels);
    try {
      return await task();
    } finally {
      this.release(pixels);
    }
  }

  private acquire(pixels: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(pixels)) {
      this.inFlight += pixels;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ pixels, start: resolve }));
  }

  private release(pixels: number): void {
    this.inFlight -= pixels;
    // In order: a large image waiting is not starved by a stream of small ones behind it.
    while (this.waiting.length > 0 && this.fits(this.waiting[0].pixels)) {
      const next = this.waiting.shift()!;
      this.inFlight += next.pixels;
      next.start();
    }
  }

  private fits(pixels: number): boolean {
    return this.inFlight === 0 || this.inFlight + pixels <= this.limit;
  }
}
