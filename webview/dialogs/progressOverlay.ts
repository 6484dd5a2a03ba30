/**
 * The progress summary the toolbar's "Progress" button opens: reviewed / accepted / relabeled /
 * removed / kept among the flagged suspects, overall and per given class.
 */
import { el } from '../dom';
import { Modal } from './modal';
import type { ProgressTally, ReviewProgress } from './reviewProgress';

const COLUMNS: readonly [keyof ProgressTally, string][] = [
  ['total', 'Flagged'],
  ['reviewed', 'Reviewed'],
  ['accepted', 'Accepted'],
  ['relabeled', 'Relabeled'],
  ['removed', 'Removed'],
  ['kept', 'Kept'],
];

/** The progress dialog; hidden until {@link ProgressOverlay.show}. */
export class ProgressOverlay {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly note: HTMLElement;
  private readonly closeButton: HTMLElement;
  private readonly modal: Modal;

  /**
   * @param onClose - The reviewer asked to close it (button, Escape, backdrop).
   * @param fallbackFocus - Where the focus goes on close when the control that opened it is gone.
   */
  constructor(
    private readonly onClose: () => void,
    fallbackFocus: () => HTMLElement | undefined,
  ) {
    this.body = el('tbody');
    this.note = el('p', { className: 'progress-note' });
    this.closeButton = document.createElement('vscode-button');
    this.closeButton.textContent = 'Close';
    this.closeButton.addEventListener('click', () => this.onClose());
    const head = el('tr', {}, [
      el('th', { text: 'Given class', attrs: { scope: 'col' } }),
      ...COLUMNS.map(([, title]) => el('th', { text: title, attrs: { scope: 'col' } })),
    ]);
    const dialog = el(
      'div',
      {
        className: 'help-dialog progress-dialog',
        attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'progress-title' },
      },
      [
        el('h2', { text: 'Review progress', attrs: { id: 'progress-title' } }),
        el('table', { className: 'progress-table' }, [el('thead', {}, [head]), this.body]),
        this.note,
        el('div', { className: 'help-footer' }, [this.closeButton]),
      ],
    );
    dialog.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        this.onClose();
      }
    });
    this.element = el('div', { className: 'help-overlay', attrs: { hidden: '' } }, [dialog]);
    this.modal = new Modal(this.element, fallbackFocus);
    this.element.addEventListener('click', (event) => {
      if (event.target === this.element) this.onClose();
    });
  }

  /** True while the dialog is shown. */
  get visible(): boolean {
    return this.modal.isOpen;
  }

  /** Fills the table and shows it. */
  show(progress: ReviewProgress, hiddenFlagged: number): void {
    const row = (label: string, tally: ProgressTally, className = '') =>
      el('tr', { className }, [
        el('th', { text: label, attrs: { scope: 'row' } }),
        ...COLUMNS.map(([key]) => el('td', { text: String(tally[key]) })),
      ]);
    this.body.replaceChildren(
      row('All classes', progress.overall, 'progress-total'),
      ...progress.perClass.map(({ label, tally }) => row(label, tally)),
    );
    this.note.textContent =
      'Accepted: relabeled to the suggested class; relabeled: to another class.' +
      (hiddenFlagged > 0
        ? ` ${hiddenFlagged} more flagged samples are not listed (setting labelAudit.maxSuspectsShown).`
        : '');
    this.modal.open();
    this.closeButton.focus();
  }

  /** Hides the dialog. */
  hide(): void {
    if (this.visible) this.modal.close();
  }
}
