/**
 * The Issues view: the report's dataset-health section (issuePanel.ts) in place of the grid. Only
 * reports with a `health` section have it.
 */
import type { HealthView } from '../../src/protocol/webview';
import type { IssuePanel } from './issuePanel';
import type { PageView, ReadyContent, ViewContext, ViewOutcome } from './pageView';

export class IssuesView implements PageView {
  /** The health narrowed to the last region, kept so the panel is not rebuilt on every redraw. */
  private narrowed: { health: HealthView; paths: ReadonlySet<string>; result: HealthView } | undefined;

  /** @param onClearRegion - The note's "Clear selection": drop the map region from the filters. */
  constructor(
    private readonly panel: IssuePanel,
    private readonly onClearRegion: () => void,
  ) {}

  available(content: ReadyContent): boolean {
    return content.health !== undefined;
  }

  show({ content, decisions, region }: ViewContext): ViewOutcome {
    if (!content.health) return {};
    this.panel.element.hidden = false;
    if (!region) {
      this.panel.setModel(content.health, decisions);
      return {};
    }
    const cached = this.narrowed;
    const health =
      cached && cached.health === content.health && cached.paths === region.paths
        ? cached.result
        : healthWithin(content.health, region.paths);
    this.narrowed = { health: content.health, paths: region.paths, result: health };
    this.panel.setModel(health, decisions, { images: region.paths.size, onClear: this.onClearRegion });
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
