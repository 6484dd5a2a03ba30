/**
 * The Spot-check view: a random sample of the images the audit did not flag, at the size picked, in
 * the grid; and the toolbar's line about it (what the reviewer found, how many errors were missed).
 */
import type { SuspectView } from '../../src/protocol/webview';
import { spotCheckEstimate, spotCheckSamples, spotCheckSizes, spotCheckText } from '../state/spotCheckState';
import type { PageView, ReadyContent, ViewContext, ViewOutcome } from './pageView';
import type { ToolbarModel } from './toolbar';

/** The spot check at the size picked. */
export interface SpotCheckSummary {
  readonly samples: readonly SuspectView[];
  readonly toolbar: NonNullable<ToolbarModel['spotCheck']>;
}

export class SpotCheckView implements PageView {
  /** @param cardArea - The heatmap, grid and preview, shared with the Suspects view. */
  constructor(private readonly cardArea: HTMLElement) {}

  available(content: ReadyContent): boolean {
    return content.spotCheck !== undefined;
  }

  /** The spot check's images and its toolbar line; undefined when the report has no unflagged samples. */
  summary({ content, decisions, state }: ViewContext): SpotCheckSummary | undefined {
    const pool = content.spotCheck;
    if (!pool) return undefined;
    const sizes = spotCheckSizes(pool.unflaggedTotal);
    // The size picked, or the nearest offered one when this report has fewer unflagged samples.
    const size = sizes.includes(state.spotCheckSize)
      ? state.spotCheckSize
      : (sizes.filter((n) => n <= state.spotCheckSize).pop() ?? sizes[0]);
    const samples = spotCheckSamples(pool, size);
    const estimate = spotCheckEstimate(samples, decisions, pool.unflaggedTotal);
    return {
      samples,
      toolbar: {
        sizes,
        size,
        text: spotCheckText(estimate, size, pool.unflaggedTotal),
        counter: `${estimate?.checked ?? 0} checked of ${size}`,
      },
    };
  }

  show(context: ViewContext): ViewOutcome {
    this.cardArea.hidden = false;
    return { cards: this.summary(context)?.samples ?? [] };
  }

  hide(): void {
    this.cardArea.hidden = true;
  }
}
