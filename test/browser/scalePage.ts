/**
 * Measurements of the review page under load, shared by the 100 000-sample browser test and the
 * panel bench (bench/panel.ts): time to first render, a programmatic scroll's frame times, heap.
 * Figures are taken inside the page (performance.now, requestAnimationFrame timestamps), so the
 * round trips of the test driver do not count.
 */
import type { Page } from 'playwright-core';
import type { ReviewPages } from './reviewPage';
import { boxRegion, fitViewport, regionMask, toMap } from '../../webview/state/mapState';

/** How long the first screen took, from the host's message to the page painting it. */
export interface FirstRender {
  /** Until the first card was painted. */
  readonly cardMs: number;
  /** Until every card in view showed its (decoded) image. */
  readonly imagesMs: number;
}

/** Frame times of a scroll. */
export interface ScrollFigures {
  readonly frames: number;
  readonly fps: number;
  /** 95th percentile of the time between frames. */
  readonly p95FrameMs: number;
  readonly worstFrameMs: number;
  /** Frames that took longer than 50 ms (visible jank). */
  readonly longFrames: number;
  /**
   * CPU time the page's renderer process spent during the scroll (main thread, raster and image
   * decode), in ms: unlike the frame rate, it barely depends on what else the machine is doing.
   */
  readonly rendererCpuMs: number;
  /** Of that, the main thread's (script, style, layout, paint). */
  readonly mainThreadCpuMs: number;
}

/**
 * Has the page's session send its content and times the first render. The clock starts when the
 * message is handed to the page (after its JSON is parsed there), so only the message and the
 * webview's own work are timed, not the test driver's round trips.
 */
export async function loadTimed(page: Page, pages: ReviewPages): Promise<FirstRender> {
  const timing = page.evaluate(`(async () => {
    const frame = () => new Promise((done) => requestAnimationFrame(done));
    while (window.__host.deliveredAt['suspects/didChange'] === undefined) await frame();
    const start = window.__host.deliveredAt['suspects/didChange'];
    while (!document.querySelector('.grid .card')) await frame();
    await frame();
    const cardMs = performance.now() - start;
    const imagesShown = ${imagesShownSource};
    while (!imagesShown()) await frame();
    return { cardMs, imagesMs: performance.now() - start };
  })()`) as Promise<FirstRender>;
  await pages.load(page);
  return timing;
}

/** Like {@link loadTimed}, until `selector` is painted: ms from the session's message. */
export async function msUntilShown(page: Page, pages: ReviewPages, selector: string): Promise<number> {
  const timing = page.evaluate(`(async () => {
    const frame = () => new Promise((done) => requestAnimationFrame(done));
    while (window.__host.deliveredAt['suspects/didChange'] === undefined) await frame();
    const start = window.__host.deliveredAt['suspects/didChange'];
    while (!document.querySelector(${JSON.stringify(selector)})) await frame();
    await frame();
    return performance.now() - start;
  })()`) as Promise<number>;
  await pages.load(page);
  return timing;
}

/** True when every card in view shows a decoded image (runs in the page). */
function imagesShown(): boolean {
  const images = [...document.querySelectorAll<HTMLImageElement>('.grid .card img')];
  return images.length > 0 && images.every((img) => img.getAttribute('src') && img.complete && img.naturalWidth > 0);
}
const imagesShownSource = imagesShown.toString();

/** Waits until every card in view shows a decoded image. */
export async function waitForImages(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(imagesShown, undefined, { timeout, polling: 'raf' });
}

/** Scrolls the grid from top to bottom at an even speed over `durationMs`, one step per frame, recording frame times. */
export async function scrollThrough(page: Page, durationMs: number): Promise<ScrollFigures> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const cpu = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const value = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    return { process: value('ProcessTime'), thread: value('ThreadTime') };
  };
  const cpuBefore = await cpu();
  const times = (await page.evaluate(`(async () => {
    const grid = document.querySelector('.grid');
    grid.scrollTop = 0;
    const times = [];
    await new Promise((done) => {
      let start;
      const step = (t) => {
        start ??= t;
        times.push(t);
        const f = Math.min(1, (t - start) / ${durationMs});
        grid.scrollTop = f * (grid.scrollHeight - grid.clientHeight);
        if (f < 1) requestAnimationFrame(step); else done();
      };
      requestAnimationFrame(step);
    });
    return times;
  })()`)) as number[];
  const cpuAfter = await cpu();
  await cdp.detach();
  const gaps = times
    .slice(1)
    .map((t, i) => t - times[i])
    .sort((a, b) => a - b);
  const span = times[times.length - 1] - times[0];
  return {
    frames: times.length,
    fps: span > 0 ? ((times.length - 1) * 1000) / span : 0,
    p95FrameMs: gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.95))] ?? 0,
    worstFrameMs: gaps[gaps.length - 1] ?? 0,
    longFrames: gaps.filter((g) => g > 50).length,
    rendererCpuMs: cpuAfter.process - cpuBefore.process,
    mainThreadCpuMs: cpuAfter.thread - cpuBefore.thread,
  };
}

/** JS heap in use after a full garbage collection, and the page's DOM node count. */
export async function heapAndNodes(page: Page): Promise<{ heapMb: number; domNodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const domNodes = metrics.find((m) => m.name === 'Nodes')?.value ?? 0;
    return { heapMb: usedSize / 2 ** 20, domNodes };
  } finally {
    await cdp.detach();
  }
}

/** The Map view's figures at scale (see {@link mapFigures}). */
export interface MapFigures {
  /** From pressing the Map tab to the first frame of points. */
  readonly firstPaintMs: number;
  /** Time to draw one frame while zooming and panning (the canvas's own measure), median and worst. */
  readonly frameMedianMs: number;
  readonly frameMaxMs: number;
  readonly frames: number;
  /** From releasing a box over the left half to the count of its images shown. */
  readonly selectionMs: number;
  readonly selected: number;
  /** The map indices inside that box, computed here from the fitted viewport. */
  readonly inside: ReadonlySet<number>;
}

/**
 * Opens the Map view and measures it: first paint, 10 zoom and 10 pan frames (wheel events and
 * arrow keys dispatched in the page, one per frame), then a box drawn with the mouse over the left
 * half of the map, fitted again first so the box's map region is known here too.
 */
export async function mapFigures(page: Page, points: readonly number[]): Promise<MapFigures> {
  const firstPaintMs = (await page.evaluate(`(async () => {
    const frame = () => new Promise((done) => requestAnimationFrame(done));
    const start = performance.now();
    [...document.querySelectorAll('.view-switch button')].find((b) => b.textContent === 'Map').click();
    const canvas = () => document.querySelector('.map-canvas');
    while (!canvas()?.dataset.drawMs) await frame();
    return performance.now() - start;
  })()`)) as number;
  const frames = (await page.evaluate(`(async () => {
    const frame = () => new Promise((done) => requestAnimationFrame(done));
    const canvas = document.querySelector('.map-canvas');
    const box = canvas.getBoundingClientRect();
    const times = [];
    for (let i = 0; i < 20; i++) {
      if (i < 10) {
        canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: i < 5 ? -120 : 120, clientX: box.left + box.width * 0.4, clientY: box.top + box.height * 0.5, bubbles: true, cancelable: true }));
      } else {
        canvas.dispatchEvent(new KeyboardEvent('keydown', { key: i < 15 ? 'ArrowRight' : 'ArrowLeft', bubbles: true, cancelable: true }));
      }
      delete canvas.dataset.drawMs;
      while (!canvas.dataset.drawMs) await frame();
      times.push(Number(canvas.dataset.drawMs));
    }
    canvas.dispatchEvent(new KeyboardEvent('keydown', { key: '0', bubbles: true, cancelable: true }));
    await frame();
    await frame();
    return times;
  })()`)) as number[];
  const sorted = [...frames].sort((a, b) => a - b);
  await page.getByRole('button', { name: 'Box', exact: true }).click();
  const { x: left, y: top } = (await page.locator('.map-canvas').boundingBox())!;
  // The size the panel lays out by (clientWidth, whole pixels), not the fractional bounding box.
  const [width, height] = await page
    .locator('.map-canvas')
    .evaluate((c) => [(c as HTMLElement).clientWidth, (c as HTMLElement).clientHeight]);
  const box = { x: left, y: top, width, height };
  await page.evaluate(`(() => {
    const canvas = document.querySelector('.map-canvas');
    const summary = document.querySelector('.map-summary');
    window.__selection = {};
    canvas.addEventListener('pointerup', () => (window.__selection.start = performance.now()), { capture: true, once: true });
    new MutationObserver((_, observer) => {
      if (!summary.textContent.includes('selected')) return;
      requestAnimationFrame(() => (window.__selection.ms = performance.now() - window.__selection.start));
      observer.disconnect();
    }).observe(summary, { childList: true, characterData: true, subtree: true });
  })()`);
  const from = { x: box.x + 5, y: box.y + 5 };
  const to = { x: box.x + box.width / 2, y: box.y + box.height - 5 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(
    () => (window as unknown as { __selection: { ms?: number } }).__selection.ms !== undefined,
  );
  const selectionMs = await page.evaluate(() => (window as unknown as { __selection: { ms: number } }).__selection.ms);
  const summary = (await page.locator('.map-summary').textContent()) ?? '';
  const selected = Number(/^([\d,]+) images selected/.exec(summary)?.[1].replace(/,/g, ''));
  // The box's region in map coordinates, by the fitted viewport, selected as the page selects it.
  const view = fitViewport(box.width, box.height);
  const [x0, y0] = toMap(view, from.x - box.x, from.y - box.y, box.width, box.height);
  const [x1, y1] = toMap(view, to.x - box.x, to.y - box.y, box.width, box.height);
  const mask = regionMask(points, boxRegion(x0, y0, x1, y1));
  const inside = new Set<number>();
  mask.forEach((v, i) => v && inside.add(i));
  return {
    firstPaintMs,
    frameMedianMs: sorted[Math.floor(sorted.length / 2)],
    frameMaxMs: sorted[sorted.length - 1],
    frames: frames.length,
    selectionMs,
    selected,
    inside,
  };
}
