/**
 * The Issues view: the report's dataset-health section (issuePanel.ts) in place of the grid. Only
 * reports with a `health` section have it.
 */
import type { HealthView } from '../../src/protocol/webview';
import type { IssuePanel } from './issuePanel';
import type { PageView, ReadyContent, ViewContext, ViewOutcome } from './pageView';

export class IssuesView implements PageView {
  constructor(private readonly panel: IssuePanel) {}

  available(content: ReadyContent): boolean {
    return content.health !== undefined;
  }

  show({ content, decisions, region }: ViewContext): ViewOutcome {
    if (!content.health) return {};
    this.panel.element.hidden = false;
    this.panel.setModel(region ? healthWithin(content.health, region.paths) : content.health, decisions);
    return {};
  }

  hide(): void {
    this.panel.element.hidden = true;
  }
}

/** The health view with only the examples and leaked copies inside a map region. */
function healthWithin(health: HealthView, paths: ReadonlySet<string>): HealthView {
  return {
    ...health,
    issues: health.issues.map((issue) => ({ ...issue, examples: issue.examples.filter((e) => paths.has(e.path)) })),
    ...(health.leakySplits
      ? {
          leakySplits: {
            ...health.leakySplits,
            groups: health.leakySplits.groups.filter((g) => g.members.some((m) => paths.has(m.path))),
          },
        }
      : {}),
  };
}
