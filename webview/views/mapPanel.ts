/**
 * The Map view's page: every audited sample as a point of the embedding map on one canvas (no DOM
 * node per point, so 100 000 points pan and zoom smoothly), coloured by given label or by what the
 * audit found. Hover shows a sample's thumbnail, path, label and findings; a click opens it (its card
 * when the grid lists it, else the image); a box or lasso selects a region, which then filters the
 * Suspects grid and the Issues view. Keys on the focused map: arrows pan, + and − zoom, 0 fits,
 * B / L / P pick the box, lasso or pan tool, Escape clears the selection; the grid's selected cards
 * are ringed on the map, so a selection made with the keyboard in the grid shows here too.
 */
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import { MAP_MARK_SUSPECT, mapIssueMark, type MapView, type SuspectView } from '../../src/protocol/webview';
import { el } from '../dom';
import { drawPoints, labelColour, MAX_RINGS, type MapColours } from './mapCanvas';
import { select, setOptions } from './selects';
import {
  boxRegion,
  fitViewport,
  PointIndex,
  toCanvas,
  toMap,
  zoomAbout,
  type Region,
  type Viewport,
} from '../state/mapState';

/** How the map reports what the reviewer does with it. */
export interface MapPanelHandlers {
  /** A box or lasso was drawn (null: the selection was cleared). */
  onRegion(region: Region | null): void;
  /** A point was clicked. */
  onOpen(path: string): void;
  /** Show the selection's cards in the Suspects view. */
  onShowSelection(): void;
  thumbnail(path: string): string | undefined;
  onShown(paths: readonly string[]): void;
}

/** What the map shows. */
export interface MapModel {
  readonly map: MapView;
  readonly region: Region | null;
  /** `(N,)` 1 inside the region. */
  readonly inside: Uint8Array | undefined;
  /** The suspects the panel lists, by path (for the hover's suggestion and score). */
  readonly suspects: ReadonlyMap<string, SuspectView>;
  /** The grid's selected cards, ringed on the map. */
  readonly selectedPaths: readonly string[];
}

type Tool = 'pan' | 'box' | 'lasso';
type ColourBy = 'label' | 'findings';

/** Pointer travel (CSS px) under which a press is a click, and the hover's reach. */
const CLICK_SLOP = 4;
const HOVER_RADIUS = 7;
/** Smallest box or lasso (CSS px²) taken as a selection. */
const MIN_REGION_AREA = 9;
/** How long the pointer rests on a point before its thumbnail is asked for (sweeping asks for none). */
const THUMBNAIL_DWELL_MS = 150;

export class MapPanel {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private readonly tooltipImage: HTMLImageElement;
  private readonly tooltipText: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly showButton: HTMLElement;
  private readonly clearButton: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly tools: Record<Tool, HTMLButtonElement>;
  private readonly colourSelect: VscodeSingleSelect;
  private model: MapModel | undefined;
  private index: PointIndex | undefined;
  private indexedFor: readonly number[] | undefined;
  private view: Viewport | undefined;
  private tool: Tool = 'pan';
  private colourBy: ColourBy = 'label';
  private hovered = -1;
  /** The press being dragged: where it started, and the lasso's path so far (canvas px). */
  private drag: { x: number; y: number; moved: boolean; path: number[]; view: Viewport } | undefined;
  private frame = 0;
  /** What the last frame's points were drawn from (see drawNow). */
  private lastRaster: readonly unknown[] = [];
  private dwell: ReturnType<typeof setTimeout> | undefined;
  /** Reads out the point N steps to (the tooltip itself is not announced). */
  private readonly announcer = el('span', {
    className: 'visually-hidden',
    attrs: { role: 'status', 'aria-live': 'polite' },
  });
  /** What the frames ring, found once per model rather than per frame. */
  private marked: { rings: number[]; flagged: number[] } = { rings: [], flagged: [] };
  /** Whether the last frame ringed every flagged suspect in view (the legend says when it could not). */
  private ringedAll = true;

  constructor(private readonly handlers: MapPanelHandlers) {
    const tool = (name: Tool, text: string, title: string) => {
      const button = el('button', { className: 'toggle-button', text, attrs: { type: 'button', title } });
      button.addEventListener('click', () => this.setTool(name));
      return button;
    };
    this.tools = {
      pan: tool('pan', 'Pan', 'Drag to pan, wheel to zoom, click a point to open it (P)'),
      box: tool('box', 'Box', 'Drag a box to select the images in it (B)'),
      lasso: tool('lasso', 'Lasso', 'Draw around the images to select (L)'),
    };
    this.colourSelect = select('Colour by', () => {
      this.colourBy = this.colourSelect.value as ColourBy;
      if (this.model) this.showLegend(this.model.map);
      this.draw();
    });
    setOptions(this.colourSelect, [
      ['label', 'Given label'],
      ['findings', 'Suspects and issues'],
    ]);
    const fit = el('button', {
      className: 'toggle-button',
      text: 'Fit',
      attrs: { type: 'button', title: 'Show the whole map (0)' },
    });
    fit.addEventListener('click', () => this.fit());
    this.summary = el('span', { className: 'map-summary', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.showButton = el('button', {
      className: 'toggle-button map-action',
      text: 'Show in Suspects',
      attrs: { type: 'button' },
    });
    this.showButton.addEventListener('click', () => this.handlers.onShowSelection());
    this.clearButton = el('button', {
      className: 'toggle-button map-action',
      text: 'Clear selection',
      attrs: { type: 'button' },
    });
    this.clearButton.addEventListener('click', () => this.handlers.onRegion(null));
    this.canvas = el('canvas', {
      className: 'map-canvas',
      attrs: {
        tabindex: '0',
        role: 'img',
        'aria-label':
          'Embedding map of every audited image. Arrows pan, plus and minus zoom, 0 fits, B box, L lasso, P pan; N and Shift+N step through the flagged suspects in view, Enter opens the one reached; S selects what is in view, Escape clears the selection.',
      },
    });
    this.tooltipImage = el('img', { className: 'map-tooltip-image', attrs: { alt: '' } });
    this.tooltipText = el('div', { className: 'map-tooltip-text' });
    this.tooltip = el('div', { className: 'map-tooltip', attrs: { role: 'tooltip' } }, [
      this.tooltipImage,
      this.tooltipText,
    ]);
    this.tooltip.hidden = true;
    this.legend = el('div', { className: 'map-legend', attrs: { role: 'list', 'aria-label': 'Legend' } });
    const bar = el('div', { className: 'map-bar' }, [
      el('div', { className: 'view-switch', attrs: { role: 'group', 'aria-label': 'Map tool' } }, [
        this.tools.pan,
        this.tools.box,
        this.tools.lasso,
        fit,
      ]),
      this.colourSelect,
      this.summary,
      this.showButton,
      this.clearButton,
    ]);
    const stage = el('div', { className: 'map-stage' }, [this.canvas, this.tooltip, this.announcer]);
    this.element = el('div', { className: 'map-panel', attrs: { role: 'region', 'aria-label': 'Embedding map' } }, [
      bar,
      stage,
      this.legend,
    ]);
    this.element.hidden = true;
    this.setTool('pan');
    this.listen();
    new ResizeObserver(() => this.draw()).observe(stage);
    // A theme change (VS Code rewrites the body's classes and the root's CSS variables): read the colours again.
    new MutationObserver(() => {
      this.colourCache = undefined;
      if (this.model) this.showLegend(this.model.map);
      this.draw();
    }).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
    new MutationObserver(() => {
      this.colourCache = undefined;
      this.draw();
    }).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  }

  setModel(model: MapModel): void {
    this.model = model;
    this.marked = markedPoints(model);
    // Keyed by the points: a class action gives a new map object with the same layout, and keeps the view.
    if (this.indexedFor !== model.map.points) {
      this.indexedFor = model.map.points;
      this.index = new PointIndex(model.map.points);
      this.view = undefined;
      this.hovered = -1;
    }
    const selected = model.inside ? model.inside.reduce((sum, v) => sum + v, 0) : 0;
    let suspects = 0;
    if (model.inside) model.inside.forEach((v, i) => (suspects += v && model.map.marks[i] & MAP_MARK_SUSPECT ? 1 : 0));
    this.summary.textContent = model.region
      ? `${selected.toLocaleString('en-US')} images selected, ${suspects.toLocaleString('en-US')} flagged`
      : `${model.map.paths.length.toLocaleString('en-US')} images (${model.map.method === 'umap' ? 'UMAP' : 'PCA'} of the ${model.map.space === 'own' ? 'given' : "mixup model's"} embeddings)`;
    this.showButton.hidden = model.region === null;
    this.clearButton.hidden = model.region === null;
    this.showLegend(model.map);
    this.draw();
  }

  /** The thumbnails arrived: the hovered sample's may be among them. */
  showThumbnails(): void {
    if (this.hovered >= 0) this.showTooltip(this.hovered);
  }

  /** The map itself, where the focus goes when the control that had it is gone. */
  get canvasElement(): HTMLElement {
    return this.canvas;
  }

  private setTool(tool: Tool): void {
    this.tool = tool;
    for (const [name, button] of Object.entries(this.tools)) button.setAttribute('aria-pressed', String(name === tool));
    this.canvas.dataset.tool = tool;
  }

  private fit(): void {
    this.view = undefined;
    this.draw();
  }

  private size(): { width: number; height: number } {
    return { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
  }

  private viewport(): Viewport {
    const { width, height } = this.size();
    return (this.view ??= fitViewport(width, height));
  }

  /** Draws on the next frame, once however many events asked. */
  private draw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  private drawNow(): void {
    const model = this.model;
    if (!model || this.element.hidden) return;
    const started = performance.now();
    const { width, height } = this.size();
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
    }
    const context = this.canvas.getContext('2d');
    if (!context || width === 0) return;
    const view = this.viewport();
    const colours = this.colours();
    // What the points' pixels depend on; the hover and a lasso being drawn do not change them.
    const raster = [
      model.map,
      model.inside,
      view.centreX,
      view.centreY,
      view.scale,
      this.colourBy,
      width,
      height,
      ratio,
      colours,
    ];
    const pointsChanged = this.lastRaster.length !== raster.length || raster.some((v, i) => v !== this.lastRaster[i]);
    this.lastRaster = raster;
    const ringed = drawPoints(context, {
      pointsChanged,
      map: model.map,
      view,
      width,
      height,
      ratio,
      colourBy: this.colourBy,
      inside: model.inside,
      colours,
      rings: this.marked.rings,
      flagged: this.marked.flagged,
      region: model.region,
      hovered: this.hovered,
      lasso: this.drag && this.tool !== 'pan' && this.drag.moved ? this.dragShape() : undefined,
    });
    if (ringed !== this.ringedAll) {
      this.ringedAll = ringed;
      this.showLegend(model.map);
    }
    // How long a frame took, where the browser test and bench:panel read it.
    this.canvas.dataset.drawMs = (performance.now() - started).toFixed(2);
  }

  private colourCache: { colours: MapColours } | undefined;

  /** The theme's colours as the canvas needs them, read again when the theme changes. */
  private colours(): MapColours {
    if (!this.colourCache) {
      const style = getComputedStyle(this.element);
      const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
      this.colourCache = {
        colours: {
          muted: read('--vscode-descriptionForeground', '#888888'),
          suspect: read('--vscode-errorForeground', '#f14c4c'),
          issue: read('--vscode-editorWarning-foreground', '#cca700'),
          focus: read('--vscode-focusBorder', '#007fd4'),
          foreground: read('--vscode-foreground', '#cccccc'),
        },
      };
    }
    return this.colourCache.colours;
  }

  private showLegend(map: MapView): void {
    const swatch = (colour: string, text: string, kind = 'dot') => {
      const mark = el('span', { className: `map-swatch map-swatch-${kind}` });
      mark.style.setProperty('--swatch', colour);
      return el('span', { className: 'map-legend-item', attrs: { role: 'listitem' } }, [mark, text]);
    };
    const colours = this.colours();
    const items =
      this.colourBy === 'label'
        ? map.labelNames.map((name, i) => swatch(labelColour(i), name))
        : [
            swatch(colours.muted, 'no finding'),
            swatch(colours.issue, map.issueTypes.length ? 'a dataset-health issue' : 'issue'),
            swatch(colours.suspect, 'flagged suspect'),
          ];
    if (this.colourBy === 'label')
      items.push(
        swatch(
          colours.suspect,
          this.ringedAll
            ? 'flagged suspect (ring)'
            : `flagged suspect (ringed when at most ${MAX_RINGS.toLocaleString('en-US')} are in view)`,
          'ring',
        ),
      );
    this.legend.replaceChildren(...items);
  }

  private listen(): void {
    const canvas = this.canvas;
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const { width, height } = this.size();
        this.view = zoomAbout(
          this.viewport(),
          Math.exp(-event.deltaY * 0.0015),
          event.offsetX,
          event.offsetY,
          width,
          height,
        );
        this.draw();
      },
      { passive: false },
    );
    canvas.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || !event.isPrimary) return;
      canvas.setPointerCapture(event.pointerId);
      this.drag = {
        x: event.offsetX,
        y: event.offsetY,
        moved: false,
        path: [event.offsetX, event.offsetY],
        view: this.viewport(),
      };
    });
    canvas.addEventListener('pointermove', (event) => {
      const drag = this.drag;
      if (!drag) return this.hover(event.offsetX, event.offsetY);
      if (Math.hypot(event.offsetX - drag.x, event.offsetY - drag.y) > CLICK_SLOP) drag.moved = true;
      if (!drag.moved) return;
      this.tooltip.hidden = true;
      if (this.tool === 'pan') {
        const { scale, centreX, centreY } = drag.view;
        this.view = {
          scale,
          centreX: centreX - (event.offsetX - drag.x) / scale,
          centreY: centreY - (event.offsetY - drag.y) / scale,
        };
      } else if (this.tool === 'lasso') {
        const [lx, ly] = drag.path.slice(-2);
        if (Math.hypot(event.offsetX - lx, event.offsetY - ly) >= 3) drag.path.push(event.offsetX, event.offsetY);
      } else {
        drag.path = [drag.x, drag.y, event.offsetX, event.offsetY];
      }
      this.draw();
    });
    canvas.addEventListener('pointerup', (event) => {
      const drag = this.drag;
      this.drag = undefined;
      if (!drag) return;
      if (!drag.moved) {
        const at = this.pointAt(event.offsetX, event.offsetY);
        if (at >= 0 && this.model) this.handlers.onOpen(this.model.map.paths[at]);
      } else if (this.tool !== 'pan') {
        if (this.tool === 'box') drag.path = [drag.x, drag.y, event.offsetX, event.offsetY];
        const region = this.regionOf(drag.path);
        if (region) this.handlers.onRegion(region);
      }
      this.draw();
    });
    // A cancelled touch or pen, or a capture taken away, ends the drag: no panning with no button held.
    const cancel = () => {
      this.drag = undefined;
      this.draw();
    };
    canvas.addEventListener('pointercancel', cancel);
    canvas.addEventListener('lostpointercapture', () => this.drag && cancel());
    canvas.addEventListener('pointerleave', () => {
      this.hovered = -1;
      this.tooltip.hidden = true;
      this.draw();
    });
    canvas.addEventListener('keydown', (event) => this.onKey(event));
  }

  private onKey(event: KeyboardEvent): void {
    // Ctrl/Cmd/Alt chords are VS Code's (Ctrl+B, Ctrl+P, zoom): let them through untouched.
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const { width, height } = this.size();
    const view = this.viewport();
    const step = Math.min(width, height) * 0.1;
    const pan = (dx: number, dy: number) => {
      this.view = { ...view, centreX: view.centreX + dx / view.scale, centreY: view.centreY + dy / view.scale };
    };
    switch (event.key) {
      case 'ArrowLeft':
        pan(-step, 0);
        break;
      case 'ArrowRight':
        pan(step, 0);
        break;
      case 'ArrowUp':
        pan(0, -step);
        break;
      case 'ArrowDown':
        pan(0, step);
        break;
      case '+':
      case '=':
        this.view = zoomAbout(view, 1.25, width / 2, height / 2, width, height);
        break;
      case '-':
        this.view = zoomAbout(view, 0.8, width / 2, height / 2, width, height);
        break;
      case '0':
        this.view = undefined;
        break;
      case 'b':
      case 'l':
      case 'p':
        this.setTool(({ b: 'box', l: 'lasso', p: 'pan' } as const)[event.key]);
        break;
      case 'Escape':
        // Without a selection Escape is the page's (the banner, a dialog).
        if (!this.model?.region) return;
        this.handlers.onRegion(null);
        break;
      case 's':
        this.selectView();
        break;
      case 'n':
      case 'N':
        this.stepFlagged(event.shiftKey ? -1 : 1);
        break;
      case 'Enter':
        if (this.hovered >= 0 && this.model) this.handlers.onOpen(this.model.map.paths[this.hovered]);
        break;
      default:
        return;
    }
    // The page's own keys (K, Delete, digits…) act on cards; these belong to the map.
    event.preventDefault();
    event.stopPropagation();
    this.draw();
  }

  /** The drag's box or lasso in canvas px, closed. */
  private dragShape(): number[] {
    const drag = this.drag!;
    if (this.tool !== 'box') return drag.path;
    const [x0, y0, x1, y1] = drag.path;
    return [...boxRegion(x0, y0, x1 ?? x0, y1 ?? y0)];
  }

  /** A drawn shape (canvas px) as a region in map coordinates, or undefined when it encloses nothing. */
  private regionOf(path: number[]): Region | undefined {
    const { width, height } = this.size();
    const view = this.viewport();
    const shape = this.tool === 'box' ? [...boxRegion(path[0], path[1], path[2], path[3])] : path;
    // A line or a thin sliver encloses nothing: it would filter every card away.
    if (shape.length < 6 || polygonArea(shape) < MIN_REGION_AREA) return undefined;
    const region: number[] = [];
    for (let i = 0; i < shape.length; i += 2) {
      const [x, y] = toMap(view, shape[i], shape[i + 1], width, height);
      region.push(Math.round(x * 1e5) / 1e5, Math.round(y * 1e5) / 1e5);
    }
    return region;
  }

  /** S: the part of the map in view becomes the selection (the keyboard's box). */
  private selectView(): void {
    const { width, height } = this.size();
    this.tool = this.tool === 'pan' ? 'box' : this.tool;
    const region = this.regionOf([0, 0, width, height]);
    this.setTool(this.tool);
    if (region) this.handlers.onRegion(region);
  }

  /** N / Shift+N: the next or previous flagged suspect in view, hovered as the pointer would, its tooltip announced. */
  private stepFlagged(direction: 1 | -1): void {
    const model = this.model;
    if (!model) return;
    const { width, height } = this.size();
    const view = this.viewport();
    const shown = this.marked.flagged.filter((i) => {
      const [x, y] = toCanvas(view, model.map.points[i * 2], model.map.points[i * 2 + 1], width, height);
      return x >= 0 && y >= 0 && x <= width && y <= height;
    });
    if (shown.length === 0) return;
    const at = shown.indexOf(this.hovered);
    this.hovered = shown[(at + direction + shown.length) % shown.length];
    this.showTooltip(this.hovered, true);
    this.draw();
  }

  private pointAt(px: number, py: number): number {
    if (!this.index) return -1;
    const { width, height } = this.size();
    const view = this.viewport();
    const [x, y] = toMap(view, px, py, width, height);
    return this.index.nearest(x, y, HOVER_RADIUS / view.scale);
  }

  private hover(px: number, py: number): void {
    const at = this.pointAt(px, py);
    if (at === this.hovered) return;
    this.hovered = at;
    this.draw();
    if (at < 0) {
      this.tooltip.hidden = true;
      return;
    }
    this.showTooltip(at);
  }

  private showTooltip(at: number, announce = false): void {
    const model = this.model;
    if (!model) return;
    const { map } = model;
    const path = map.paths[at];
    const suspect = model.suspects.get(path);
    const lines = [path, `Given label: ${map.labelNames[map.labels[at]]}`];
    if (map.marks[at] & MAP_MARK_SUSPECT)
      lines.push(
        suspect ? `Flagged: suggested ${suspect.suggestedLabel} (score ${suspect.score.toFixed(2)})` : 'Flagged',
      );
    const issues = map.issueTypes.filter((_, t) => map.marks[at] & mapIssueMark(t));
    if (issues.length > 0) lines.push(`Issues: ${issues.join(', ')}`);
    this.tooltipText.replaceChildren(
      ...lines.map((line, i) => el('div', { text: line, className: i === 0 ? 'map-tooltip-path' : '' })),
    );
    const uri = this.handlers.thumbnail(path);
    if (uri) this.tooltipImage.src = uri;
    else {
      clearTimeout(this.dwell);
      this.dwell = setTimeout(
        () => this.hovered === at && this.handlers.onShown([path]),
        announce ? 0 : THUMBNAIL_DWELL_MS,
      );
    }
    this.tooltipImage.hidden = uri === undefined;
    // A point reached with N is read out: the tooltip is only seen.
    if (announce) this.announcer.textContent = lines.join('. ');
    const { width, height } = this.size();
    const [x, y] = toCanvas(this.viewport(), map.points[at * 2], map.points[at * 2 + 1], width, height);
    // Beside the point, on the side with room.
    this.tooltip.style.setProperty('--x', `${Math.round(x < width / 2 ? x + 12 : x - 12)}px`);
    this.tooltip.style.setProperty('--y', `${Math.round(y < height / 2 ? y + 12 : y - 12)}px`);
    this.tooltip.classList.toggle('map-tooltip-left', x >= width / 2);
    this.tooltip.classList.toggle('map-tooltip-up', y >= height / 2);
    this.tooltip.hidden = false;
  }
}

/** The map indices of the grid's selected cards, and of the flagged suspects (inside the region, if any). */
function markedPoints(model: MapModel): { rings: number[]; flagged: number[] } {
  const { map, inside } = model;
  const wanted = new Set(model.selectedPaths);
  const rings: number[] = [];
  const flagged: number[] = [];
  for (let i = 0; i < map.paths.length; i++) {
    if (wanted.size > 0 && wanted.has(map.paths[i])) rings.push(i);
    if (map.marks[i] & MAP_MARK_SUSPECT && (!inside || inside[i] === 1)) flagged.push(i);
  }
  return { rings, flagged };
}

/** Area of a polygon `[x0, y0, x1, y1, …]` (the shoelace formula). */
function polygonArea(points: readonly number[]): number {
  let twice = 0;
  for (let i = 0, j = points.length - 2; i < points.length; j = i, i += 2)
    twice += (points[j] - points[i]) * (points[j + 1] + points[i + 1]);
  return Math.abs(twice) / 2;
}
