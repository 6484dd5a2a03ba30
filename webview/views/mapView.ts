/**
 * The Map view: the embedding map (mapPanel.ts) in place of the grid. Only reports with a map have it.
 */
import type { MapPanel } from './mapPanel';
import type { PageView, ReadyContent, ViewContext, ViewOutcome } from './pageView';

export class MapView implements PageView {
  constructor(private readonly panel: MapPanel) {}

  available(content: ReadyContent): boolean {
    return content.map !== undefined;
  }

  show({ content, state, region }: ViewContext): ViewOutcome {
    if (!content.map) return {};
    this.panel.element.hidden = false;
    this.panel.setModel({
      map: content.map,
      region: state.filters.region,
      inside: region?.mask,
      suspects: new Map(content.suspects.map((s) => [s.path, s])),
      selectedPaths: state.selection.selected,
    });
    return {};
  }

  hide(): void {
    this.panel.element.hidden = true;
  }
}
