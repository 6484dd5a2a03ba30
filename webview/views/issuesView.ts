/**
 * The Issues view: the report's dataset-health section (issuePanel.ts) in place of the grid. Only
 * reports with a `health` section have it.
 */
import type { IssuePanel } from './issuePanel';
import type { PageView, ReadyContent, ViewContext, ViewOutcome } from './pageView';

export class IssuesView implements PageView {
  constructor(private readonly panel: IssuePanel) {}

  available(content: ReadyContent): boolean {
    return content.health !== undefined;
  }

  show({ content, decisions }: ViewContext): ViewOutcome {
    if (!content.health) return {};
    this.panel.element.hidden = false;
    this.panel.setModel(content.health, decisions);
    return {};
  }

  hide(): void {
    this.panel.element.hidden = true;
  }
}
