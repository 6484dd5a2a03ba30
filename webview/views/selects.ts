/** vscode-elements' single select, built and filled the way every select of the page is. */
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';

/** A labelled select that calls `onChange` when the reviewer picks an option. */
export function select(label: string, onChange: () => void): VscodeSingleSelect {
  const s = document.createElement('vscode-single-select');
  s.setAttribute('aria-label', label);
  s.label = label;
  s.addEventListener('change', onChange);
  return s;
}

export function setOptions(s: VscodeSingleSelect, choices: readonly (readonly [string, string])[]): void {
  s.replaceChildren(
    ...choices.map(([value, text]) => {
      const option = document.createElement('vscode-option');
      option.value = value;
      option.textContent = text;
      return option;
    }),
  );
}

// Setting the same value again would make the select re-render its face for nothing.
export function setValue(s: VscodeSingleSelect, value: string): void {
  if (s.value !== value) s.value = value;
}
