/**
 * The notice above the suspects: classes too small (or too doubtful) for a reliable verdict, and the
 * merges the audit suggests, each with the way to the Classes view. Hidden in that view and when
 * there is nothing to say.
 */
import { el } from '../dom';
import type { ReviewView } from '../state/viewState';
import type { ReadyContent } from './pageView';

export class ClassNotice {
  readonly element: HTMLElement;

  /** @param onShowClasses - The notice's "Show classes" button. */
  constructor(private readonly onShowClasses: () => void) {
    this.element = el('div', { className: 'class-notice', attrs: { role: 'status', hidden: '' } });
  }

  show(content: ReadyContent, view: ReviewView): void {
    const warned = (content.classHealth ?? []).filter((c) => c.warning);
    const merges = content.mergeSuggestions ?? [];
    this.element.hidden = view === 'classes' || (warned.length === 0 && merges.length === 0);
    if (this.element.hidden) return;
    const parts: string[] = [];
    const rare = warned.filter((c) => c.enough !== undefined);
    const capped = warned.filter((c) => c.heldBack > 0);
    if (rare.length > 0) {
      const names = rare.map((c) => `“${c.name}” (${c.count} of about ${c.enough} needed)`).join(', ');
      parts.push(`Too few images for a reliable verdict: ${names}.`);
    }
    if (capped.length > 0) {
      parts.push(
        `The models reject more than half of ${capped.map((c) => `“${c.name}”`).join(', ')}: only the strongest half is flagged.`,
      );
    }
    for (const m of merges)
      parts.push(`The audit suggests merging “${m.from}” into “${m.into}”: the models mostly confuse them.`);
    const show = document.createElement('vscode-button');
    show.textContent = 'Show classes';
    show.secondary = true;
    show.addEventListener('click', () => this.onShowClasses());
    this.element.replaceChildren(
      el('span', { className: 'class-notice-icon', text: '⚠', attrs: { 'aria-hidden': 'true' } }),
      el('span', { text: parts.join(' ') }),
      show,
    );
  }

  hide(): void {
    this.element.hidden = true;
  }
}
