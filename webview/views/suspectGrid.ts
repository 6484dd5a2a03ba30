/**
 * The thumbnail grid. It is virtualised: cards have a fixed size, so the grid knows where every card
 * goes without measuring, and only the rows in view (plus a few above and below) exist in the DOM.
 * A thousand suspects therefore cost as much to show as forty. Cards show small thumbnails the host
 * makes on demand (`thumbnails/request`): the grid says which cards it shows, and draws each image
 * once its URI is known, never a full-size original.
 */
import type { Decision, Decisions, SuspectView } from '../../src/protocol/webview';
import { ownValue } from '../../src/core/shared/ownValue';
import { el, percent } from '../dom';
import { LAYOUT } from '../layout';
import { userModelFigures } from '../state/userModelFigures';

// Card size in CSS pixels (the styles read the same numbers as CSS variables); spacing is the grid's own.
const { cardWidth: CARD_WIDTH, cardHeight: CARD_HEIGHT } = LAYOUT;
const GAP = 8;
const PADDING = 8;
/** Rows rendered beyond the visible ones, so a fast scroll does not show blanks. */
const OVERSCAN_ROWS = 2;

/** What a card can ask the review to do. */
export type CardAction = 'accept' | 'keep' | 'relabel' | 'remove';

/** How the grid reports user input; the review decides what it means. */
export interface GridHandlers {
  /** A click on a card (not on one of its buttons). */
  onClick(path: string, modifiers: { range: boolean; toggle: boolean }): void;
  /** A click on a card's action button. */
  onAction(path: string, action: CardAction): void;
  /** A double click: open the image. */
  onOpen(path: string): void;
  /** The grid scrolled (to save the position). */
  onScroll(scrollTop: number): void;
  /** The URI of a card's thumbnail, once the host has sent it. */
  thumbnail(path: string): string | undefined;
  /** The cards now in the DOM, in order (after every render): their thumbnails are wanted. */
  onShown(paths: readonly string[]): void;
}

/** What the grid draws. */
export interface GridModel {
  /** The cards in display order. */
  readonly suspects: readonly SuspectView[];
  readonly decisions: Decisions;
  readonly focus: string | null;
  readonly selected: ReadonlySet<string>;
}

/** The virtualised grid of suspect cards. */
export class SuspectGrid {
  /** The scrolling element to put in the page. */
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLDivElement;
  private readonly cards = new Map<string, HTMLDivElement>();
  private model: GridModel = { suspects: [], decisions: {}, focus: null, selected: new Set() };
  private indexOf = new Map<string, number>();
  private columnCount = 1;
  private frame = 0;

  constructor(private readonly handlers: GridHandlers) {
    this.canvas = el('div', { className: 'grid-canvas' });
    this.element = el(
      'div',
      {
        className: 'grid',
        attrs: {
          role: 'listbox',
          'aria-multiselectable': 'true',
          'aria-label': 'Suspected label errors',
          tabindex: '0',
        },
      },
      [this.canvas],
    );
    this.element.addEventListener('scroll', () => {
      this.scheduleRender();
      handlers.onScroll(this.element.scrollTop);
    });
    this.element.addEventListener('click', (event) => this.onClick(event));
    this.element.addEventListener('dblclick', (event) => {
      const path = this.cardPath(event);
      if (path !== undefined && !(event.target as Element).closest('[data-action]')) handlers.onOpen(path);
    });
    new ResizeObserver(() => this.render()).observe(this.element);
  }

  /** Cards per row at the current width (arrow up/down move by this much). */
  get columns(): number {
    return this.columnCount;
  }

  /** Cards that fit in one screen (Page Up/Down move by this much). */
  get pageSize(): number {
    const rows = Math.max(1, Math.floor(this.element.clientHeight / (CARD_HEIGHT + GAP)));
    return rows * this.columnCount;
  }

  /** Draws a new model; cards that stay in view are updated in place. */
  setModel(model: GridModel): void {
    if (model.suspects !== this.model.suspects) {
      this.indexOf = new Map(model.suspects.map((s, i) => [s.path, i]));
    }
    this.model = model;
    this.render();
  }

  /** Scrolls the least needed to show a card. */
  reveal(path: string): void {
    const index = this.indexOf.get(path);
    if (index === undefined) return;
    const top = PADDING + Math.floor(index / this.columnCount) * (CARD_HEIGHT + GAP);
    const view = this.element;
    if (top < view.scrollTop) view.scrollTop = top - PADDING;
    else if (top + CARD_HEIGHT > view.scrollTop + view.clientHeight)
      view.scrollTop = top + CARD_HEIGHT + PADDING - view.clientHeight;
    this.render();
  }

  /** Shows the thumbnails that arrived since the cards were drawn. */
  showThumbnails(): void {
    for (const [path, card] of this.cards) showImage(card, this.handlers.thumbnail(path));
  }

  /** Restores a saved scroll position once the cards are there. */
  restoreScroll(scrollTop: number): void {
    this.element.scrollTop = scrollTop;
    this.render();
  }

  private scheduleRender(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const { suspects } = this.model;
    const width = this.element.clientWidth;
    this.columnCount = Math.max(1, Math.floor((width - 2 * PADDING + GAP) / (CARD_WIDTH + GAP)));
    // Centre the columns: the space a partial column would take is shared on both sides.
    const left =
      PADDING + Math.max(0, Math.floor((width - 2 * PADDING + GAP - this.columnCount * (CARD_WIDTH + GAP)) / 2));
    const rowHeight = CARD_HEIGHT + GAP;
    const rows = Math.ceil(suspects.length / this.columnCount);
    this.canvas.style.height = `${rows > 0 ? 2 * PADDING + rows * rowHeight - GAP : 0}px`;
    const firstRow = Math.max(0, Math.floor((this.element.scrollTop - PADDING) / rowHeight) - OVERSCAN_ROWS);
    const lastRow = Math.min(
      rows,
      Math.ceil((this.element.scrollTop + this.element.clientHeight) / rowHeight) + OVERSCAN_ROWS,
    );
    const start = firstRow * this.columnCount;
    const end = Math.min(suspects.length, lastRow * this.columnCount);

    const wanted = new Set<string>();
    for (let i = start; i < end; i++) wanted.add(suspects[i].path);
    for (const [path, card] of this.cards) {
      if (!wanted.has(path)) {
        card.remove();
        this.cards.delete(path);
      }
    }
    for (let i = start; i < end; i++) {
      const suspect = suspects[i];
      let card = this.cards.get(suspect.path);
      if (!card) {
        card = createCard(suspect);
        this.cards.set(suspect.path, card);
        this.canvas.append(card);
      }
      const x = left + (i % this.columnCount) * (CARD_WIDTH + GAP);
      const y = PADDING + Math.floor(i / this.columnCount) * rowHeight;
      card.style.transform = `translate(${x}px, ${y}px)`;
      showImage(card, this.handlers.thumbnail(suspect.path));
      paintCard(card, suspect, ownValue(this.model.decisions, suspect.path), {
        focused: this.model.focus === suspect.path,
        selected: this.model.selected.has(suspect.path),
        position: i + 1,
        count: suspects.length,
      });
    }
    const focusCard = this.model.focus === null ? undefined : this.cards.get(this.model.focus);
    if (focusCard) this.element.setAttribute('aria-activedescendant', focusCard.id);
    else this.element.removeAttribute('aria-activedescendant');
    this.handlers.onShown([...wanted]);
  }

  private cardPath(event: Event): string | undefined {
    const card = (event.target as Element).closest<HTMLElement>('.card');
    return card?.dataset.path;
  }

  private onClick(event: MouseEvent): void {
    const path = this.cardPath(event);
    if (path === undefined) return;
    const button = (event.target as Element).closest<HTMLElement>('[data-action]');
    if (button) {
      this.handlers.onAction(path, button.dataset.action as CardAction);
      return;
    }
    this.handlers.onClick(path, { range: event.shiftKey, toggle: event.ctrlKey || event.metaKey });
  }
}

let cardIds = 0;

function createCard(suspect: SuspectView): HTMLDivElement {
  const card = el('div', { className: 'card', attrs: { role: 'option', id: `card-${++cardIds}` } }, [
    // Empty until the host sends the thumbnail (showImage).
    el('div', { className: 'thumb' }),
    // Up to two lines, so long class names stay readable; the full names are in the title and the card's name.
    // The card is named by its content (image alt, labels, figures, status), so its name holds every
    // visible word; the hidden word and the arrow's name say which label is which.
    el('div', { className: 'card-labels' }, [
      el('span', { className: 'visually-hidden', text: 'given ' }),
      el('span', { className: 'label-given' }),
      // Read out as "suggested", seen as an arrow. The label's spaces keep the card's accessible name
      // from running the words together ("given A suggested B").
      el('span', { className: 'label-arrow', text: ' → ', attrs: { role: 'img', 'aria-label': ' suggested ' } }),
      el('span', { className: 'label-suggested' }),
    ]),
    el('div', { className: 'card-figures' }),
    el('div', { className: 'card-status' }),
    // The buttons are for the mouse: the keyboard acts on the focused card with the same keys (Enter,
    // K, R, Delete), and an option may hold no focusable controls, so they are not <button>s but
    // spans out of the accessibility tree. Icons with tooltips: words were cut to "K…" and "Rel…" in
    // an editor whose font is wider than ours, and an icon is as wide in every font.
    el('div', { className: 'card-actions', attrs: { 'aria-hidden': 'true' } }, [
      cardButton('accept', 'check', 'Accept the suggested label (Enter)'),
      cardButton('keep', 'lock', 'Keep the given label (K)'),
      cardButton('relabel', 'tag', 'Relabel to another class (R)'),
      cardButton('remove', 'trash', 'Remove from the dataset (Delete)'),
    ]),
  ]);
  card.dataset.path = suspect.path;
  return card;
}

/** Puts the thumbnail in a card once its URI is known; an image without one would decode nothing and show a broken icon. */
function showImage(card: HTMLDivElement, uri: string | undefined): void {
  if (uri === undefined) return;
  const thumb = card.querySelector('.thumb') as HTMLElement;
  let image = thumb.firstElementChild as HTMLImageElement | null;
  if (!image) {
    image = el('img', { attrs: { alt: card.dataset.path ?? '', decoding: 'async', draggable: 'false' } });
    const img = image;
    // Small images (28×28 digits) scale up with crisp pixels; larger ones are smoothed as usual.
    img.addEventListener('load', () => img.classList.toggle('pixelated', img.naturalWidth < 112));
    thumb.append(img);
  }
  if (image.getAttribute('src') !== uri) image.src = uri;
}

/** The codicons the card buttons show (webview/styles/icons.css names each one). */
type CardIcon = 'check' | 'lock' | 'tag' | 'trash';

function cardButton(action: CardAction, icon: CardIcon, title: string): HTMLElement {
  // Not a tab stop, not focusable at all: the grid is one stop and the keyboard works through it.
  const button = el('span', { className: `card-button card-icon-button card-button-${action}`, attrs: { title } }, [
    el('span', { className: `codicon codicon-${icon}` }),
  ]);
  button.dataset.action = action;
  return button;
}

function paintCard(
  card: HTMLDivElement,
  suspect: SuspectView,
  decision: Decision | undefined,
  state: { focused: boolean; selected: boolean; position: number; count: number },
): void {
  card.classList.toggle('focused', state.focused);
  card.classList.toggle('selected', state.selected);
  card.classList.toggle('unflagged', !suspect.flagged);
  for (const action of ['keep', 'relabel', 'remove'] as const)
    card.classList.toggle(`decided-${action}`, decision?.action === action);
  card.setAttribute('aria-selected', String(state.selected));
  card.setAttribute('aria-posinset', String(state.position));
  card.setAttribute('aria-setsize', String(state.count));

  const given = card.querySelector('.label-given') as HTMLElement;
  const suggested = card.querySelector('.label-suggested') as HTMLElement;
  setText(given, suspect.givenLabel);
  setText(suggested, suspect.suggestedLabel);
  const figures = card.querySelector('.card-figures') as HTMLElement;
  setText(
    figures,
    `ERM ${percent(suspect.ermGiven)} · mixup ${percent(suspect.mixupGiven)} → ${percent(suspect.mixupSuggested)}`,
  );
  figures.title =
    `ERM confidence in the given label: ${percent(suspect.ermGiven)}\n` +
    `mixup confidence in the given label: ${percent(suspect.mixupGiven)}\n` +
    `mixup confidence in the suggested label: ${percent(suspect.mixupSuggested)}\n` +
    `Suspicion score: ${suspect.score.toFixed(2)}${suspect.flagged ? '' : ' (not flagged)'}` +
    userModelFigures(suspect)
      .map(({ term, value }) => `\nYour model, ${term.toLowerCase()}: ${value}`)
      .join('');
  // A set of byte-identical files is one card: say how many it decides for.
  const copies = suspect.copies && suspect.copies > 1 ? ` · ${suspect.copies.toLocaleString('en-US')} copies` : '';
  setText(
    card.querySelector('.card-status') as HTMLElement,
    `${statusText(decision)} · score ${suspect.score.toFixed(2)}${copies}`,
  );
  const labels = card.querySelector('.card-labels') as HTMLElement;
  labels.title = `Given label: ${suspect.givenLabel}\nSuggested label: ${suspect.suggestedLabel}`;
  const accept = card.querySelector('.card-button-accept') as HTMLButtonElement;
  accept.title =
    suspect.suggestedLabel === suspect.givenLabel
      ? 'Accept the given label (Enter)'
      : `Accept the suggested label “${suspect.suggestedLabel}” (Enter)`;
}

/** How a card names its decision. */
export function statusText(decision: Decision | undefined): string {
  switch (decision?.action) {
    case undefined:
      return 'Pending';
    case 'keep':
      return 'Kept';
    case 'remove':
      return 'Removed';
    case 'relabel':
      return `Relabeled → ${decision.label}`;
  }
}

// Writing the same text again would still cost a layout; most repaints change nothing.
function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
