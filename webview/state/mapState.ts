/**
 * The embedding map's pure parts: which samples a box or lasso holds, the nearest point under the
 * pointer, and the viewport's transform. Flat arrays and a bucket grid, so 100 000 points select and
 * hit-test in milliseconds (docs/dataset-health.md#the-embedding-map).
 */

/** `[x0, y0, x1, y1, …]` of a closed polygon in map coordinates ([0, 1]); a box is its four corners. */
export type Region = readonly number[];

/** Even–odd rule: whether (x, y) lies inside the polygon. */
export function insidePolygon(x: number, y: number, polygon: Region): boolean {
  let inside = false;
  const n = polygon.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = polygon[i * 2];
    const yi = polygon[i * 2 + 1];
    const xj = polygon[j * 2];
    const yj = polygon[j * 2 + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The region's bounding box, `[minX, minY, maxX, maxY]`. */
function bounds(polygon: Region): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < polygon.length; i += 2) {
    box[0] = Math.min(box[0], polygon[i]);
    box[1] = Math.min(box[1], polygon[i + 1]);
    box[2] = Math.max(box[2], polygon[i]);
    box[3] = Math.max(box[3], polygon[i + 1]);
  }
  return box;
}

/**
 * `(N,)` 1 for each point inside `region` (points at -1 have no position and are never inside).
 * The bounding box first: most points fail it, and the polygon test runs only on the rest.
 */
export function regionMask(points: readonly number[], region: Region): Uint8Array {
  const mask = new Uint8Array(points.length / 2);
  if (region.length < 6) return mask;
  const [minX, minY, maxX, maxY] = bounds(region);
  for (let i = 0; i < mask.length; i++) {
    const x = points[i * 2];
    const y = points[i * 2 + 1];
    if (x < 0 || x < minX || x > maxX || y < minY || y > maxY) continue;
    if (insidePolygon(x, y, region)) mask[i] = 1;
  }
  return mask;
}

/** The four corners of the box between two points. */
export function boxRegion(x0: number, y0: number, x1: number, y1: number): Region {
  return [x0, y0, x1, y0, x1, y1, x0, y1];
}

/** Cells per side of the hit-test grid: ~6 points per cell at 100 000. */
const CELLS = 128;

/** Points bucketed by grid cell, for the nearest point under the pointer. */
export class PointIndex {
  /** `starts[c]..starts[c + 1]` are cell c's entries in `order`. */
  private readonly starts = new Int32Array(CELLS * CELLS + 1);
  private readonly order: Int32Array;

  constructor(private readonly points: readonly number[]) {
    const count = points.length / 2;
    const cellOf = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      if (points[i * 2] < 0) continue;
      cellOf[i] = cell(points[i * 2], points[i * 2 + 1]);
      this.starts[cellOf[i] + 1]++;
    }
    for (let c = 0; c < CELLS * CELLS; c++) this.starts[c + 1] += this.starts[c];
    const filled = this.starts.slice(0, CELLS * CELLS);
    this.order = new Int32Array(this.starts[CELLS * CELLS]);
    for (let i = 0; i < count; i++) if (cellOf[i] >= 0) this.order[filled[cellOf[i]]++] = i;
  }

  /** The point nearest (x, y) within `radius` (map units), or -1. */
  nearest(x: number, y: number, radius: number): number {
    let best = -1;
    let bestDistance = radius * radius;
    const low = (v: number) => Math.max(0, Math.floor((v - radius) * CELLS));
    const high = (v: number) => Math.min(CELLS - 1, Math.floor((v + radius) * CELLS));
    for (let cy = low(y); cy <= high(y); cy++) {
      for (let cx = low(x); cx <= high(x); cx++) {
        const c = cy * CELLS + cx;
        for (let at = this.starts[c]; at < this.starts[c + 1]; at++) {
          const i = this.order[at];
          const d = (this.points[i * 2] - x) ** 2 + (this.points[i * 2 + 1] - y) ** 2;
          if (d <= bestDistance) {
            bestDistance = d;
            best = i;
          }
        }
      }
    }
    return best;
  }
}

function cell(x: number, y: number): number {
  const cx = Math.min(CELLS - 1, Math.floor(x * CELLS));
  const cy = Math.min(CELLS - 1, Math.floor(y * CELLS));
  return cy * CELLS + cx;
}

/** Where the map is looked at: the map point at the canvas centre, and CSS pixels per map unit. */
export interface Viewport {
  readonly centreX: number;
  readonly centreY: number;
  readonly scale: number;
}

/** The viewport that shows the whole map ([0, 1]²) in a canvas of this size, with a margin. */
export function fitViewport(width: number, height: number): Viewport {
  return { centreX: 0.5, centreY: 0.5, scale: Math.max(1, Math.min(width, height) * 0.92) };
}

/** The viewport zoomed by `factor` about the canvas point (px, py), which stays where it is. */
export function zoomAbout(
  view: Viewport,
  factor: number,
  px: number,
  py: number,
  width: number,
  height: number,
): Viewport {
  const scale = Math.min(2e5, Math.max(20, view.scale * factor));
  const [mx, my] = toMap(view, px, py, width, height);
  return { scale, centreX: mx - (px - width / 2) / scale, centreY: my - (py - height / 2) / scale };
}

/** Canvas (CSS pixel) coordinates of a map point. */
export function toCanvas(view: Viewport, x: number, y: number, width: number, height: number): [number, number] {
  return [(x - view.centreX) * view.scale + width / 2, (y - view.centreY) * view.scale + height / 2];
}

/** The map point under a canvas point. */
export function toMap(view: Viewport, px: number, py: number, width: number, height: number): [number, number] {
  return [(px - width / 2) / view.scale + view.centreX, (py - height / 2) / view.scale + view.centreY];
}
