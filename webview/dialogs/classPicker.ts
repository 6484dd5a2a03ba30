/**
 * The relabel picker that R and the "Relabel…" buttons open: a dialog listing every class with a
 * strip of its most typical training images, the suggested class first, then recent choices, then
 * the rest. Type to filter (a class's digit key works too), ↑/↓ to move, Enter or a click to pick,
 * Escape to close. Built for 20+ classes: the list scrolls and the filter narrows it to a few rows.
 */
import type { ClassExampleView } from '../../src/protocol/webview';
import { ownValue } from '../../src/core/shared/ownValue';
import { filterRows, pickerRows, type PickerRow } from '../state/classPickerState';
import { el } from '../dom';
import type { DigitKey } from '../state/reviewState';
import { Modal } from './modal';

/** What the picker is opened for. */
export interface PickerRequest {
  /** The focused sample's labels, for the suggested-first order and the "current" tag. */
  readonly focus: { readonly givenLabel: string; readonly suggestedLabel: string } | undefined;
  /** Samples the choice applies to. */
  readonly targetCount: number;
  /** The reviewer's recent choices, newest first. */
  readonly recent: readonly string[];
}

/** The relabel dialog; hidden until {@link ClassPicker.open}. */
export class ClassPicker {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  /**
   * A native input, not a vscode-textfield: the combobox role and aria-activedescendant must sit on
   * the element that has the focus, and a textfield's focus is in its shadow input, which cannot
   * point at the options out here by id.
   */
  private readonly filter: HTMLInputElement;
  private readonly modal: Modal;
  private readonly list: HTMLElement;
  private classes: readonly string[] = [];
  private examples: Readonly<Record<string, readonly ClassExampleView[]>> = {};
  private keys: readonly DigitKey[] = [];
  private rows: PickerRow[] = [];
  private shown: PickerRow[] = [];
  private active = 0;

  /**
   * @param onPick - A class was picked; the dialog has closed.
   * @param onClose - The dialog closed without a choice.
   * @param fallbackFocus - Where the focus goes on close when the control that opened it is gone.
   */
  constructor(
    private readonly onPick: (label: string) => void,
    private readonly onClose: () => void,
    fallbackFocus: () => HTMLElement | undefined,
  ) {
    this.title = el('h2', { attrs: { id: 'picker-title' } });
    this.filter = el('input', {
      className: 'picker-filter',
      attrs: {
        type: 'text',
        role: 'combobox',
        'aria-label': 'Filter classes',
        'aria-controls': 'picker-list',
        'aria-expanded': 'true',
        'aria-autocomplete': 'list',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: 'Type a class name or its digit',
      },
    });
    this.filter.addEventListener('input', () => this.render(0));
    this.list = el('div', {
      className: 'picker-list',
      attrs: { id: 'picker-list', role: 'listbox', 'aria-label': 'Classes' },
    });
    this.list.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('.picker-row');
      if (row?.dataset.label !== undefined) this.pick(row.dataset.label);
    });
    const dialog = el(
      'div',
      {
        className: 'help-dialog picker-dialog',
        attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'picker-title' },
      },
      [
        this.title,
        this.filter,
        this.list,
        el('p', { className: 'picker-hint', text: '↑ ↓ move · Enter relabels · Esc closes' }),
      ],
    );
    dialog.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.element = el('div', { className: 'help-overlay picker-overlay', attrs: { hidden: '' } }, [dialog]);
    this.modal = new Modal(this.element, fallbackFocus);
    this.element.addEventListener('click', (event) => {
      if (event.target === this.element) this.close();
    });
  }

  /** True while the dialog is shown. */
  get visible(): boolean {
    return this.modal.isOpen;
  }

  /** The dataset's classes (after class actions), each one's typical images, and the digit keys. */
  setClasses(
    classes: readonly string[],
    examples: Readonly<Record<string, readonly ClassExampleView[]>>,
    keys: readonly DigitKey[],
  ): void {
    this.classes = classes;
    this.examples = examples;
    this.keys = keys;
  }

  /** Opens the dialog with an empty filter, the first row (the suggestion) active. */
  open(request: PickerRequest): void {
    this.rows = pickerRows(this.classes, request.focus, request.recent, this.keys);
    this.title.textContent = request.targetCount > 1 ? `Relabel ${request.targetCount} samples to…` : 'Relabel to…';
    this.filter.value = '';
    this.modal.open();
    this.render(0);
    this.list.scrollTop = 0;
    this.filter.focus();
  }

  /** Closes the dialog without a choice. */
  close(): void {
    if (!this.visible) return;
    this.modal.close();
    this.onClose();
  }

  private pick(label: string): void {
    this.modal.close();
    this.onPick(label);
  }

  private onKeyDown(event: KeyboardEvent): void {
    // Every key typed here belongs to the dialog, never to the grid behind it.
    event.stopPropagation();
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        const delta = event.key === 'ArrowDown' ? 1 : -1;
        this.setActive(Math.max(0, Math.min(this.shown.length - 1, this.active + delta)));
        return;
      }
      case 'Enter': {
        event.preventDefault();
        const row = this.shown[this.active];
        if (row) this.pick(row.label);
        return;
      }
      case 'Escape':
        event.preventDefault();
        this.close();
        return;
    }
  }

  private render(active: number): void {
    this.shown = filterRows(this.rows, this.filter.value);
    this.list.replaceChildren(
      ...(this.shown.length === 0
        ? [el('p', { className: 'picker-empty', text: 'No class matches.' })]
        : this.shown.map((row, index) => this.rowElement(row, index))),
    );
    this.setActive(Math.min(active, Math.max(0, this.shown.length - 1)));
  }

  private rowElement(row: PickerRow, index: number): HTMLElement {
    const tags: HTMLElement[] = [];
    if (row.suggested) tags.push(el('span', { className: 'picker-tag suggested', text: 'suggested' }));
    if (row.recent) tags.push(el('span', { className: 'picker-tag', text: 'recent' }));
    if (row.given) tags.push(el('span', { className: 'picker-tag', text: 'current label' }));
    const examples = ownValue(this.examples, row.label) ?? [];
    const strip = el(
      'span',
      { className: 'picker-examples', attrs: { 'aria-hidden': 'true' } },
      examples.map((example) =>
        el('img', {
          attrs: { src: example.imageUri, alt: '', title: example.path, draggable: 'false', loading: 'lazy' },
        }),
      ),
    );
    if (examples.length === 0) strip.append(el('span', { className: 'picker-no-examples', text: 'no typical image' }));
    return el(
      'div',
      {
        className: 'picker-row',
        attrs: { role: 'option', id: `picker-option-${index}`, 'data-label': row.label, 'aria-selected': 'false' },
      },
      [
        el('kbd', { className: 'picker-digit', text: row.digit ?? '' }),
        el('span', { className: 'picker-label', text: row.label }),
        el('span', { className: 'picker-tags' }, tags),
        strip,
      ],
    );
  }

  private setActive(index: number): void {
    this.active = index;
    const rows = this.list.querySelectorAll<HTMLElement>('.picker-row');
    rows.forEach((row, i) => row.setAttribute('aria-selected', String(i === index)));
    const current = rows[index];
    if (current) {
      this.filter.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView({ block: 'nearest' });
    } else {
      this.filter.removeAttribute('aria-activedescendant');
    }
  }
}
