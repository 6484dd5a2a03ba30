/**
 * The side pane: a larger view of the focused image with its figures, its nearest neighbours under
 * the given and the suggested label, the decision, and buttons for the actions, which apply to the
 * whole selection when several cards are selected. Its "Relabel…" button opens the class picker
 * (classPicker.ts), as R does.
 */
import type { Decision, SuspectView } from '../../src/protocol/webview';
import { el, percent } from '../dom';
import { NeighbourStrips } from './neighbourStrips';
import type { ReviewAction } from '../state/reviewState';
import { statusText } from './suspectGrid';
import { userModelFigures } from '../state/userModelFigures';
import { sparklineLabel, trajectoryFigures, trajectoryReading } from '../state/trajectoryReading';
import { marginSparkline } from './marginSparkline';

/** How the pane reports user input. */
export interface PreviewHandlers {
  /** An action on the selection (or the focused card). */
  onAction(action: ReviewAction): void;
  onUndo(): void;
  onOpen(path: string): void;
  /** Open the class picker for the selection. */
  onRelabel(): void;
}

/** What the pane shows. */
export interface PreviewModel {
  readonly suspect: SuspectView | undefined;
  readonly decision: Decision | undefined;
  /** Cards the actions apply to. */
  readonly targetCount: number;
  readonly canUndo: boolean;
  /** In a spot check, Enter and the first button say the label is correct (keep) rather than accept the runner-up. */
  readonly spotCheck?: boolean;
}

/** The preview and actions pane. */
export class PreviewPane {
  readonly element: HTMLElement;
  private readonly image: HTMLImageElement;
  private readonly title: HTMLElement;
  private readonly details: HTMLElement;
  /** The user's own model's figures (audits with --pred-probs / --embeddings), in their own list. */
  private readonly userModel: HTMLElement;
  private readonly userModelDetails: HTMLElement;
  /** How ERM learned the label: the margin sparkline, its reading and figures (the report's `dynamics`). */
  private readonly training: HTMLElement;
  private readonly status: HTMLElement;
  private readonly scope: HTMLElement;
  private readonly acceptButton: HTMLElement;
  private readonly actionButtons: HTMLElement[];
  private readonly undoButton: HTMLElement;
  private readonly neighbours: NeighbourStrips;
  private current: SuspectView | undefined;
  private spotCheck = false;

  constructor(handlers: PreviewHandlers) {
    this.image = el('img', { attrs: { alt: '', draggable: 'false' } });
    this.image.addEventListener('load', () => {
      // Small images (28×28 digits) are shown with crisp pixels; photos are smoothed as usual.
      this.image.classList.toggle('pixelated', this.image.naturalWidth > 0 && this.image.naturalWidth < 128);
    });
    this.image.addEventListener('dblclick', () => this.current && handlers.onOpen(this.current.path));
    this.title = el('div', { className: 'preview-path' });
    this.details = el('dl', { className: 'preview-details' });
    // Its own list, so its short terms leave room for the values ("0 (ours: 6)") in the narrow pane.
    this.userModelDetails = el('dl', { className: 'preview-details' });
    this.userModel = el('section', { className: 'preview-user-model', attrs: { 'aria-label': 'Your model' } }, [
      el('div', { className: 'preview-user-model-heading', text: 'Your model' }),
      this.userModelDetails,
    ]);
    this.userModel.hidden = true;
    this.training = el('section', { className: 'preview-training', attrs: { 'aria-label': 'How ERM learned it' } });
    this.training.hidden = true;
    this.status = el('div', { className: 'preview-status' });
    this.scope = el('div', { className: 'preview-scope' });
    this.neighbours = new NeighbourStrips((path) => handlers.onOpen(path));

    this.acceptButton = button('Accept suggestion', 'Enter', () =>
      handlers.onAction({ kind: this.spotCheck ? 'keep' : 'accept' }),
    );
    const keep = button('Keep label', 'K', () => handlers.onAction({ kind: 'keep' }), true);
    const remove = button('Remove', 'Delete', () => handlers.onAction({ kind: 'remove' }), true);
    const relabel = button('Relabel…', 'R', () => handlers.onRelabel(), true);
    relabel.classList.add('relabel-button');
    this.undoButton = button('Undo', 'Ctrl+Z', () => handlers.onUndo(), true);
    const open = button('Open image', '', () => this.current && handlers.onOpen(this.current.path), true);
    this.actionButtons = [this.acceptButton, keep, remove, relabel, open];

    this.element = el('aside', { className: 'preview', attrs: { 'aria-label': 'Selected sample' } }, [
      el('div', { className: 'preview-image' }, [this.image]),
      this.title,
      this.details,
      this.userModel,
      this.training,
      this.neighbours.element,
      this.status,
      this.scope,
      el('div', { className: 'preview-actions' }, [this.acceptButton, keep, remove, relabel]),
      el('div', { className: 'preview-actions' }, [this.undoButton, open]),
    ]);
  }

  /** Shows the focused sample and what the actions will apply to. */
  show(model: PreviewModel): void {
    const { suspect, decision } = model;
    this.current = suspect;
    this.spotCheck = model.spotCheck ?? false;
    this.element.classList.toggle('empty', suspect === undefined);
    for (const b of this.actionButtons) toggleDisabled(b, suspect === undefined);
    toggleDisabled(this.undoButton, !model.canUndo);
    this.neighbours.show(suspect);
    if (suspect === undefined) {
      this.image.removeAttribute('src');
      this.image.alt = '';
      this.title.textContent = 'Select a card to see it here.';
      this.details.replaceChildren();
      this.userModel.hidden = true;
      this.training.hidden = true;
      this.status.textContent = '';
      this.scope.textContent = '';
      return;
    }
    if (this.image.getAttribute('src') !== suspect.imageUri) {
      this.image.classList.remove('pixelated');
      this.image.src = suspect.imageUri;
    }
    this.image.alt = `Image ${suspect.path}`;
    this.title.textContent = suspect.path;
    this.title.title = suspect.path;
    this.details.replaceChildren(
      ...row('Given label', suspect.givenLabel),
      ...row('Suggested label', suspect.suggestedLabel),
      ...row('ERM confidence (given)', percent(suspect.ermGiven)),
      ...row('mixup confidence (given)', percent(suspect.mixupGiven)),
      ...row('mixup confidence (suggested)', percent(suspect.mixupSuggested)),
      ...row('Suspicion score', `${suspect.score.toFixed(3)}${suspect.flagged ? '' : ' (not flagged)'}`),
    );
    const own = userModelFigures(suspect);
    this.userModel.hidden = own.length === 0;
    this.userModelDetails.replaceChildren(...own.flatMap(({ term, value }) => row(term, value)));
    this.showTraining(suspect);
    this.status.textContent = statusText(decision);
    this.status.dataset.state = decision?.action ?? 'pending';
    this.scope.textContent = model.targetCount > 1 ? `Actions apply to the ${model.targetCount} selected samples.` : '';
    this.acceptButton.textContent = this.spotCheck
      ? 'Label is correct'
      : model.targetCount > 1
        ? 'Accept suggestions'
        : `Accept “${suspect.suggestedLabel}”`;
  }

  private showTraining(suspect: SuspectView): void {
    const { dynamics } = suspect;
    this.training.hidden = dynamics === undefined;
    if (!dynamics) return this.training.replaceChildren();
    this.training.replaceChildren(
      el('div', { className: 'preview-training-heading', text: 'How ERM learned it' }),
      marginSparkline(dynamics.margins, sparklineLabel(dynamics)),
      el('div', { className: 'preview-training-reading', text: trajectoryReading(dynamics) }),
      el(
        'dl',
        { className: 'preview-details' },
        trajectoryFigures(dynamics).flatMap(({ term, value }) => row(term, value)),
      ),
    );
  }
}

function button(text: string, key: string, onClick: () => void, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.secondary = secondary;
  if (key) b.title = `${text} (${key})`;
  b.addEventListener('click', onClick);
  return b;
}

function toggleDisabled(element: HTMLElement, disabled: boolean): void {
  if (disabled) element.setAttribute('disabled', '');
  else element.removeAttribute('disabled');
}

function row(term: string, value: string): HTMLElement[] {
  return [el('dt', { text: term }), el('dd', { text: value })];
}
