/**
 * The Classes view: per-class figures, rare-class warnings and the class actions (classPanel.ts), in
 * place of the grid, drawn from the classes as the reviewer's merges and renames make them.
 */
import type { ClassPanel } from './classPanel';
import type { PageView, ViewContext, ViewOutcome } from './pageView';

export class ClassesView implements PageView {
  constructor(private readonly panel: ClassPanel) {}

  available(): boolean {
    return true;
  }

  show({ content, classActions }: ViewContext): ViewOutcome {
    this.panel.element.hidden = false;
    this.panel.show({
      classes: content.classes,
      health: content.classHealth,
      suggestions: content.mergeSuggestions ?? [],
      actions: classActions,
    });
    return {};
  }

  hide(): void {
    this.panel.element.hidden = true;
  }
}
