/**
 * The Issues view's page: one section per dataset-health issue type that flagged images (its count,
 * share, threshold and why, and a strip of the worst images), a line for the types that are a
 * property of the dataset or found nothing, and the duplicate groups that cross splits. Every image
 * can be kept or removed with the decisions a suspect has. The strips share one roving focus: one
 * image is in the tab order, the arrow keys move it (issueState.ts), K keeps, Delete removes, Enter
 * opens the image.
 */
import type { Decision, Decisions, HealthView, IssueSectionView } from '../../src/protocol/webview';
import { ownValue } from '../../src/core/shared/ownValue';
import { el } from '../dom';
import {
  issueSections,
  moveInStrips,
  percent,
  stripShown,
  type StripMove,
  type StripPosition,
} from '../state/issueState';
import { statusText } from './suspectGrid';

/** An image of the view, as its decision needs it. */
export interface IssueMember {
  readonly path: string;
  readonly label: string;
}

/** How the panel reports decisions, opens images and gets its thumbnails. */
export interface IssuePanelHandlers {
  onAction(member: IssueMember, action: 'keep' | 'remove'): void;
  onOpen(path: string): void;
  /** The thumbnail URI the host sent for a sample, if any (the grid's store). */
  thumbnail(path: string): string | undefined;
  /** The samples the panel shows: ask the host for the thumbnails it has not sent. */
  onShown(paths: readonly string[]): void;
}

/** One image of a strip: its tile and what it stands for. */
interface Tile {
  readonly element: HTMLElement;
  readonly member: IssueMember;
  /** What the image is listed for, for its name ("dark", "exact copy in train and test"). */
  readonly issue: string;
  readonly caption: string;
  readonly status: HTMLElement;
  readonly image: HTMLImageElement;
}

export class IssuePanel {
  readonly element: HTMLElement;
  private health: HealthView | undefined;
  private decisions: Decisions = {};
  /** Sections whose strip shows every example the host sent. */
  private readonly expanded = new Set<string>();
  /** The tiles, strip by strip: the sections' strips first, then the leaked groups'. */
  private strips: Tile[][] = [];
  private focus: StripPosition = { strip: 0, index: 0 };
  /** The map selection the section is narrowed to, if any. */
  private scope: { images: number; onClear(): void } | undefined;

  constructor(private readonly handlers: IssuePanelHandlers) {
    this.element = el('div', { className: 'issue-panel', attrs: { role: 'region', 'aria-label': 'Dataset issues' } });
  }

  /**
   * Shows a health section; the same one again only updates the images' decisions (the focus stays).
   * @param scope - Set when the section is narrowed to a map selection: says so, with a way out.
   */
  setModel(health: HealthView, decisions: Decisions, scope?: { images: number; onClear(): void }): void {
    this.decisions = decisions;
    this.scope = scope;
    if (health !== this.health) {
      this.health = health;
      this.build();
    } else for (const strip of this.strips) for (const tile of strip) this.paint(tile);
  }

  private scopeNote(scope: { images: number; onClear(): void }): HTMLElement {
    const clear = el('button', {
      className: 'toggle-button map-action',
      text: 'Clear selection',
      attrs: { type: 'button' },
    });
    clear.addEventListener('click', () => scope.onClear());
    return el('p', { className: 'issue-scope' }, [
      `Only the listed images inside the map selection (${scope.images.toLocaleString('en-US')} images) are shown; the counts are the whole dataset's. `,
      clear,
    ]);
  }

  /** Shows the thumbnails the host has sent since (the images wait for them, as the grid's cards do). */
  showThumbnails(): void {
    for (const strip of this.strips) for (const tile of strip) this.showThumbnail(tile);
  }

  private showThumbnail(tile: Tile): void {
    const uri = this.handlers.thumbnail(tile.member.path);
    if (uri !== undefined && tile.image.getAttribute('src') !== uri) tile.image.src = uri;
  }

  /** The image with the focus, if any. */
  focusedMember(): IssueMember | undefined {
    return this.tileAt(this.focus)?.member;
  }

  /** Moves the roving focus (arrow keys, Home, End) and focuses that image. */
  move(direction: StripMove): void {
    this.focusTile(moveInStrips(this.lengths(), this.focus, direction));
  }

  /** Focuses the image of `path` (after undo), in the strip that has the focus if it shows it there. */
  focusPath(path: string): void {
    const order = [this.focus.strip, ...this.strips.keys()];
    for (const strip of order) {
      const index = this.strips[strip]?.findIndex((t) => t.member.path === path) ?? -1;
      if (index >= 0) return this.focusTile({ strip, index });
    }
  }

  /** The image in the tab order, to give the focus to when the view's control that had it is gone. */
  firstFocus(): HTMLElement | undefined {
    return this.tileAt(this.focus)?.element;
  }

  private tileAt(at: StripPosition): Tile | undefined {
    return this.strips[at.strip]?.[at.index];
  }

  private lengths(): number[] {
    return this.strips.map((s) => s.length);
  }

  private focusTile(at: StripPosition, focus = true): void {
    const previous = this.tileAt(this.focus);
    const next = this.tileAt(at);
    if (!next) return;
    if (previous) previous.element.tabIndex = -1;
    this.focus = at;
    next.element.tabIndex = 0;
    if (focus) {
      next.element.focus({ preventScroll: true });
      next.element.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
  }

  private build(): void {
    const health = this.health;
    if (!health) return;
    const previous = this.focusedMember()?.path;
    this.strips = [];
    const { listed, properties, clean } = issueSections(health);
    const children: HTMLElement[] = [];
    const notes: HTMLElement[] = properties.map((issue) =>
      el('li', {
        text: `${issue.title}: ${issue.count.toLocaleString('en-US')} images (${percent(issue.share)}), more than ${percent(health.maxPrevalence)} of the dataset, so a property of the dataset rather than of single images; not listed.`,
      }),
    );
    if (clean.length > 0)
      notes.push(el('li', { text: `None found: ${clean.map((i) => i.title.toLowerCase()).join(', ')}.` }));
    if (listed.length === 0 && !health.leakySplits?.groupCount)
      children.push(
        el('p', { className: 'issue-none', text: 'The audit found no image with a dataset-health issue.' }),
      );
    for (const issue of listed) children.push(this.buildSection(issue));
    if (health.leakySplits) children.push(this.buildLeaks(health.leakySplits));
    if (notes.length > 0)
      children.push(
        el('section', { className: 'issue-notes', attrs: { 'aria-label': 'Other checks' } }, [el('ul', {}, notes)]),
      );
    if (this.scope) children.unshift(this.scopeNote(this.scope));
    this.element.replaceChildren(...children);
    // At most 8 × 48 examples and 50 × 8 copies: within one thumbnail request (MAX_THUMBNAILS_PER_REQUEST).
    this.handlers.onShown([...new Set(this.strips.flatMap((s) => s.map((t) => t.member.path)))]);
    // The focus stays on the image it was on, else the first one.
    const found = previous === undefined ? -1 : this.strips.findIndex((s) => s.some((t) => t.member.path === previous));
    const at =
      found >= 0
        ? { strip: found, index: this.strips[found].findIndex((t) => t.member.path === previous) }
        : {
            strip: Math.max(
              0,
              this.strips.findIndex((s) => s.length > 0),
            ),
            index: 0,
          };
    this.focus = at;
    const tile = this.tileAt(at);
    if (tile) tile.element.tabIndex = 0;
  }

  private buildSection(issue: IssueSectionView): HTMLElement {
    const headingId = `issue-${issue.type}`;
    const expanded = this.expanded.has(issue.type);
    const shown = issue.examples.slice(0, stripShown(issue.examples.length, expanded));
    const strip = this.buildStrip(
      `${issue.title}, worst first`,
      shown.map((e) => ({
        member: { path: e.path, label: e.label },
        issue: issue.title.toLowerCase(),
        caption: `${e.label} · ${e.score.toFixed(2)}`,
        captionTitle: `Label ${e.label}, score ${e.score} (flagged below ${issue.threshold})`,
      })),
    );
    const more: HTMLElement[] = [];
    if (issue.examples.length > shown.length || expanded) {
      const button = el('button', {
        className: 'issue-more',
        text: expanded ? 'Show fewer' : `Show ${issue.examples.length - shown.length} more`,
        attrs: { type: 'button', 'aria-expanded': String(expanded) },
      });
      button.addEventListener('click', () => {
        if (expanded) this.expanded.delete(issue.type);
        else this.expanded.add(issue.type);
        this.build();
        // The button was rebuilt: keep the focus on it.
        this.element.querySelector<HTMLElement>(`#${headingId}-more`)?.focus();
      });
      button.id = `${headingId}-more`;
      more.push(button);
    }
    if (issue.count > issue.examples.length)
      more.push(
        el('span', {
          className: 'issue-cap',
          text: `The ${issue.examples.length} worst of ${issue.count.toLocaleString('en-US')} are listed (all in report.json).`,
        }),
      );
    return el('section', { className: 'issue-section', attrs: { 'aria-labelledby': headingId } }, [
      el('h2', { attrs: { id: headingId } }, [
        el('span', { text: issue.title }),
        el('span', { className: 'issue-count', text: issue.count.toLocaleString('en-US') }),
      ]),
      el('p', {
        className: 'issue-figures',
        text: `${issue.count.toLocaleString('en-US')} images (${percent(issue.share)}) · flagged when the score is below ${issue.threshold}`,
      }),
      el('p', { className: 'issue-why', text: `${sentence(issue.score)} ${sentence(issue.why)}` }),
      strip,
      ...(more.length > 0 ? [el('div', { className: 'issue-more-row' }, more)] : []),
    ]);
  }

  private buildLeaks(leaks: NonNullable<HealthView['leakySplits']>): HTMLElement {
    const splits = leaks.splits.map((s) => `${s.split || 'no split'} ${s.samples.toLocaleString('en-US')}`).join(', ');
    const children: HTMLElement[] = [
      el('h2', { attrs: { id: 'issue-leaks' } }, [
        el('span', { text: 'Leaky splits' }),
        el('span', { className: 'issue-count', text: leaks.groupCount.toLocaleString('en-US') }),
      ]),
      el('p', {
        className: 'issue-figures',
        text: `Splits from ${leaks.source === 'column' ? 'the split column' : 'folder names'}: ${splits}. ${
          leaks.groupCount === 0
            ? 'No image has a copy in another split.'
            : `${leaks.groupCount.toLocaleString('en-US')} groups of copies cross splits: a test image with a copy in training makes the test score a memory test.`
        }`,
      }),
    ];
    children.push(splitClassTable(leaks));
    leaks.groups.forEach((group, g) => {
      const where = group.splits.map((split) => split || 'no split').join(', ');
      const kind = group.kind === 'exact' ? 'Exact copies' : 'Near duplicates';
      children.push(
        el('div', { className: 'leak-group' }, [
          el('div', {
            className: 'leak-header',
            text: `${kind} in ${where}${group.size > group.members.length ? ` (${group.members.length} of ${group.size} shown)` : ''}`,
          }),
          this.buildStrip(
            `Group ${g + 1}: ${kind.toLowerCase()} in ${where}`,
            group.members.map((m) => ({
              member: { path: m.path, label: m.label },
              issue: `${group.kind === 'exact' ? 'exact copy' : 'near duplicate'} across ${where}`,
              caption: `${m.split || 'no split'} · ${m.label}`,
              captionTitle: `Split ${m.split || '(none)'}, label ${m.label}`,
            })),
          ),
        ]),
      );
    });
    if (leaks.groupCount > leaks.groups.length)
      children.push(
        el('p', {
          className: 'issue-cap',
          text: `The first ${leaks.groups.length} of ${leaks.groupCount.toLocaleString('en-US')} groups are listed (all in report.json).`,
        }),
      );
    return el('section', { className: 'issue-section', attrs: { 'aria-labelledby': 'issue-leaks' } }, children);
  }

  private buildStrip(
    name: string,
    items: readonly {
      member: IssueMember;
      issue: string;
      caption: string;
      captionTitle: string;
    }[],
  ): HTMLElement {
    const strip = this.strips.length;
    const tiles = items.map((item, index) => this.buildTile(item, { strip, index }));
    this.strips.push(tiles);
    return el(
      'div',
      { className: 'issue-strip', attrs: { role: 'list', 'aria-label': name } },
      tiles.map((t) => t.element),
    );
  }

  private buildTile(
    item: { member: IssueMember; issue: string; caption: string; captionTitle: string },
    at: StripPosition,
  ): Tile {
    const { member } = item;
    const image = el('img', { attrs: { alt: '', decoding: 'async', draggable: 'false' } });
    image.addEventListener('load', () => image.classList.toggle('pixelated', image.naturalWidth < 96));
    const status = el('div', { className: 'card-status' });
    const button = (text: string, action: 'keep' | 'remove', description: string) => {
      const b = el('button', {
        className: `card-button card-button-${action}`,
        text,
        // Out of the tab order: the image in it takes K and Delete; the buttons are for the mouse.
        attrs: { type: 'button', title: description, 'aria-label': description, tabindex: '-1' },
      });
      b.addEventListener('click', (event) => {
        event.stopPropagation();
        this.focusTile(at);
        this.handlers.onAction(member, action);
      });
      return b;
    };
    const element = el(
      'div',
      { className: 'issue-tile', attrs: { role: 'listitem', tabindex: '-1', 'data-path': member.path } },
      [
        el('div', { className: 'thumb' }, [image]),
        el('div', { className: 'issue-caption', text: item.caption, attrs: { title: item.captionTitle } }),
        el('div', { className: 'issue-path', text: member.path, attrs: { title: member.path } }),
        status,
        el('div', { className: 'card-actions' }, [
          button('Keep', 'keep', `Keep ${member.path} (${item.issue}) in the dataset (K)`),
          button('✕', 'remove', `Remove ${member.path} (${item.issue}) from the dataset (Delete)`),
        ]),
      ],
    );
    element.addEventListener('click', () => this.focusTile(at));
    element.addEventListener('dblclick', () => this.handlers.onOpen(member.path));
    const tile: Tile = { element, member, issue: item.issue, caption: item.caption, status, image };
    this.paint(tile);
    this.showThumbnail(tile);
    return tile;
  }

  /** A tile's decision: its mark, its status and its name. */
  private paint(tile: Tile): void {
    const decision: Decision | undefined = ownValue(this.decisions, tile.member.path);
    tile.element.classList.remove('decided-keep', 'decided-remove', 'decided-relabel');
    if (decision) tile.element.classList.add(`decided-${decision.action}`);
    const status = statusText(decision);
    tile.status.textContent = status;
    tile.element.setAttribute(
      'aria-label',
      `${tile.member.path}, labeled ${tile.member.label}, ${tile.issue}: ${status}. K keeps, Delete removes, Enter opens the image`,
    );
  }
}

/** Text as a sentence: ends with a full stop unless it has one. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' || /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * Images per class in each split, one row per class: the balance a model is trained and tested on.
 * A class with no image in a split is marked, since a test split without it cannot measure it.
 */
function splitClassTable({ classes, splits }: NonNullable<HealthView['leakySplits']>): HTMLElement {
  const name = (split: string) => split || 'no split';
  const head = el('tr', {}, [
    el('th', { text: 'Class', attrs: { scope: 'col' } }),
    ...splits.map((s) => el('th', { text: name(s.split), attrs: { scope: 'col' } })),
  ]);
  const rows = classes.map((cls, c) =>
    el('tr', {}, [
      el('th', { text: cls, attrs: { scope: 'row' } }),
      ...splits.map((s) => {
        const n = s.classCounts[c] ?? 0;
        const share = s.samples ? ` (${percent(n / s.samples)})` : '';
        return el('td', {
          className: n === 0 ? 'split-missing' : '',
          text: n === 0 ? `none` : `${n.toLocaleString('en-US')}${share}`,
          ...(n === 0 ? { attrs: { title: `No ${cls} image in ${name(s.split)}` } } : {}),
        });
      }),
    ]),
  );
  const missing = classes.flatMap((cls, c) =>
    splits.filter((s) => (s.classCounts[c] ?? 0) === 0).map((s) => `${cls} (${name(s.split)})`),
  );
  return el('details', { className: 'split-classes' }, [
    el('summary', {
      text: `Images per class in each split${missing.length ? ` · ${missing.length} class${missing.length === 1 ? '' : 'es'} missing from a split: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}` : ''}`,
    }),
    el('table', { className: 'split-table' }, [
      el('caption', { className: 'visually-hidden', text: 'Images per class in each split' }),
      el('thead', {}, [head]),
      el('tbody', {}, rows),
    ]),
  ]);
}
