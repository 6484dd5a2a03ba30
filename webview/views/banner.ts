/**
 * The banner above the toolbar for a refusal or a notice ("Every card shown has a decision"): an alert
 * with a Dismiss button, closed by that button or by Escape.
 */
import { el } from '../dom';

export class Banner {
  readonly element: HTMLElement;
  private readonly text: HTMLElement;

  /** @param onDismissed - The banner was closed (the page puts the focus somewhere sensible). */
  constructor(private readonly onDismissed: () => void) {
    this.text = el('span', { className: 'banner-text' });
    const close = el('button', {
      className: 'banner-close',
      text: 'Dismiss',
      attrs: { type: 'button', title: 'Dismiss this message (Escape)' },
    });
    close.addEventListener('click', () => this.dismiss());
    this.element = el('div', { className: 'banner', attrs: { role: 'alert', hidden: '' } }, [this.text, close]);
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  show(message: string): void {
    this.text.textContent = message;
    this.element.hidden = false;
  }

  dismiss(): void {
    if (!this.visible) return;
    this.element.hidden = true;
    this.onDismissed();
  }
}
