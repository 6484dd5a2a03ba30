/**
 * The Suspects view: the grid of the suspects the filters let through, with the class-swap heatmap
 * beside it when it is open, and the empty states (no suspects at all, none matching the filters).
 */
import { clearFilters, isFiltering, visibleSuspects, type Filters } from '../state/reviewState';
import { activeSwap } from '../state/swapState';
import type { PageView, ViewContext, ViewOutcome } from './pageView';
import type { SwapHeatmap } from './swapHeatmap';

export class SuspectsView implements PageView {
  /**
   * @param cardArea - The heatmap, grid and preview, shared with the Spot-check view.
   * @param onFilters - The reviewer asked for other filters (an empty state's button).
   */
  constructor(
    private readonly cardArea: HTMLElement,
    private readonly heatmap: SwapHeatmap,
    private readonly onFilters: (filters: Filters) => void,
  ) {}

  available(): boolean {
    return true;
  }

  show({ content, decisions, state, counts, region }: ViewContext): ViewOutcome {
    const { filters } = state;
    this.cardArea.hidden = false;
    const swapsShown = content.swaps !== undefined && state.swapsOpen;
    this.heatmap.element.hidden = !swapsShown;
    this.cardArea.classList.toggle('with-swaps', swapsShown);
    if (content.swaps && swapsShown) this.heatmap.show(content.swaps, activeSwap(filters));
    const cards = visibleSuspects(content.suspects, decisions, filters, region?.paths).map((i) => content.suspects[i]);
    if (cards.length > 0) return { cards };
    if (counts.total === 0 && !isFiltering(filters)) {
      const browse = content.suspects.length > 0 && !filters.includeUnflagged;
      return {
        cards,
        empty: {
          title: 'No suspects: the audit found no likely label errors',
          detail: `${content.auditedTotal} images were audited.`,
          action: browse
            ? { text: 'Browse all audited images', run: () => this.onFilters({ ...filters, includeUnflagged: true }) }
            : undefined,
          // Nothing to filter: the toolbar would only show zeros.
          hideToolbar: true,
        },
      };
    }
    return {
      cards,
      empty: {
        title: 'No suspects match the filters',
        detail: '',
        action: { text: 'Clear filters', run: () => this.onFilters(clearFilters(filters)) },
      },
    };
  }

  hide(): void {
    this.heatmap.element.hidden = true;
    this.cardArea.classList.remove('with-swaps');
    this.cardArea.hidden = true;
  }
}
