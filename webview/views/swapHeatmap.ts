/**
 * The class-swap heatmap: rows are given labels, columns suggested (or estimated true) labels, each
 * cell the number of samples. A table, so screen readers announce row and column headers; every
 * off-diagonal cell with a count is a button that filters the grid to that swap. Colours come from
 * theme variables (styles/swaps.css); the heat is a CSS custom property set through the CSSOM, which the
 * page's CSP allows (no style attributes).
 */
import type { SwapMatrixView } from '../../src/protocol/webview';
import { el } from '../dom';
import { swapCells, swapTotal } from '../state/swapState';

/** How the heatmap reports clicks. */
export interface SwapHeatmapHandlers {
  /** A cell was clicked: toggle the filter to this swap. */
  onPick(given: string, suggested: string): void;
  /** The clear button: remove the swap filter. */
  onClear(): void;
  /** The merge button of the active swap: merge class `from` into `into`. */
  onMerge(from: string, into: string): void;
}

/** The heatmap panel. */
export class SwapHeatmap {
  readonly element: HTMLElement;
  private readonly note: HTMLElement;
  private readonly clear: HTMLElement;
  private readonly merge: HTMLElement;
  private active: { given: string; suggested: string } | null = null;
  private readonly scroller: HTMLElement;
  private matrix: SwapMatrixView | undefined;
  private buttons = new Map<string, HTMLButtonElement>();

  constructor(private readonly handlers: SwapHeatmapHandlers) {
    this.note = el('p', { className: 'swaps-note' });
    this.clear = document.createElement('vscode-button');
    this.clear.textContent = 'Clear swap filter';
    (this.clear as HTMLElement & { secondary: boolean }).secondary = true;
    this.clear.addEventListener('click', () => handlers.onClear());
    // The class action of a swap: shown for the active cell, so the reviewer has seen those samples first.
    this.merge = document.createElement('vscode-button');
    this.merge.className = 'swaps-merge';
    this.merge.hidden = true;
    this.merge.addEventListener('click', () => {
      if (this.active) handlers.onMerge(this.active.given, this.active.suggested);
    });
    this.scroller = el('div', { className: 'swaps-scroll' });
    this.scroller.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-given]');
      if (button) this.handlers.onPick(button.dataset.given ?? '', button.dataset.other ?? '');
    });
    // The context action of a cell (right click, or the context-menu key): select that swap and
    // offer its merge, without the browser's own menu, which has nothing for a cell.
    this.scroller.addEventListener('contextmenu', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-given]');
      if (!button) return;
      event.preventDefault();
      const given = button.dataset.given ?? '';
      const other = button.dataset.other ?? '';
      if (this.active?.given !== given || this.active.suggested !== other) this.handlers.onPick(given, other);
      this.merge.focus();
    });
    this.element = el('aside', { className: 'swaps-panel', attrs: { 'aria-label': 'Class swaps' } }, [
      el('div', { className: 'swaps-header' }, [el('h2', { text: 'Class swaps' }), this.clear]),
      this.note,
      this.merge,
      this.scroller,
    ]);
  }

  /** Draws a matrix (rebuilt only when it changes) and marks the active swap. */
  show(matrix: SwapMatrixView, active: { given: string; suggested: string } | null): void {
    if (matrix !== this.matrix) this.build(matrix);
    for (const [key, button] of this.buttons) {
      const on = active !== null && key === cellKey(active.given, active.suggested);
      button.classList.toggle('active', on);
      button.setAttribute('aria-pressed', String(on));
    }
    this.clear.hidden = active === null;
    this.active = active;
    this.merge.hidden = active === null;
    if (active) {
      this.merge.textContent = `Merge “${active.given}” into “${active.suggested}”`;
      this.merge.title = `Every image labeled “${active.given}” becomes “${active.suggested}” (undo: Ctrl/Cmd+Z)`;
    }
  }

  private build(matrix: SwapMatrixView): void {
    this.matrix = matrix;
    const total = swapTotal(matrix);
    this.note.textContent =
      matrix.source === 'flagged'
        ? `${total} flagged: given label (row) → suggested label (column). Click a cell to show those samples.`
        : `${total} estimated label errors: given label (row) → estimated true label (column). Click a cell to show the suspects with that swap.`;
    this.buttons = new Map();
    const head = el('tr', {}, [
      el('th', { className: 'swaps-corner', attrs: { scope: 'col' } }, [
        el('span', { className: 'visually-hidden', text: 'Given label' }),
      ]),
      ...matrix.classes.map((name) =>
        el('th', { className: 'swaps-column', attrs: { scope: 'col', title: name } }, [el('span', { text: name })]),
      ),
    ]);
    const rows = swapCells(matrix).map((row, g) =>
      el('tr', {}, [
        el('th', {
          className: 'swaps-row',
          text: matrix.classes[g],
          attrs: { scope: 'row', title: matrix.classes[g] },
        }),
        ...row.map((cell) => {
          const td = el('td', { className: cell.given === cell.other ? 'swaps-diagonal' : '' });
          if (cell.clickable) {
            const button = el('button', {
              className: 'swaps-cell',
              text: String(cell.count),
              attrs: { type: 'button', 'aria-label': cell.label, title: cell.label, 'aria-pressed': 'false' },
            });
            button.dataset.given = cell.given;
            button.dataset.other = cell.other;
            button.style.setProperty('--heat', `${Math.round(20 + 60 * cell.heat)}%`);
            // Past about two thirds of the colour, dark themes read better with dark digits (styles/swaps.css).
            button.classList.toggle('hot', cell.heat >= 0.75);
            this.buttons.set(cellKey(cell.given, cell.other), button);
            td.append(button);
          } else {
            // A span may not carry aria-label: the cell's words are hidden text, the dot is decoration.
            td.append(
              el('span', { className: 'swaps-cell empty', attrs: { title: cell.label } }, [
                el('span', { text: cell.given === cell.other ? '' : '·', attrs: { 'aria-hidden': 'true' } }),
                el('span', { className: 'visually-hidden', text: cell.label }),
              ]),
            );
          }
          return td;
        }),
      ]),
    );
    const short = matrix.classes.every((name) => name.length <= 3);
    const table = el('table', { className: `swaps-table${short ? ' short-names' : ''}` }, [
      el('caption', {
        className: 'visually-hidden',
        text: 'Samples by given label (rows) and suggested label (columns)',
      }),
      el('thead', {}, [head]),
      el('tbody', {}, rows),
    ]);
    this.scroller.replaceChildren(table);
  }
}

function cellKey(given: string, other: string): string {
  return JSON.stringify([given, other]);
}
