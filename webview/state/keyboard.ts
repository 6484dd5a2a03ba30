/**
 * The review keys, as data: which key does what, and the list the help overlay shows. Kept apart
 * from the DOM wiring so the mapping is one table that both the handler and the overlay read.
 */

/** What a key press asks the review to do. */
export type KeyCommand =
  | {
      readonly kind: 'move';
      readonly direction: 'left' | 'right' | 'up' | 'down' | 'home' | 'end' | 'pageUp' | 'pageDown';
      readonly extend: boolean;
    }
  | { readonly kind: 'accept' }
  | { readonly kind: 'keep' }
  | { readonly kind: 'relabel' }
  | { readonly kind: 'remove' }
  | { readonly kind: 'digit'; readonly digit: number }
  | { readonly kind: 'nextUnreviewed' }
  | { readonly kind: 'undo' }
  | { readonly kind: 'selectAll' }
  | { readonly kind: 'help' }
  | { readonly kind: 'escape' };

/** The parts of a KeyboardEvent the mapping reads (so it can be called with a plain object). */
export interface KeyPress {
  readonly key: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
}

const MOVES: Readonly<Record<string, Extract<KeyCommand, { kind: 'move' }>['direction']>> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  Home: 'home',
  End: 'end',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
};

/**
 * The command for a key press on the grid, or undefined when the key is not ours (it then keeps its
 * default behaviour). Ctrl and Cmd are the same modifier so the keys work on every platform.
 */
export function commandForKey(press: KeyPress): KeyCommand | undefined {
  const mod = press.ctrlKey || press.metaKey;
  if (press.altKey) return undefined;
  const key = press.key;
  if (mod) {
    if (key === 'z' || key === 'Z') return press.shiftKey ? undefined : { kind: 'undo' };
    if (key === 'a' || key === 'A') return { kind: 'selectAll' };
    return undefined;
  }
  const direction = MOVES[key];
  if (direction) return { kind: 'move', direction, extend: press.shiftKey };
  switch (key) {
    case 'Enter':
      return { kind: 'accept' };
    case 'k':
    case 'K':
      return { kind: 'keep' };
    case 'r':
    case 'R':
      return { kind: 'relabel' };
    case 'n':
    case 'N':
      return { kind: 'nextUnreviewed' };
    // Backspace too: the key labelled "delete" on a Mac keyboard sends it.
    case 'Delete':
    case 'Backspace':
      return { kind: 'remove' };
    case '?':
      return { kind: 'help' };
    case 'Escape':
      return { kind: 'escape' };
  }
  if (/^[0-9]$/.test(key)) return { kind: 'digit', digit: Number(key) };
  return undefined;
}

/** The rows of the help overlay: keys and what they do. */
export const KEY_HELP: readonly { readonly keys: string; readonly does: string }[] = [
  { keys: '← → ↑ ↓', does: 'Move between cards (Shift extends the selection)' },
  { keys: 'Home / End, Page Up / Page Down', does: 'Jump to the first / last card, or a screen up / down' },
  { keys: 'Click, Shift+Click, Ctrl/Cmd+Click', does: 'Select a card, a range, or add a card' },
  { keys: 'Ctrl/Cmd+A', does: 'Select every card shown' },
  { keys: 'Enter', does: 'Accept the suggested label' },
  { keys: 'K', does: 'Keep the given label' },
  { keys: 'R', does: 'Relabel: pick a class, shown with its typical images (type to filter, ↑ ↓, Enter)' },
  { keys: 'Delete', does: 'Remove the sample from the dataset' },
  { keys: 'N', does: 'Go to the next card without a decision' },
  {
    keys: 'Issues view',
    does: '← → along a strip, ↑ ↓ to the next strip; K keeps, Delete removes, Enter opens the image',
  },
  { keys: 'Ctrl/Cmd+Z', does: 'Undo the last decision' },
  { keys: '?', does: 'Show or hide this help' },
  { keys: 'Esc', does: 'Close this help or the class picker' },
];
