/**
 * Sizes in CSS pixels that both the TypeScript and the styles depend on: the virtualised grid and
 * conflict list place their items by these numbers without measuring, and the styles draw the items at
 * the same size. Each is defined here once and written to a CSS variable on the root at start
 * (`writeLayoutVariables`), which the styles read (`var(--card-width)` …).
 */
export const LAYOUT = {
  /** A suspect card (and a conflict member). */
  cardWidth: 180,
  cardHeight: 218,
  /** One group of conflicting duplicates. */
  conflictRowHeight: 286,
  /** A neighbour thumbnail under the preview: six fit the pane's width. */
  neighbourSize: 40,
} as const;

const VARIABLES: Readonly<Record<keyof typeof LAYOUT, string>> = {
  cardWidth: '--card-width',
  cardHeight: '--card-height',
  conflictRowHeight: '--conflict-row-height',
  neighbourSize: '--neighbour-size',
};

/**
 * Writes the sizes to CSS variables through the CSSOM (the page's CSP allows no inline style). VS Code
 * rewrites only the `--vscode-*` variables on the root when the theme changes, so these stay.
 */
export function writeLayoutVariables(root: HTMLElement = document.documentElement): void {
  for (const [key, name] of Object.entries(VARIABLES))
    root.style.setProperty(name, `${LAYOUT[key as keyof typeof LAYOUT]}px`);
}
