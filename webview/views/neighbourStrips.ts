/**
 * The evidence under the preview: two strips of thumbnails, the images closest to the selected
 * suspect among those labelled with its given label and among those labelled with the suggested
 * one (the report's `neighbours`). A click opens the image; the distance shows on hover.
 */
import type { NeighbourView, SuspectView } from '../../src/protocol/webview';
import { el } from '../dom';
import { LAYOUT } from '../layout';

/** Side of a neighbour thumbnail in CSS pixels (the styles read it as `--neighbour-size`). */
const THUMB_SIZE = LAYOUT.neighbourSize;

/** The two strips. */
export class NeighbourStrips {
  readonly element: HTMLElement;
  private shownFor: SuspectView | undefined;

  constructor(private readonly onOpen: (path: string) => void) {
    this.element = el('section', { className: 'neighbours', attrs: { 'aria-label': 'Closest samples' } });
  }

  /** Shows the neighbours of `suspect`; hidden when it has none (not flagged, or an older report). */
  show(suspect: SuspectView | undefined): void {
    // The same card again (a decision redraws the pane): keep the loaded images.
    if (suspect === this.shownFor) return;
    this.shownFor = suspect;
    const neighbours = suspect?.neighbours;
    this.element.hidden = neighbours === undefined;
    if (!suspect || !neighbours) {
      this.element.replaceChildren();
      return;
    }
    this.element.replaceChildren(
      this.strip('given', `Closest under given label ‘${suspect.givenLabel}’`, suspect.givenLabel, neighbours.given),
      this.strip(
        'suggested',
        `Closest under suggested label ‘${suspect.suggestedLabel}’`,
        suspect.suggestedLabel,
        neighbours.suggested,
      ),
    );
  }

  private strip(
    side: 'given' | 'suggested',
    heading: string,
    label: string,
    list: readonly NeighbourView[],
  ): HTMLElement {
    const title = el('div', { className: 'neighbours-heading', text: heading });
    const body =
      list.length === 0
        ? el('div', { className: 'neighbours-none', text: `No unflagged sample is labelled ‘${label}’.` })
        : el(
            'div',
            { className: 'neighbours-row' },
            list.map((n, i) => this.thumbnail(n, i)),
          );
    return el('div', { className: 'neighbours-strip', attrs: { 'data-side': side } }, [title, body]);
  }

  private thumbnail(neighbour: NeighbourView, rank: number): HTMLElement {
    const distance = neighbour.distance.toFixed(3);
    const image = el('img', { attrs: { alt: '', draggable: 'false', src: neighbour.imageUri } });
    // Small images (28×28 digits) are enlarged with crisp pixels, as on the cards.
    image.addEventListener('load', () => image.classList.toggle('pixelated', image.naturalWidth < THUMB_SIZE));
    const button = el(
      'button',
      {
        className: 'neighbour',
        attrs: {
          type: 'button',
          title: `${neighbour.path}\ndistance ${distance} (#${rank + 1} nearest); click to open`,
          'aria-label': `Open ${neighbour.path}, distance ${distance}`,
          'data-path': neighbour.path,
        },
      },
      [image],
    );
    button.addEventListener('click', () => this.onOpen(neighbour.path));
    return button;
  }
}
