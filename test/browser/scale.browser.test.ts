/**
 * The review webview with a 100 000-sample report and 10 000 suspects (real digits stored as colour
 * photos), the 10 000 suspects sent to the page (`labelAudit.maxSuspectsShown` 10 000): the grid
 * shows host-made thumbnails rather than the photos, reaches the last suspect, filters by class,
 * and keeps its DOM bounded. Timings are checked
 * only against a generous bound (the figures belong to `npm run bench:panel`).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { AuditReport } from '../../src/core/report';
import { writeLargeReportDataset } from '../helpers/largeReport';
import { OUTPUT, assertCleanPage, chooseOption, launchReviewPages, settle, type ReviewPages } from './reviewPage';
import { heapAndNodes, loadTimed, mapFigures, waitForImages } from './scalePage';
import { largeMapView } from '../helpers/largeMap';
import { MAP_MARK_SUSPECT } from '../../src/protocol/webview';

const SAMPLES = 100_000;
const SUSPECTS = 10_000;
/** Distinct real digits the samples link to. */
const DISTINCT = 100;
/** Side of the stored photos: anything well above the 128 px thumbnails. */
const PHOTO_SIDE = 400;

let pages: ReviewPages;
let report: AuditReport;

before(async () => {
  // Kept under test-output/ between runs; rebuilt when its options change.
  const root = join(OUTPUT, 'large-report');
  report = await writeLargeReportDataset(root, {
    samples: SAMPLES,
    suspects: SUSPECTS,
    distinct: DISTINCT,
    side: PHOTO_SIDE,
  });
  pages = await launchReviewPages({ dataRoot: root, report, maxShown: SUSPECTS });
});

after(async () => {
  await pages?.close();
});

/**
 * The cards' images once every one in view is decoded. Thumbnails keep arriving in batches, and a
 * card's new <img> has no natural width until it decodes: read them all in one frame where none is pending.
 */
async function cardImages(page: Page): Promise<{ src: string; width: number }[]> {
  const handle = await page.waitForFunction(
    () => {
      const images = [...document.querySelectorAll<HTMLImageElement>('.grid .card img')];
      if (images.length === 0 || images.some((img) => !img.complete)) return false;
      return images.map((img) => ({ src: img.getAttribute('src') ?? '', width: img.naturalWidth }));
    },
    undefined,
    { timeout: 30_000, polling: 'raf' },
  );
  return (await handle.jsonValue()) as { src: string; width: number }[];
}

test('100 000 samples, 10 000 suspects: thumbnails, the last suspect, a class filter, a bounded DOM', async () => {
  const flagged = report.samples.filter((s) => s.flagged);
  assert.equal(flagged.length, SUSPECTS);
  assert.equal(pages.content.suspects.length, SUSPECTS);
  assert.equal(pages.content.auditedTotal, SAMPLES);
  const page = await pages.open({ deferLoad: true });

  const first = await loadTimed(page, pages);
  console.log(
    `# 100 000 samples: first card ${first.cardMs.toFixed(0)} ms, images in view ${first.imagesMs.toFixed(0)} ms`,
  );
  assert.ok(first.imagesMs < 20_000, `the first screen shows within 20 s (${first.imagesMs.toFixed(0)} ms)`);
  assert.equal(await page.textContent('.counter'), `0 reviewed of ${SUSPECTS}`);
  const images = await cardImages(page);
  assert.ok(
    images.length > 0 && images.every((i) => i.src.includes('/.label-audit/thumbs/') && i.width === 128),
    `the cards show 128 px thumbnails, not the 400 px photos: ${JSON.stringify(images.filter((i) => !i.src.includes('/.label-audit/thumbs/') || i.width !== 128).slice(0, 3))}; ${pages.hostOf(page).log.slice(-3).join(' | ')}`,
  );
  const start = await heapAndNodes(page);
  await page.screenshot({ path: join(OUTPUT, 'scale-first.png') });

  // The end of the list: the last suspect's card is there, with its thumbnail.
  await page.locator('.grid').focus();
  await page.keyboard.press('End');
  await settle(page);
  const last = flagged[flagged.length - 1].path;
  assert.equal(await page.$eval('.card.focused', (c) => (c as HTMLElement).dataset.path), last);
  // A card gets its <img> only when its thumbnail arrives, and a cold cache makes them one by one:
  // wait for this card's own image rather than for "every image present".
  const lastImage = page.locator(`.card[data-path="${last}"] img`);
  await lastImage.waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForFunction(
    (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 128,
    await lastImage.elementHandle(),
    { timeout: 30_000 },
  );
  await waitForImages(page);
  await page.screenshot({ path: join(OUTPUT, 'scale-last.png') });

  // Bounded: a jump across 10 000 cards leaves as many cards and DOM nodes as one screen needs.
  const cards = await page.locator('.grid .card').count();
  assert.ok(cards < 150, `only the visible rows are in the DOM (${cards} cards)`);
  const end = await heapAndNodes(page);
  assert.ok(end.domNodes < start.domNodes * 1.5, `DOM nodes stay bounded (${start.domNodes} → ${end.domNodes})`);

  // A class filter over the 10 000 suspects.
  await chooseOption(page, 'Given label', '3');
  const given3 = flagged.filter((s) => s.givenLabel === '3');
  assert.ok(given3.length > 100);
  assert.equal(await page.textContent('vscode-badge'), `${given3.length} shown`);
  const labels = await page.$$eval('.grid .card .label-given', (spans) => spans.map((s) => s.textContent));
  assert.ok(labels.length > 0 && labels.every((l) => l === '3'), `only class 3 (${[...new Set(labels)].join(',')})`);
  await waitForImages(page);
  await page.screenshot({ path: join(OUTPUT, 'scale-filtered.png') });
  await assertCleanPage(page);
  await page.close();
});

test('the Map view at 100 000 points: first paint, pan and zoom frames, a box selection filtering the grid', async () => {
  const map = await largeMapView(report, DISTINCT);
  const page = await pages.open({ content: { ...pages.content, map } });
  await page.waitForSelector('.card');
  const figures = await mapFigures(page, map.points);
  console.log(
    `# map, 100 000 points: first paint ${figures.firstPaintMs.toFixed(0)} ms; frame draw median ${figures.frameMedianMs.toFixed(1)} ms (max ${figures.frameMaxMs.toFixed(1)}) over ${figures.frames} pan/zoom frames; box selection ${figures.selectionMs.toFixed(0)} ms for ${figures.selected} points`,
  );
  // Generous bounds for a shared 2-core machine; the figures belong to bench:panel.
  assert.ok(figures.firstPaintMs < 3000, `first paint ${figures.firstPaintMs.toFixed(0)} ms`);
  assert.ok(figures.frameMedianMs < 50, `median frame ${figures.frameMedianMs.toFixed(1)} ms`);
  assert.ok(figures.selectionMs < 2000, `selection ${figures.selectionMs.toFixed(0)} ms`);
  assert.ok(figures.selected > 0 && figures.selected < SAMPLES);
  assert.equal(figures.selected, figures.inside.size, 'the page selects the points inside the box');
  await page.screenshot({ path: join(OUTPUT, 'scale-map.png') });
  // The selection filters the grid: the badge counts the flagged suspects inside the box.
  const flaggedInside = [...figures.inside].filter((at) => map.marks[at] & MAP_MARK_SUSPECT).length;
  await page.getByRole('button', { name: 'Show in Suspects' }).click();
  await page.waitForSelector('.card');
  assert.equal(await page.textContent('vscode-badge'), `${flaggedInside} shown`);
  await assertCleanPage(page);
  await page.close();
});
