/**
 * The "Conflicting duplicates" view: one row per group of copies that carry different labels, its
 * images side by side with their labels, each with the same decisions as a suspect (keep, relabel,
 * remove). A set of byte-identical files with one label is one card with its count ("× 20 000 copies")
 * and a decision on it covers the whole set at export. Rows have a fixed height, so the list is virtualised like the grid: only the rows in view
 * exist in the DOM, and a dataset with thousands of groups costs what a screenful does.
 */
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { ConflictGroupView, ConflictMemberView, Decisions } from '../../src/protocol/webview';
import { ownValue } from '../../src/core/shared/ownValue';
import { otherLabels, finalLabel } from '../state/conflictState';
import { el } from '../dom';
import { LAYOUT } from '../layout';
import type { ReviewAction } from '../state/reviewState';
import { statusText } from './suspectGrid';

/** Row height in CSS pixels (the styles read it as `--conflict-row-height`). */
const CONFLICT_ROW_HEIGHT = LAYOUT.conflictRowHeight;
const OVERSCAN_ROWS = 2;

/** How the list reports decisions. */
export interface ConflictListHandlers {
  onAction(member: ConflictMemberView, action: ReviewAction): void;
  onOpen(path: string): void;
  onScroll(scrollTop: number): void;
}

/** The virtualised list of conflicting groups. */
export class ConflictList {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private groups: readonly ConflictGroupView[] = [];
  private decisions: Decisions = {};
  private classes: readonly string[] = [];
  private readonly rows = new Map<number, HTMLElement>();
  private frame = 0;

  constructor(private readonly handlers: ConflictListHandlers) {
    this.canvas = el('div', { className: 'conflict-canvas', attrs: { role: 'list' } });
    this.element = el('div', { className: 'conflicts', attrs: { 'aria-label': 'Conflicting duplicates' } }, [
      this.canvas,
    ]);
    this.element.addEventListener('scroll', () => {
      if (this.frame === 0) {
        this.frame = requestAnimationFrame(() => {
          this.frame = 0;
          this.render();
        });
      }
      handlers.onScroll(this.element.scrollTop);
    });
    new ResizeObserver(() => this.render()).observe(this.element);
  }

  /** Shows groups and decisions; rows in view are rebuilt when their decisions changed. */
  setModel(groups: readonly ConflictGroupView[], decisions: Decisions, classes: readonly string[]): void {
    if (groups !== this.groups || classes !== this.classes) {
      for (const row of this.rows.values()) row.remove();
      this.rows.clear();
    }
    this.groups = groups;
    this.decisions = decisions;
    this.classes = classes;
    this.render();
  }

  /**
   * Focuses a member's button after its row was rebuilt for a decision: the same button if it is
   * still there, else the member's first one.
   */
  focusMember(path: string, key: string): void {
    const member = [...this.canvas.querySelectorAll<HTMLElement>('.conflict-member')].find(
      (m) => m.dataset.path === path,
    );
    if (!member) return;
    const buttons = [...member.querySelectorAll<HTMLButtonElement>('button')];
    (buttons.find((b) => b.dataset.key === key) ?? buttons[0])?.focus({ preventScroll: true });
  }

  /** Restores a saved scroll position. */
  restoreScroll(scrollTop: number): void {
    this.element.scrollTop = scrollTop;
    this.render();
  }

  private render(): void {
    const count = this.groups.length;
    this.canvas.style.height = `${count * CONFLICT_ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(this.element.scrollTop / CONFLICT_ROW_HEIGHT) - OVERSCAN_ROWS);
    const last = Math.min(
      count,
      Math.ceil((this.element.scrollTop + this.element.clientHeight) / CONFLICT_ROW_HEIGHT) + OVERSCAN_ROWS,
    );
    for (const [index, row] of this.rows) {
      if (index < first || index >= last) {
        row.remove();
        this.rows.delete(index);
      }
    }
    for (let index = first; index < last; index++) {
      const group = this.groups[index];
      const stamp = JSON.stringify(group.members.map((m) => ownValue(this.decisions, m.path) ?? null));
      const existing = this.rows.get(index);
      // A row is rebuilt only when one of its members' decisions changed (the select inside keeps its state otherwise).
      if (existing?.dataset.stamp === stamp) continue;
      const row = this.buildRow(group, index);
      row.dataset.stamp = stamp;
      row.style.transform = `translateY(${index * CONFLICT_ROW_HEIGHT}px)`;
      if (existing) existing.replaceWith(row);
      else this.canvas.append(row);
      this.rows.set(index, row);
    }
  }

  private buildRow(group: ConflictGroupView, index: number): HTMLElement {
    const labels = [...new Set(group.members.map((m) => m.label))];
    const finals = group.members.map((m) => finalLabel(m, this.decisions));
    const decided = group.members.filter((m) => ownValue(this.decisions, m.path) !== undefined).length;
    const kept = [...new Set(finals.filter((l): l is string => l !== null))];
    const outcome =
      decided < group.members.length
        ? `${group.members.length - decided} of ${group.members.length} pending`
        : kept.length <= 1
          ? `Resolved${kept.length === 1 ? `: ${kept[0]}` : ': all removed'}`
          : `Decided, labels still differ (${kept.join(', ')})`;
    const header = el('div', { className: 'conflict-header' }, [
      el('span', {
        className: `conflict-kind kind-${group.kind}`,
        text: group.kind === 'exact' ? 'Exact copies' : 'Near duplicates',
      }),
      el('span', { className: 'conflict-labels', text: `labels ${labels.join(' ≠ ')}` }),
      el('span', { className: 'conflict-count', text: `${filesOf(group).toLocaleString('en-US')} images` }),
      el('span', { className: 'spacer' }),
      el('span', { className: `conflict-outcome${decided === group.members.length ? ' done' : ''}`, text: outcome }),
    ]);
    const members = el(
      'div',
      { className: 'conflict-members' },
      group.members.map((m) => this.buildMember(group, m)),
    );
    return el(
      'div',
      {
        className: 'conflict-row',
        attrs: {
          role: 'listitem',
          'aria-label': `Group ${index + 1} of ${this.groups.length}: ${group.kind === 'exact' ? 'exact copies' : 'near duplicates'} labeled ${labels.join(' and ')}, ${outcome}`,
        },
      },
      [header, members],
    );
  }

  private buildMember(group: ConflictGroupView, member: ConflictMemberView): HTMLElement {
    const decision = ownValue(this.decisions, member.path);
    // A copy set's buttons say that they act on every copy: the reviewer decides for all of them at once.
    const copies = member.copies ?? 1;
    const subject = copies > 1 ? `all ${copies.toLocaleString('en-US')} copies of ${member.path}` : member.path;
    const image = el('img', {
      attrs: { alt: `${member.path}, labeled ${member.label}`, decoding: 'async', draggable: 'false' },
    });
    image.addEventListener('load', () => image.classList.toggle('pixelated', image.naturalWidth < 96));
    image.addEventListener('dblclick', () => this.handlers.onOpen(member.path));
    image.src = member.imageUri;
    const act = (action: ReviewAction) => () => this.handlers.onAction(member, action);
    const quick = otherLabels(group, member.label)
      .slice(0, 2)
      .map((label) =>
        actionButton(`→ ${label}`, `Relabel ${subject} to ${label}`, act({ kind: 'relabel', label }), 'relabel', label),
      );
    const picker = document.createElement('vscode-single-select') as VscodeSingleSelect;
    picker.className = 'conflict-picker';
    picker.setAttribute('aria-label', `Relabel ${subject} to class`);
    // The select's own combobox (in its shadow root) is named from `label`, not from the host's aria-label.
    picker.label = `Relabel ${subject} to class`;
    for (const name of this.classes) {
      const option = document.createElement('vscode-option');
      option.value = name;
      option.textContent = name;
      picker.append(option);
    }
    picker.value = decision?.action === 'relabel' ? decision.label : member.label;
    picker.addEventListener('change', () => this.handlers.onAction(member, { kind: 'relabel', label: picker.value }));
    const card = el(
      'div',
      {
        className: `conflict-member${decision ? ` decided-${decision.action}` : ''}`,
        attrs: {
          role: 'group',
          'aria-label': `${member.path}, labeled ${member.label}: ${statusText(decision)}`,
          'data-path': member.path,
        },
      },
      [
        el('div', { className: 'thumb' }, [image]),
        el('div', { className: 'member-label' }, [
          el('span', { className: 'field-label', text: 'Label' }),
          el('strong', { text: member.label }),
        ]),
        el('div', {
          className: 'member-path',
          text: copies > 1 ? `${member.path} × ${copies.toLocaleString('en-US')} copies` : member.path,
          attrs: { title: [member.path, ...(member.morePaths ?? []), ...(copies > 1 ? ['…'] : [])].join('\n') },
        }),
        el('div', { className: 'card-status', text: statusText(decision) }),
        el('div', { className: 'card-actions' }, [
          actionButton('Keep', `Keep ${subject} as ${member.label}`, act({ kind: 'keep' }), 'keep', 'keep'),
          ...quick,
          actionButton('✕', `Remove ${subject} from the dataset`, act({ kind: 'remove' }), 'remove', 'remove'),
        ]),
        picker,
      ],
    );
    return card;
  }
}

/** Files in a group: a copy set counts all its copies. */
function filesOf(group: ConflictGroupView): number {
  return group.members.reduce((sum, m) => sum + (m.copies ?? 1), 0);
}

/**
 * A member's button, named with the member's path (each row holds several members); the name begins
 * with the visible words, as speech input needs.
 * @param key - Which button it is (`keep`, `remove` or the relabel target), to find it again after a rebuild.
 */
function actionButton(
  text: string,
  description: string,
  onClick: () => void,
  kind: string,
  key: string,
): HTMLButtonElement {
  const button = el('button', {
    className: `card-button card-button-${kind}`,
    text,
    attrs: { type: 'button', title: description, 'aria-label': description },
  });
  button.dataset.key = key;
  button.addEventListener('click', onClick);
  return button;
}
