// The review panel at scale: a report of 100 000 real images (MNIST digits stored as 640×640 colour
// JPEG photos by default) with 10 000 suspects, reviewed in headless Chromium through the browser
// harness. Prints the host's parse and build times, the size of the message to the webview, the
// webview's filter and sort times, time to first render, scroll frame rate and JS heap, and the Map
// view's first paint, pan/zoom frame time and box-selection time at every sample.
//
//   npm run bench:panel -- [--samples 100000] [--suspects 10000] [--side 640] [--shown 100000]
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIT_DIR } from '../src/core/report';
import { readReport, reportPath } from '../src/core/reportFile';
import { buildReviewContent } from '../src/extension/review/reviewContent';
import { launchReviewPages } from '../test/browser/reviewPage';
import {
  heapAndNodes,
  loadTimed,
  mapFigures,
  scrollThrough,
  waitForImages,
  type ScrollFigures,
} from '../test/browser/scalePage';
import { largeMapView } from '../test/helpers/largeMap';
import { writeLargeReportDataset } from '../test/helpers/largeReport';
import { DEFAULT_FILTERS, visibleSuspects } from '../webview/state/reviewState';
import { numberOption } from './args';

const samples = numberOption('samples', 100_000);
const suspects = numberOption('suspects', 10_000);
const side = numberOption('side', 640);
const shown = numberOption('shown', samples);
/** Distinct real digits the samples link to (largeReport.ts's default). */
const DISTINCT = 500;

const ms = (from: number) => `${(performance.now() - from).toFixed(0)} ms`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

async function main(): Promise<void> {
  const root = join(__dirname, '..', 'bench-output', `panel-${samples}-${suspects}-${side}`);
  let started = performance.now();
  await writeLargeReportDataset(root, { samples, suspects, side, distinct: DISTINCT });
  console.log(`dataset ${root}: ${samples} samples, ${suspects} suspects, ${side}px images (ready in ${ms(started)})`);

  // ---- host ----
  started = performance.now();
  const report = await readReport(reportPath(root));
  console.log(`host: read + parse report.json            ${ms(started)}`);
  started = performance.now();
  const content = buildReviewContent(
    report,
    shown,
    (path) => `https://file%2B.vscode-resource.vscode-cdn.net${root}/${path}`,
  );
  console.log(`host: build the webview content (${shown} max) ${ms(started)}`);
  started = performance.now();
  const message = JSON.stringify({
    type: 'suspects/didChange',
    datasetRoot: root,
    datasetName: 'panel',
    content,
    decisions: {},
  });
  console.log(`host: serialise the message               ${ms(started)}, ${mb(Buffer.byteLength(message))}`);

  // ---- the webview's pure filter / sort, on this content ----
  if (content.status !== 'ready') throw new Error(`the content is ${content.status}`);
  const timeIt = (label: string, run: () => number[]) => {
    run();
    started = performance.now();
    const count = run().length;
    console.log(`webview: ${label.padEnd(33)} ${ms(started)} (${count} shown)`);
  };
  timeIt('filter: flagged (default)', () => visibleSuspects(content.suspects, {}, DEFAULT_FILTERS));
  timeIt('filter: given class "3"', () => visibleSuspects(content.suspects, {}, { ...DEFAULT_FILTERS, given: '3' }));
  timeIt('sort: all samples by given class', () =>
    visibleSuspects(content.suspects, {}, { ...DEFAULT_FILTERS, includeUnflagged: true, sort: 'given' }),
  );

  // ---- the page ----
  await rm(join(root, AUDIT_DIR, 'thumbs'), { recursive: true, force: true });
  const pages = await launchReviewPages({ dataRoot: root, report, maxShown: shown });
  try {
    for (const run of ['cold', 'warm']) {
      const page = await pages.open({ deferLoad: true });
      const first = await loadTimed(page, pages);
      console.log(
        `page (${run} thumbnails): first card ${first.cardMs.toFixed(0)} ms, images in view ${first.imagesMs.toFixed(0)} ms`,
      );
      const loaded = await heapAndNodes(page);
      // The machine is shared: three scrolls, the median one reported.
      const scrolls: ScrollFigures[] = [];
      for (let i = 0; i < 3; i++) scrolls.push(await scrollThrough(page, 4000));
      const scroll = scrolls.sort((a, b) => a.fps - b.fps)[1];
      await waitForImages(page);
      const scrolled = await heapAndNodes(page);
      console.log(
        `page (${run}): scroll over ${suspects} suspects in 4 s (median of 3): ${scroll.fps.toFixed(1)} fps, p95 frame ${scroll.p95FrameMs.toFixed(1)} ms, ` +
          `worst ${scroll.worstFrameMs.toFixed(0)} ms, ${scroll.longFrames} frames > 50 ms (all runs: ${scrolls.map((s) => s.fps.toFixed(1)).join(', ')} fps); ` +
          `renderer CPU per frame ${(scroll.rendererCpuMs / scroll.frames).toFixed(1)} ms (main thread ${(scroll.mainThreadCpuMs / scroll.frames).toFixed(1)} ms)`,
      );
      console.log(
        `page (${run}): JS heap ${loaded.heapMb.toFixed(1)} MB after load, ${scrolled.heapMb.toFixed(1)} MB after the scroll; DOM nodes ${loaded.domNodes} → ${scrolled.domNodes}`,
      );
      await page.close();
    }
    // ---- the Map view: every sample a point (synthetic positions around a real UMAP, largeMap.ts) ----
    const map = await largeMapView(report, DISTINCT);
    for (let run = 1; run <= 3; run++) {
      const page = await pages.open({ content: { ...content, map } });
      await page.waitForSelector('.card');
      const figures = await mapFigures(page, map.points);
      console.log(
        `map (run ${run} of 3, ${samples} points): first paint ${figures.firstPaintMs.toFixed(0)} ms; ` +
          `frame draw median ${figures.frameMedianMs.toFixed(1)} ms (worst ${figures.frameMaxMs.toFixed(1)}) over ${figures.frames} pan/zoom frames; ` +
          `box selection ${figures.selectionMs.toFixed(0)} ms (${figures.selected} points)`,
      );
      await page.close();
    }
  } finally {
    await pages.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
