/**
 * The Conflicts view: the groups of copies of one image that carry different labels, in place of the
 * grid, scrolled back to where the reviewer left them after a reload.
 */
import type { ConflictList } from './conflictList';
import type { PageView, ReadyContent, ViewContext, ViewOutcome } from './pageView';

export class ConflictsView implements PageView {
  private pendingScroll: number | undefined;

  constructor(private readonly list: ConflictList) {}

  /** Scrolls to `top` the next time the view is shown (once its rows exist). */
  scrollOnNextShow(top: number | undefined): void {
    this.pendingScroll = top;
  }

  available(content: ReadyContent): boolean {
    return (content.conflicts ?? []).length > 0;
  }

  show({ content, decisions }: ViewContext): ViewOutcome {
    this.list.element.hidden = false;
    this.list.setModel(content.conflicts ?? [], decisions, content.classes);
    if (this.pendingScroll !== undefined) {
      this.list.restoreScroll(this.pendingScroll);
      this.pendingScroll = undefined;
    }
    return {};
  }

  hide(): void {
    this.list.element.hidden = true;
  }
}
