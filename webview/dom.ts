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

/** Formats a probability or score in [0, 1] as a short percentage ("87%"). */
export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}
