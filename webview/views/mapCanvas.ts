/**
 * Draws the embedding map on a 2-D canvas: the points written straight into one ImageData (one
 * 32-bit store per pixel, no path or fillStyle per point: 100 000 points in a few milliseconds),
 * then the few marks that need shapes (rings, the region, the lasso being drawn) as paths.
 */
import { MAP_MARK_SUSPECT, type MapView } from '../../src/protocol/webview';
import { toCanvas, type Region, type Viewport } from '../state/mapState';

/** The theme colours the map uses, as CSS colour strings. */
export interface MapColours {
  readonly muted: string;
  readonly suspect: string;
  readonly issue: string;
  readonly focus: string;
  readonly foreground: string;
}

/**
 * Tableau's 10 categorical colours (the default of matplotlib and Vega): told apart on light and
 * dark backgrounds and by most colour-blind readers; classes past ten go round the hue circle.
 */
const CATEGORICAL = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The colour of the i-th class. */
export function labelColour(i: number): string {
  if (i < CATEGORICAL.length) return CATEGORICAL[i];
  // The golden angle spreads any number of hues evenly enough.
  return `hsl(${Math.round((i * 137.508) % 360)} 55% 55%)`;
}

const packed = new Map<string, number>();

/** A CSS colour as the little-endian RGBA word ImageData's Uint32Array view stores, with this alpha. */
function pack(colour: string, alpha: number): number {
  let rgb = packed.get(colour);
  if (rgb === undefined) {
    // The browser parses any CSS colour the theme uses (hex, rgb(), hsl(), names) by drawing it.
    const probe = new OffscreenCanvas(1, 1).getContext('2d')!;
    probe.fillStyle = colour;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
    rgb = r | (g << 8) | (b << 16);
    packed.set(colour, rgb);
  }
  return (rgb | (alpha << 24)) >>> 0;
}

const buffers = new WeakMap<CanvasRenderingContext2D, ImageData>();

/** The canvas's pixel buffer, kept between frames: allocating megabytes per frame cost more than drawing. */
function frameBuffer(context: CanvasRenderingContext2D, width: number, height: number): ImageData {
  let image = buffers.get(context);
  if (!image || image.width !== width || image.height !== height) {
    image = context.createImageData(width, height);
    buffers.set(context, image);
  }
  return image;
}

/** Everything one frame shows. */
export interface MapFrame {
  readonly map: MapView;
  readonly view: Viewport;
  /** Canvas size in CSS px, and device pixels per CSS px. */
  readonly width: number;
  readonly height: number;
  readonly ratio: number;
  readonly colourBy: 'label' | 'findings';
  /** `(N,)` 1 inside the selected region; the others are dimmed. */
  readonly inside: Uint8Array | undefined;
  readonly colours: MapColours;
  /** Map indices to ring (the grid's selected cards). */
  readonly rings: readonly number[];
  /** Map indices of the flagged suspects (inside the region, when there is one). */
  readonly flagged: readonly number[];
  readonly region: Region | null;
  readonly hovered: number;
  /** The box or lasso being drawn, in canvas px. */
  readonly lasso: readonly number[] | undefined;
  /**
   * False when only the overlays changed since the last frame (the hovered point, a lasso being
   * drawn): the points' pixels from then are put back as they are, not rasterised again.
   */
  readonly pointsChanged: boolean;
}

/** Opacity of a point, of one outside the selected region, and of one with no finding when colouring by findings. */
const SHOWN = 230;
const DIMMED = 50;
const QUIET = 110;
/** Most flagged suspects ringed at once. */
export const MAX_RINGS = 2_000;

/** A point's side in CSS px: larger when there are few, so a small dataset's map is not a dust cloud. */
export function pointSide(count: number): number {
  return count <= 2_000 ? 4 : count <= 20_000 ? 3 : 2;
}

/** Draws one frame. @returns whether the flagged suspects in view were ringed (not when more than {@link MAX_RINGS}). */
export function drawPoints(context: CanvasRenderingContext2D, frame: MapFrame): boolean {
  const deviceWidth = context.canvas.width;
  const deviceHeight = context.canvas.height;
  const kept = buffers.get(context);
  const image = frameBuffer(context, deviceWidth, deviceHeight);
  if (frame.pointsChanged || image !== kept) rasterise(image, frame);
  context.putImageData(image, 0, 0);
  drawOverlays(context, frame);
  return ringsShown(frame);
}

/** The points, into the pixel buffer. */
function rasterise(image: ImageData, frame: MapFrame): void {
  const { map, view, width, height, ratio, colourBy, inside, colours } = frame;
  const deviceWidth = image.width;
  const deviceHeight = image.height;
  const pixels = new Uint32Array(image.data.buffer);
  pixels.fill(0);
  const base = pointSide(map.paths.length);
  const palette = (alpha: number) =>
    colourBy === 'label'
      ? map.labelNames.map((_, i) => pack(labelColour(i), alpha))
      : [pack(colours.muted, alpha), pack(colours.issue, alpha), pack(colours.suspect, alpha)];
  const shown = palette(SHOWN);
  const dimmed = palette(DIMMED);
  // By findings the points with none recede, so the few with one stand out.
  if (colourBy === 'findings') shown[0] = pack(colours.muted, QUIET);
  const scale = view.scale * ratio;
  const offsetX = (width / 2) * ratio - view.centreX * scale;
  const offsetY = (height / 2) * ratio - view.centreY * scale;
  const count = map.paths.length;
  // By findings, what was found is drawn last, over the points with nothing to show.
  const passes = colourBy === 'label' ? [-1] : [0, 1, 2];
  for (const pass of passes) {
    for (let i = 0; i < count; i++) {
      const x = map.points[i * 2];
      if (x < 0) continue;
      const mark = map.marks[i];
      const kind = colourBy === 'label' ? map.labels[i] : mark & MAP_MARK_SUSPECT ? 2 : mark > 1 ? 1 : 0;
      if (pass >= 0 && kind !== pass) continue;
      const side = Math.round((colourBy === 'findings' && kind > 0 ? base + 2 : base) * ratio);
      // Centred on the point, where the rings and the hover find it.
      const px = Math.round(x * scale + offsetX - side / 2);
      const py = Math.round(map.points[i * 2 + 1] * scale + offsetY - side / 2);
      if (px < 0 || py < 0 || px + side > deviceWidth || py + side > deviceHeight) continue;
      const colour = inside && inside[i] === 0 ? dimmed[kind] : shown[kind];
      // Plain stores: a typed array's fill() per row cost ten times more, called 200 000 times a frame.
      for (let dy = 0; dy < side; dy++) {
        const row = (py + dy) * deviceWidth + px;
        for (let dx = 0; dx < side; dx++) pixels[row + dx] = colour;
      }
    }
  }
}

/** Whether the flagged suspects in view are few enough to ring (at most {@link MAX_RINGS}). */
function ringsShown(frame: MapFrame): boolean {
  if (frame.colourBy !== 'label') return true;
  let count = 0;
  for (const i of frame.flagged) if (inCanvas(frame, i, 0) && ++count > MAX_RINGS) return false;
  return true;
}

function inCanvas(frame: MapFrame, i: number, margin: number): boolean {
  if (frame.map.points[i * 2] < 0) return false;
  const [x, y] = toCanvas(frame.view, frame.map.points[i * 2], frame.map.points[i * 2 + 1], frame.width, frame.height);
  return x >= -margin && y >= -margin && x <= frame.width + margin && y <= frame.height + margin;
}

/** The rings, the region and the lasso, as paths over the points. */
function drawOverlays(context: CanvasRenderingContext2D, frame: MapFrame): void {
  const { map, view, width, height, ratio, colourBy, colours } = frame;
  const base = pointSide(map.paths.length);
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  const at = (i: number) => toCanvas(view, map.points[i * 2], map.points[i * 2 + 1], width, height);
  const inView = (indices: Iterable<number>, margin: number) => {
    const kept: [number, number][] = [];
    for (const i of indices) {
      if (map.points[i * 2] < 0) continue;
      const [x, y] = at(i);
      if (x >= -margin && y >= -margin && x <= width + margin && y <= height + margin) kept.push([x, y]);
    }
    return kept;
  };
  const rings = (centres: readonly [number, number][], radius: number, colour: string, line: number) => {
    context.beginPath();
    for (const [x, y] of centres) {
      context.moveTo(x + radius, y);
      context.arc(x, y, radius, 0, 2 * Math.PI);
    }
    context.strokeStyle = colour;
    context.lineWidth = line;
    context.stroke();
  };
  // By label, the flagged suspects are ringed in the error colour (by findings they are that colour);
  // past MAX_RINGS in view the rings would hide the points, so only a closer view rings them.
  const radius = base / 2 + 2.5;
  if (colourBy === 'label' && ringsShown(frame)) rings(inView(frame.flagged, radius), radius, colours.suspect, 1);
  if (frame.rings.length > 0) rings(inView(frame.rings, 6), 6, colours.focus, 2);
  if (frame.hovered >= 0) rings(inView([frame.hovered], 6), 6, colours.foreground, 1.5);
  const outline = (points: readonly number[], close: boolean) => {
    context.beginPath();
    for (let i = 0; i < points.length; i += 2) context.lineTo(points[i], points[i + 1]);
    if (close) context.closePath();
    context.setLineDash([5, 4]);
    context.strokeStyle = colours.focus;
    context.lineWidth = 1.5;
    context.stroke();
    context.setLineDash([]);
  };
  if (frame.region) {
    const corners: number[] = [];
    for (let i = 0; i < frame.region.length; i += 2)
      corners.push(...toCanvas(view, frame.region[i], frame.region[i + 1], width, height));
    outline(corners, true);
  }
  if (frame.lasso) outline(frame.lasso, true);
  context.setTransform(1, 0, 0, 1, 0, 0);
}
