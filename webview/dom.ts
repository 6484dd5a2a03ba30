/**
 * A tiny element builder. Text goes in through `textContent` only and styles through classes or the
 * CSSOM (never a `style` attribute), so nothing here needs `'unsafe-inline'` in the CSP and no
 * sample path or class name is ever parsed as HTML.
 */
export interface ElementOptions {
  readonly className?: string;
  readonly text?: string;
  /** Attributes set with setAttribute (aria-*, title, data-*, …). */
  readonly attrs?: Readonly<Record<string, string>>;
}

/** Creates `<tag>` with the given class, text, attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: readonly (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}

// Kept in a DOM-free file so the pure state code (and its unit tests) can format figures too.
export { percent } from './format';

/** Controls the keyboard can reach, in the order a page lists them. */
const FOCUSABLE =
  'button:not([disabled]):not([tabindex="-1"]), vscode-button, vscode-single-select, vscode-textfield, vscode-checkbox, input, [tabindex="0"]';

/** The controls in `container` the keyboard can reach (not inside a hidden part), in document order. */
export function focusables(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) => !element.closest('[hidden], [inert], [aria-hidden="true"]'),
  );
}

/** The first control in `container` the keyboard can reach, if any. */
export function firstFocusable(container: HTMLElement): HTMLElement | undefined {
  return focusables(container)[0];
}

/**
 * True when the keyboard focus is on nothing: the page itself (the focused control was removed), or a
 * control just hidden (the browser moves the focus off it only at its next rendering step).
 */
export function focusDropped(): boolean {
  const active = document.activeElement;
  return active === null || active === document.body || (active instanceof HTMLElement && !active.checkVisibility());
}
