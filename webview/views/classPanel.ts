/**
 * The "Classes" view: the rare-class warnings, the audit's merge suggestions, a bar chart of images
 * and flag rates per class, and the class actions (merge two classes, rename one) with the list of
 * those made so far. The chart is a table (screen readers announce each row's figures); the bars
 * are decoration sized through the CSSOM, which the page's CSP allows. Colours are theme variables.
 */
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { ClassAction, ClassHealth, MergeSuggestion } from '../../src/protocol/webview';
import { classBars, describeClassAction, mergeHint, percent, type ClassBar } from '../state/appliedClassActions';
import { el } from '../dom';

/** How the panel reports the reviewer's class actions; each returns why it was refused, if it was. */
export interface ClassPanelHandlers {
  onMerge(from: string, into: string): string | undefined;
  onRename(from: string, to: string): string | undefined;
  onUndo(): void;
}

/** What the panel shows. */
export interface ClassPanelModel {
  /** The classes as the reviewer now sees them (after the class actions). */
  readonly classes: readonly string[];
  /** Per-class figures after the class actions; undefined when the report predates them. */
  readonly health: readonly ClassHealth[] | undefined;
  readonly suggestions: readonly MergeSuggestion[];
  readonly actions: readonly ClassAction[];
}

/** The classes view. */
export class ClassPanel {
  readonly element: HTMLElement;
  private readonly warnings: HTMLElement;
  private readonly hints: HTMLElement;
  private readonly chart: HTMLElement;
  private readonly history: HTMLElement;
  private readonly renameFrom: VscodeSingleSelect;
  private readonly renameTo: VscodeTextfield;
  private readonly mergeFrom: VscodeSingleSelect;
  private readonly mergeInto: VscodeSingleSelect;
  private readonly problem: HTMLElement;
  private classes: readonly string[] = [];

  constructor(private readonly handlers: ClassPanelHandlers) {
    this.warnings = el('div', { className: 'class-warnings', attrs: { role: 'status' } });
    this.hints = el('div', { className: 'merge-hints' });
    this.chart = el('div', { className: 'class-chart' });
    this.history = el('div', { className: 'class-history' });
    this.renameFrom = select('Class to rename');
    this.renameTo = document.createElement('vscode-textfield');
    this.renameTo.setAttribute('aria-label', 'New class name');
    this.renameTo.placeholder = 'new name (any text, "/" allowed)';
    this.renameTo.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.rename();
    });
    this.mergeFrom = select('Class to merge');
    this.mergeInto = select('Class to merge into');
    this.problem = el('p', { className: 'class-problem', attrs: { role: 'alert', hidden: '' } });
    const renameButton = button('Rename', () => this.rename());
    const mergeButton = button('Merge', () => this.merge());
    const forms = el('div', { className: 'class-forms' }, [
      el('div', { className: 'class-form', attrs: { role: 'group', 'aria-label': 'Rename a class' } }, [
        el('span', { text: 'Rename' }),
        this.renameFrom,
        el('span', { text: 'to' }),
        this.renameTo,
        renameButton,
      ]),
      el('div', { className: 'class-form', attrs: { role: 'group', 'aria-label': 'Merge two classes' } }, [
        el('span', { text: 'Merge' }),
        this.mergeFrom,
        el('span', { text: 'into' }),
        this.mergeInto,
        mergeButton,
      ]),
      this.problem,
    ]);
    this.element = el('section', { className: 'class-panel', attrs: { 'aria-label': 'Classes' } }, [
      this.warnings,
      this.hints,
      el('h2', { text: 'Images and flags per class' }),
      this.chart,
      el('h2', { text: 'Class actions' }),
      forms,
      this.history,
    ]);
  }

  /** Redraws everything from the model. */
  show(model: ClassPanelModel): void {
    if (model.classes.join('\n') !== this.classes.join('\n')) {
      this.classes = model.classes;
      for (const s of [this.renameFrom, this.mergeFrom, this.mergeInto]) setOptions(s, model.classes);
      if (model.classes.length > 1) this.mergeInto.value = model.classes[1];
    }
    const bars = classBars(model.health);
    this.drawWarnings(bars);
    this.drawHints(model.suggestions);
    this.drawChart(bars);
    this.drawHistory(model.actions);
  }

  /** Puts a class into the forms (a click on its row in the chart). */
  private pick(name: string): void {
    this.renameFrom.value = name;
    this.mergeFrom.value = name;
    if (this.mergeInto.value === name) this.mergeInto.value = this.classes.find((c) => c !== name) ?? name;
  }

  private rename(): void {
    this.report(this.handlers.onRename(this.renameFrom.value, this.renameTo.value.trim()));
    if (this.problem.hidden) this.renameTo.value = '';
  }

  private merge(): void {
    this.report(this.handlers.onMerge(this.mergeFrom.value, this.mergeInto.value));
  }

  private report(problem: string | undefined): void {
    this.problem.textContent = problem ?? '';
    this.problem.hidden = problem === undefined;
  }

  private drawWarnings(bars: readonly ClassBar[]): void {
    const warned = bars.filter((b) => b.warning);
    this.warnings.hidden = warned.length === 0;
    this.warnings.replaceChildren(
      el('strong', {
        text: `${warned.length} ${warned.length === 1 ? 'class' : 'classes'} too small or too doubtful for a reliable verdict`,
      }),
      el(
        'ul',
        {},
        warned.map((b) => el('li', { text: `${b.name}: ${b.warning}` })),
      ),
    );
  }

  private drawHints(suggestions: readonly MergeSuggestion[]): void {
    this.hints.hidden = suggestions.length === 0;
    this.hints.replaceChildren(
      ...suggestions.map((m) =>
        el('p', { className: 'merge-hint' }, [
          el('span', { text: `${mergeHint(m)} ` }),
          button(`Merge “${m.from}” into “${m.into}”`, () => this.report(this.handlers.onMerge(m.from, m.into))),
        ]),
      ),
    );
  }

  private drawChart(bars: readonly ClassBar[]): void {
    if (bars.length === 0) {
      this.chart.replaceChildren(
        el('p', { text: 'This report has no per-class figures: run the audit again to see them.' }),
      );
      return;
    }
    const rows = bars.map((bar) => {
      const countBar = el('span', { className: 'bar bar-count', attrs: { 'aria-hidden': 'true' } });
      countBar.style.setProperty('--share', `${Math.max(1, Math.round(100 * bar.countShare))}%`);
      const flagBar = el('span', { className: 'bar bar-flags', attrs: { 'aria-hidden': 'true' } });
      flagBar.style.setProperty('--share', `${Math.round(100 * bar.flagRate)}%`);
      const name = el('button', {
        className: 'class-name',
        text: bar.name,
        attrs: { type: 'button', title: `Pick “${bar.name}” for a class action`, 'aria-label': bar.label },
      });
      name.addEventListener('click', () => this.pick(bar.name));
      const row = el('tr', { className: bar.warning ? 'warned' : '' }, [
        el('th', { attrs: { scope: 'row' } }, [
          name,
          ...(bar.warning
            ? [el('span', { className: 'warn-mark', text: ' ⚠', attrs: { title: bar.warning, 'aria-hidden': 'true' } })]
            : []),
        ]),
        el('td', { className: 'bar-cell' }, [
          countBar,
          el('span', { className: 'bar-value', text: String(bar.count) }),
        ]),
        el('td', { className: 'bar-cell' }, [
          flagBar,
          el('span', { className: 'bar-value', text: `${bar.flagged} (${percent(bar.flagRate)})` }),
        ]),
      ]);
      return row;
    });
    this.chart.replaceChildren(
      el('table', { className: 'class-table' }, [
        el('caption', { className: 'visually-hidden', text: 'Images and flagged images per class' }),
        el('thead', {}, [
          el('tr', {}, [
            el('th', { text: 'Class', attrs: { scope: 'col' } }),
            el('th', { text: 'Images', attrs: { scope: 'col' } }),
            el('th', { text: 'Flagged', attrs: { scope: 'col' } }),
          ]),
        ]),
        el('tbody', {}, rows),
      ]),
    );
  }

  private drawHistory(actions: readonly ClassAction[]): void {
    if (actions.length === 0) {
      this.history.replaceChildren(
        el('p', {
          className: 'class-note',
          text: 'No class merged or renamed yet. Class actions are saved with the decisions and applied on export; Ctrl/Cmd+Z takes the last one back.',
        }),
      );
      return;
    }
    this.history.replaceChildren(
      el(
        'ol',
        { className: 'class-actions' },
        actions.map((a) => el('li', { text: describeClassAction(a) })),
      ),
      button('Undo last class action', () => this.handlers.onUndo()),
    );
  }
}

function select(label: string): VscodeSingleSelect {
  const s = document.createElement('vscode-single-select');
  s.setAttribute('aria-label', label);
  s.label = label;
  return s;
}

function setOptions(s: VscodeSingleSelect, classes: readonly string[]): void {
  const keep = s.value;
  s.replaceChildren(
    ...classes.map((name) => {
      const option = document.createElement('vscode-option');
      option.value = name;
      option.textContent = name;
      return option;
    }),
  );
  if (classes.includes(keep)) s.value = keep;
}

function button(text: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}
