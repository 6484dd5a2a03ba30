/** Formats a probability or score in [0, 1] as a short percentage ("87%"). */
export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}
