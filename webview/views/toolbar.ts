/**
 * The bar above the grid: the view switch (suspects / conflicting duplicates / spot check / classes /
 * issues), the
 * "N reviewed of M" counter, "next unreviewed" and the progress summary, the class-swap heatmap
 * toggle, the filters (given class, suggested class, score range, decision state, unflagged
 * samples), the order, the help button, and in a spot check its size and estimate.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { el } from '../dom';
import { select, setOptions, setValue } from './selects';
import {
  clearFilters,
  isFiltering,
  type DecisionFilter,
  type Filters,
  type ReviewCounts,
  type SortOrder,
} from '../state/reviewState';
import type { ReviewView } from '../state/viewState';

/** How the toolbar reports user input. */
export interface ToolbarHandlers {
  onFilters(filters: Filters): void;
  onHelp(): void;
  onView(view: ReviewView): void;
  onToggleSwaps(): void;
  onNextUnreviewed(): void;
  onProgress(): void;
  onSpotCheckSize(size: number): void;
}

/** What the toolbar shows besides the filters. */
export interface ToolbarModel {
  readonly filters: Filters;
  readonly counts: ReviewCounts;
  /** Cards the filters let through. */
  readonly shown: number;
  /** Report samples the host left out because of `labelAudit.maxSuspectsShown`. */
  readonly hiddenCount: number;
  readonly view: ReviewView;
  /** Conflicting groups and how many are resolved; undefined when the report has none listed. */
  readonly conflicts: { readonly resolved: number; readonly total: number } | undefined;
  /** The Issues view's images and how many have a decision; absent for a report without a `health` section. */
  readonly issues?: { readonly decided: number; readonly total: number };
  /** Whether the report has an embedding map. */
  readonly map?: boolean;
  /** Whether there is a swap heatmap, and whether it is open. */
  readonly swaps: { readonly available: boolean; readonly open: boolean };
  /** The spot check, when the report has unflagged samples: sizes offered, the size picked, and what it found. */
  readonly spotCheck?: {
    readonly sizes: readonly number[];
    readonly size: number;
    readonly text: string;
    readonly counter: string;
  };
}

const DECISION_CHOICES: readonly [DecisionFilter, string][] = [
  ['all', 'Any'],
  ['pending', 'Pending'],
  ['decided', 'Decided'],
  ['keep', 'Kept'],
  ['relabel', 'Relabeled'],
  ['remove', 'Removed'],
];

const SORT_CHOICES: readonly [SortOrder, string][] = [
  ['suspicion', 'Most suspect first'],
  ['given', 'By given label'],
  ['suggested', 'By suggested label'],
];

/** Value of the "any class" option (class names are never empty). */
const ANY = '';

/** The filter and counter bar. */
export class Toolbar {
  readonly element: HTMLElement;
  private readonly counter: HTMLElement;
  private readonly shownText: HTMLElement;
  private readonly given: VscodeSingleSelect;
  private readonly suggested: VscodeSingleSelect;
  private readonly minScore: VscodeTextfield;
  private readonly maxScore: VscodeTextfield;
  private readonly decision: VscodeSingleSelect;
  private readonly sort: VscodeSingleSelect;
  private readonly unflagged: VscodeCheckbox;
  private readonly clear: HTMLElement;
  private readonly filterRow: HTMLElement;
  private readonly viewSwitch: HTMLElement;
  private readonly suspectsTab: HTMLButtonElement;
  private readonly conflictsTab: HTMLButtonElement;
  private readonly spotCheckTab: HTMLButtonElement;
  private readonly classesTab: HTMLButtonElement;
  private readonly issuesTab: HTMLButtonElement;
  private readonly mapTab: HTMLButtonElement;
  private readonly swapsToggle: HTMLButtonElement;
  private readonly nextButton: HTMLElement;
  private readonly spotRow: HTMLElement;
  private readonly spotSize: VscodeSingleSelect;
  private readonly spotText: HTMLElement;
  private spotSizes: readonly number[] = [];
  private filters: Filters;

  constructor(
    private readonly handlers: ToolbarHandlers,
    initial: Filters,
  ) {
    this.filters = initial;
    this.counter = el('span', { className: 'counter', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.shownText = el('vscode-badge', { attrs: { title: 'Cards shown with the current filters' } });
    this.given = select('Given label', () => this.emit({ given: this.given.value === ANY ? null : this.given.value }));
    this.suggested = select('Suggested label', () =>
      this.emit({ suggested: this.suggested.value === ANY ? null : this.suggested.value }),
    );
    this.decision = select('Decision', () => this.emit({ decision: this.decision.value as DecisionFilter }));
    setOptions(this.decision, DECISION_CHOICES);
    this.sort = select('Order', () => this.emit({ sort: this.sort.value as SortOrder }));
    setOptions(this.sort, SORT_CHOICES);
    this.minScore = scoreField('Minimum score', () => this.emitScore());
    this.maxScore = scoreField('Maximum score', () => this.emitScore());
    this.unflagged = document.createElement('vscode-checkbox');
    this.unflagged.label = 'Include unflagged';
    this.unflagged.title = 'Also list the samples the audit did not flag, after the flagged ones';
    this.unflagged.addEventListener('change', () => this.emit({ includeUnflagged: this.unflagged.checked }));
    this.clear = document.createElement('vscode-button');
    this.clear.textContent = 'Clear filters';
    (this.clear as HTMLElement & { secondary: boolean }).secondary = true;
    this.clear.addEventListener('click', () => this.handlers.onFilters(clearFilters(this.filters)));
    const help = document.createElement('vscode-button');
    help.textContent = 'Keys (?)';
    help.secondary = true;
    help.title = 'Keyboard shortcuts';
    help.addEventListener('click', () => this.handlers.onHelp());

    this.suspectsTab = toggleButton('Suspects', 'Show the suspected label errors', () =>
      this.handlers.onView('suspects'),
    );
    this.conflictsTab = toggleButton(
      'Conflicting duplicates',
      'Show copies of the same image that carry different labels',
      () => this.handlers.onView('conflicts'),
    );
    this.spotCheckTab = toggleButton(
      'Spot check',
      'Check a random sample of the images the audit did not flag, to estimate the errors it missed',
      () => this.handlers.onView('spotCheck'),
    );
    this.classesTab = toggleButton(
      'Classes',
      'Images and flags per class, rare-class warnings, merge and rename classes',
      () => this.handlers.onView('classes'),
    );
    this.issuesTab = toggleButton(
      'Issues',
      'Dataset health: outliers, dark, light, blurry and odd images, copies across splits; keep or remove each',
      () => this.handlers.onView('issues'),
    );
    this.mapTab = toggleButton(
      'Map',
      'The embedding map: every image as a point; hover, click, and select a region to filter the grid',
      () => this.handlers.onView('map'),
    );
    this.viewSwitch = el('div', { className: 'view-switch', attrs: { role: 'group', 'aria-label': 'View' } }, [
      this.suspectsTab,
      this.conflictsTab,
      this.spotCheckTab,
      this.classesTab,
      this.issuesTab,
      this.mapTab,
    ]);
    this.nextButton = document.createElement('vscode-button');
    this.nextButton.textContent = 'Next unreviewed';
    this.nextButton.title = 'Go to the next card without a decision (N)';
    (this.nextButton as HTMLElement & { secondary: boolean }).secondary = true;
    this.nextButton.addEventListener('click', () => this.handlers.onNextUnreviewed());
    const progress = document.createElement('vscode-button');
    progress.textContent = 'Progress';
    progress.title = 'Reviewed, accepted, relabeled, removed and kept, overall and per class';
    (progress as HTMLElement & { secondary: boolean }).secondary = true;
    progress.addEventListener('click', () => this.handlers.onProgress());
    this.spotSize = select('Sample size', () => this.handlers.onSpotCheckSize(Number(this.spotSize.value)));
    this.spotText = el('span', { className: 'spot-check-text', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.spotRow = el(
      'div',
      { className: 'toolbar-row spot-check', attrs: { role: 'group', 'aria-label': 'Spot check' } },
      [field('Sample size', this.spotSize), this.spotText],
    );
    this.swapsToggle = toggleButton('Class swaps', 'Show or hide the heatmap of given → suggested labels', () =>
      this.handlers.onToggleSwaps(),
    );
    this.swapsToggle.classList.add('swaps-toggle');

    this.filterRow = el(
      'div',
      { className: 'toolbar-row filters', attrs: { role: 'group', 'aria-label': 'Filters' } },
      [
        field('Given', this.given),
        field('Suggested', this.suggested),
        field(
          'Score',
          el('span', { className: 'score-range' }, [this.minScore, el('span', { text: '–' }), this.maxScore]),
        ),
        field('Decision', this.decision),
        field('Order', this.sort, 'field-order'),
        this.unflagged,
        this.clear,
      ],
    );
    this.element = el('header', { className: 'toolbar' }, [
      el('div', { className: 'toolbar-row' }, [
        this.viewSwitch,
        this.counter,
        this.shownText,
        this.nextButton,
        progress,
        el('span', { className: 'spacer' }),
        this.swapsToggle,
        help,
      ]),
      this.filterRow,
      this.spotRow,
    ]);
  }

  /** Fills the class filters. */
  setClasses(classes: readonly string[]): void {
    const choices: [string, string][] = [[ANY, 'Any'], ...classes.map((c): [string, string] => [c, c])];
    setOptions(this.given, choices);
    setOptions(this.suggested, choices);
  }

  /** Shows the counter and the filters' current values. */
  show(model: ToolbarModel): void {
    const { filters, counts } = model;
    this.filters = filters;
    const conflicts = model.view === 'conflicts' ? model.conflicts : undefined;
    const spot = model.view === 'spotCheck' ? model.spotCheck : undefined;
    const issues = model.view === 'issues' ? model.issues : undefined;
    this.counter.textContent = conflicts
      ? `${conflicts.resolved} of ${conflicts.total} groups resolved`
      : issues
        ? `${issues.decided} of ${issues.total} images decided`
        : spot
          ? spot.counter
          : `${counts.reviewed} reviewed of ${counts.total}`;
    const hasConflicts = model.conflicts !== undefined && model.conflicts.total > 0;
    // The Classes view is always there, so the switch is too.
    this.conflictsTab.hidden = !hasConflicts;
    this.spotCheckTab.hidden = model.spotCheck === undefined;
    this.issuesTab.hidden = model.issues === undefined;
    this.mapTab.hidden = !model.map;
    this.conflictsTab.textContent = `Conflicting duplicates (${model.conflicts?.total ?? 0})`;
    // How many images the Issues view lists, as the conflicts tab counts its groups.
    this.issuesTab.textContent = `Issues (${model.issues?.total ?? 0})`;
    this.counter.hidden = model.view === 'classes' || model.view === 'map';
    pressed(this.suspectsTab, model.view === 'suspects');
    pressed(this.conflictsTab, model.view === 'conflicts');
    pressed(this.spotCheckTab, model.view === 'spotCheck');
    pressed(this.classesTab, model.view === 'classes');
    pressed(this.issuesTab, model.view === 'issues');
    pressed(this.mapTab, model.view === 'map');
    this.swapsToggle.hidden = !model.swaps.available || model.view !== 'suspects';
    pressed(this.swapsToggle, model.swaps.open);
    this.nextButton.hidden = model.view !== 'suspects' && model.view !== 'spotCheck';
    this.filterRow.hidden = model.view !== 'suspects';
    this.spotRow.hidden = spot === undefined;
    if (spot) {
      if (spot.sizes.join() !== this.spotSizes.join()) {
        this.spotSizes = spot.sizes;
        setOptions(
          this.spotSize,
          spot.sizes.map((n): [string, string] => [String(n), `${n} images`]),
        );
      }
      setValue(this.spotSize, String(spot.size));
      this.spotText.textContent = spot.text;
    }
    this.shownText.hidden = model.view !== 'suspects';
    this.shownText.textContent = `${model.shown} shown`;
    this.shownText.title =
      model.hiddenCount > 0
        ? `Cards shown with the current filters. ${model.hiddenCount} lower-ranked samples are not listed (setting labelAudit.maxSuspectsShown).`
        : 'Cards shown with the current filters';
    setValue(this.given, filters.given ?? ANY);
    setValue(this.suggested, filters.suggested ?? ANY);
    setValue(this.decision, filters.decision);
    setValue(this.sort, filters.sort);
    setScore(this.minScore, filters.minScore);
    setScore(this.maxScore, filters.maxScore);
    this.unflagged.checked = filters.includeUnflagged;
    this.clear.hidden = !isFiltering(filters);
  }

  private emit(change: Partial<Filters>): void {
    this.handlers.onFilters({ ...this.filters, ...change });
  }

  private emitScore(): void {
    const min = clampScore(this.minScore.value, 0);
    const max = clampScore(this.maxScore.value, 1);
    // A reversed range would hide everything; read it as the range the user meant.
    this.emit({ minScore: Math.min(min, max), maxScore: Math.max(min, max) });
  }
}

/** A button that shows an on/off state (a view tab, a panel toggle), announced as pressed. */
function toggleButton(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const button = el('button', {
    className: 'toggle-button',
    text,
    attrs: { type: 'button', title, 'aria-pressed': 'false' },
  });
  button.addEventListener('click', onClick);
  return button;
}

function pressed(button: HTMLButtonElement, on: boolean): void {
  button.setAttribute('aria-pressed', String(on));
}

function clampScore(text: string, fallback: number): number {
  const value = Number(text);
  return text.trim() === '' || !Number.isFinite(value) ? fallback : Math.max(0, Math.min(1, value));
}

// Only when the number differs: rewriting "0.50" as "0.5" while the user types would be rude.
function setScore(f: VscodeTextfield, value: number): void {
  if (f.value.trim() === '' || Number(f.value) !== value) f.value = String(value);
}

function scoreField(label: string, onChange: () => void): VscodeTextfield {
  const f = document.createElement('vscode-textfield');
  f.type = 'number';
  f.min = 0;
  f.max = 1;
  f.step = 0.05;
  f.setAttribute('aria-label', label);
  f.label = label;
  f.className = 'score-field';
  f.addEventListener('change', onChange);
  return f;
}

function field(label: string, control: HTMLElement, extraClass = ''): HTMLElement {
  return el('label', { className: `field ${extraClass}`.trim() }, [
    el('span', { className: 'field-label', text: label }),
    control,
  ]);
}
