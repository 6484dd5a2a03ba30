/**
 * The keyboard help overlay that `?` toggles: the review keys, and the digit key of each class.
 */
import { el } from '../dom';
import { Modal } from './modal';
import { KEY_HELP } from '../state/keyboard';
import type { DigitKey } from '../state/reviewState';

/** The help overlay; hidden until {@link HelpOverlay.toggle}. */
export class HelpOverlay {
  readonly element: HTMLElement;
  private readonly classKeys: HTMLElement;
  private readonly closeButton: HTMLElement;
  private readonly modal: Modal;

  /**
   * @param onClose - The reviewer asked to close it (button, backdrop).
   * @param fallbackFocus - Where the focus goes on close when the control that opened it is gone.
   */
  constructor(
    private readonly onClose: () => void,
    fallbackFocus: () => HTMLElement | undefined,
  ) {
    this.classKeys = el('tbody');
    this.closeButton = document.createElement('vscode-button');
    this.closeButton.textContent = 'Close';
    this.closeButton.addEventListener('click', () => this.onClose());
    const rows = KEY_HELP.map(({ keys, does }) =>
      el('tr', {}, [el('th', { attrs: { scope: 'row' } }, [el('kbd', { text: keys })]), el('td', { text: does })]),
    );
    const dialog = el(
      'div',
      { className: 'help-dialog', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'help-title' } },
      [
        el('h2', { text: 'Keyboard shortcuts', attrs: { id: 'help-title' } }),
        el('table', { className: 'help-keys' }, [el('tbody', {}, rows)]),
        el('h3', { text: 'Relabel with a digit' }),
        el('table', { className: 'help-keys' }, [this.classKeys]),
        el('div', { className: 'help-footer' }, [this.closeButton]),
      ],
    );
    this.element = el('div', { className: 'help-overlay', attrs: { hidden: '' } }, [dialog]);
    this.modal = new Modal(this.element, fallbackFocus);
    // A click on the dimmed backdrop (not the dialog) closes it, as in VS Code's own dialogs.
    this.element.addEventListener('click', (event) => {
      if (event.target === this.element) this.onClose();
    });
  }

  /** True while the overlay is shown. */
  get visible(): boolean {
    return this.modal.isOpen;
  }

  /** Lists the digit key of each class ({@link digitKeys}). */
  setDigitKeys(keys: readonly DigitKey[]): void {
    this.classKeys.replaceChildren(
      ...(keys.length === 0
        ? [el('tr', {}, [el('td', { text: 'No classes yet.' })])]
        : keys.map(({ key, label }) =>
            el('tr', {}, [
              el('th', { attrs: { scope: 'row' } }, [el('kbd', { text: key })]),
              el('td', { text: `Relabel to “${label}”` }),
            ]),
          )),
    );
  }

  /** Shows or hides the overlay. */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    if (!visible) {
      this.modal.close();
      return;
    }
    this.modal.open();
    this.closeButton.focus();
  }
}
