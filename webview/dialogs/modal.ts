/**
 * What makes the page's overlays real modal dialogs: while one is open everything else on the page
 * is `inert` (Tab, clicks and screen readers stay inside the dialog), and when it closes the focus
 * goes back to the control that opened it — or, if that control is gone (a re-rendered card), to the
 * fallback the page names (the grid).
 */
import { focusables } from '../dom';

export class Modal {
  private opener: HTMLElement | undefined;
  private madeInert: HTMLElement[] = [];

  /**
   * @param overlay - The dialog's overlay, a child of the page root.
   * @param fallback - Where the focus goes on close when the opener is gone or was the page itself.
   */
  constructor(
    private readonly overlay: HTMLElement,
    private readonly fallback: () => HTMLElement | undefined,
  ) {
    // Inert keeps the page out of reach, but Tab past the dialog's last control would leave the
    // document: wrap around instead. Capture phase, because dialogs stop their keys from bubbling.
    overlay.addEventListener('keydown', (event) => this.wrapTab(event), true);
  }

  private wrapTab(event: KeyboardEvent): void {
    if (event.key !== 'Tab') return;
    const controls = focusables(this.overlay);
    if (controls.length === 0) return;
    const active = document.activeElement;
    const index = controls.findIndex((c) => c === active || c.contains(active));
    const last = controls.length - 1;
    if (event.shiftKey ? index <= 0 : index === last || index < 0) {
      event.preventDefault();
      controls[event.shiftKey ? last : 0].focus();
    }
  }

  get isOpen(): boolean {
    return !this.overlay.hidden;
  }

  /** Shows the overlay and makes its siblings inert; remembers where the focus was. */
  open(): void {
    if (!this.isOpen) this.opener = activeElement();
    this.overlay.hidden = false;
    const parent = this.overlay.parentElement;
    if (!parent) return;
    for (const child of parent.children) {
      if (child !== this.overlay && child instanceof HTMLElement && !child.inert) {
        child.inert = true;
        this.madeInert.push(child);
      }
    }
  }

  /** Hides the overlay, gives the page back, and returns the focus. */
  close(): void {
    this.overlay.hidden = true;
    for (const element of this.madeInert) element.inert = false;
    this.madeInert = [];
    const opener = this.opener;
    this.opener = undefined;
    const target = opener?.isConnected && !opener.closest('[hidden]') ? opener : this.fallback();
    target?.focus({ preventScroll: true });
  }
}

/** The focused element, looking through shadow roots to the light-DOM host (a vscode-button, say). */
function activeElement(): HTMLElement | undefined {
  const active = document.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : undefined;
}
