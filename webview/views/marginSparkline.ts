/**
 * A small line chart of one sample's margin over ERM's epochs (the given label's logit minus the
 * largest other), with the zero line: above it the network predicted the given label. Flat and
 * high: a clean label; climbing late: memorized; below zero: rejected. SVG built through the DOM
 * (no markup strings), coloured by the theme through CSS classes.
 */
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 120;
const HEIGHT = 32;
const PAD = 2;

/** An `<svg role="img">` of `margins` (at least one point), named by `label`. */
export function marginSparkline(margins: readonly number[], label: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'margin-sparkline');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  if (margins.length === 0) return svg;
  // Zero always in range, so the zero line is always drawn and the curve's side of it is honest.
  const top = Math.max(0, ...margins);
  const bottom = Math.min(0, ...margins);
  const span = top - bottom || 1;
  const y = (m: number) => PAD + ((top - m) / span) * (HEIGHT - 2 * PAD);
  const x = (i: number) => (margins.length === 1 ? WIDTH / 2 : PAD + (i / (margins.length - 1)) * (WIDTH - 2 * PAD));
  const zero = document.createElementNS(SVG, 'line');
  zero.setAttribute('class', 'margin-sparkline-zero');
  for (const [name, value] of [
    ['x1', 0],
    ['x2', WIDTH],
    ['y1', y(0)],
    ['y2', y(0)],
  ] as const)
    zero.setAttribute(name, value.toFixed(1));
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('class', 'margin-sparkline-curve');
  line.setAttribute('points', margins.map((m, i) => `${x(i).toFixed(1)},${y(m).toFixed(1)}`).join(' '));
  const end = document.createElementNS(SVG, 'circle');
  end.setAttribute('class', margins.at(-1)! > 0 ? 'margin-sparkline-end' : 'margin-sparkline-end below');
  end.setAttribute('cx', x(margins.length - 1).toFixed(1));
  end.setAttribute('cy', y(margins.at(-1)!).toFixed(1));
  end.setAttribute('r', '2');
  svg.append(zero, line, end);
  return svg;
}
