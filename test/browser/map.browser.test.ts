/**
 * The Map view of the review webview, in Chromium against the harness host: the sample digits'
 * report with its real `health` section and embedding map (healthDigitsReport.ts lays it out with
 * the engine's own UMAP), hovered, clicked and box-selected as a reviewer would; the selection then
 * filters the Suspects grid. Screenshots in three themes go to test-output/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { AuditReport } from '../../src/core/report';
import { MAP_MARK_SUSPECT, type MapView } from '../../src/protocol/webview';
import { boxRegion, fitViewport, regionMask, toCanvas, toMap } from '../../webview/state/mapState';
import { healthDigitsReport } from '../helpers/healthDigitsReport';
import { makeTempDir, removeTempDir } from '../helpers/tempDir';
import { assertNoSeriousViolations } from './axe';
import {
  OUTPUT,
  assertCleanPage,
  cardPaths,
  chooseOption,
  launchReviewPages,
  settle,
  type ReviewPages,
} from './reviewPage';

let dir: string;
let report: AuditReport;
let pages: ReviewPages;
let map: MapView;

before(async () => {
  dir = await makeTempDir('map-view');
  const root = join(dir, 'digits');
  ({ report } = await healthDigitsReport(root));
  pages = await launchReviewPages({ dataRoot: root, report });
  assert.ok(pages.content.map, 'the content has the map');
  map = pages.content.map;
});

after(async () => {
  await pages?.close();
  if (dir) await removeTempDir(dir);
});

const shownBadge = (page: Page) => page.locator('vscode-badge', { hasText: / shown$/ }).textContent();

async function openMap(page: Page): Promise<void> {
  await page.waitForSelector('.card');
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('.map-canvas')?.dataset.drawMs);
}

/** The canvas on the page: where it is, and its size in CSS px as the panel reads it (clientWidth). */
async function canvasBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const { x, y } = (await page.locator('.map-canvas').boundingBox())!;
  const [width, height] = await page
    .locator('.map-canvas')
    .evaluate((c) => [(c as HTMLElement).clientWidth, (c as HTMLElement).clientHeight]);
  return { x, y, width, height };
}

/** Where a sample's point is on the page, by the map's fitted viewport. */
async function pointOnPage(page: Page, index: number): Promise<{ x: number; y: number }> {
  const box = await canvasBox(page);
  const view = fitViewport(box.width, box.height);
  const [x, y] = toCanvas(view, map.points[index * 2], map.points[index * 2 + 1], box.width, box.height);
  return { x: box.x + x, y: box.y + y };
}

/** The sample whose point lies farthest from every other: one a hover or click finds alone. */
function loneSample(wanted: (i: number) => boolean): number {
  let best = -1;
  let bestGap = -1;
  for (let i = 0; i < map.paths.length; i++) {
    if (!wanted(i) || map.points[i * 2] < 0) continue;
    let gap = Infinity;
    for (let j = 0; j < map.paths.length; j++) {
      if (j === i || map.points[j * 2] < 0) continue;
      gap = Math.min(
        gap,
        Math.hypot(map.points[i * 2] - map.points[j * 2], map.points[i * 2 + 1] - map.points[j * 2 + 1]),
      );
    }
    if (gap > bestGap) [best, bestGap] = [i, gap];
  }
  return best;
}

test('the map shows every audited image; hover names one, a click opens its card', async () => {
  assert.equal(map.paths.length, report.samples.length);
  assert.equal(map.method, 'umap');
  assert.equal(report.health?.map?.laidOut, report.samples.length, 'small enough for UMAP to lay out every image');
  assert.ok(map.points.every((v) => v >= 0 && v <= 1));
  const page = await pages.open({ width: 1000, height: 800 });
  await openMap(page);
  assert.equal(await page.isVisible('.main'), false, 'the grid gives way');
  assert.match(
    (await page.locator('.map-summary').textContent()) ?? '',
    new RegExp(`^${map.paths.length} images \\(UMAP`),
  );
  // The legend names every class in its colour.
  assert.deepEqual(await page.locator('.map-legend-item').allTextContents(), [
    ...map.labelNames,
    'flagged suspect (ring)',
  ]);

  const flagged = loneSample((i) => (map.marks[i] & MAP_MARK_SUSPECT) !== 0);
  assert.ok(flagged >= 0, 'the sample report has flagged suspects');
  const at = await pointOnPage(page, flagged);
  await page.mouse.move(at.x, at.y);
  const tooltip = page.locator('.map-tooltip');
  await tooltip.waitFor({ state: 'visible' });
  const suspect = pages.content.suspects.find((s) => s.path === map.paths[flagged])!;
  assert.deepEqual(await tooltip.locator('.map-tooltip-text > div').allTextContents(), [
    map.paths[flagged],
    `Given label: ${suspect.givenLabel}`,
    `Flagged: suggested ${suspect.suggestedLabel} (score ${suspect.score.toFixed(2)})`,
  ]);
  // Its thumbnail is asked for and shown.
  await page.waitForFunction(() => !document.querySelector<HTMLImageElement>('.map-tooltip-image')!.hidden);
  await page.screenshot({ path: join(OUTPUT, 'map-hover-dark.png') });

  // A click opens the sample's card in the Suspects view, selected.
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('.card[aria-selected="true"]');
  assert.equal(await page.locator('.card[aria-selected="true"]').getAttribute('data-path'), map.paths[flagged]);
  await assertCleanPage(page);
  await page.close();
});

test('a box selection filters the Suspects grid to the images inside it; Escape clears it', async () => {
  const page = await pages.open({ width: 1000, height: 800 });
  await openMap(page);
  await page.getByRole('button', { name: 'Box', exact: true }).click();
  const box = await canvasBox(page);
  // The left half of the canvas, top to bottom.
  const from = { x: box.x + 10, y: box.y + 10 };
  const to = { x: box.x + box.width / 2, y: box.y + box.height - 10 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
  await page.waitForSelector('.map-summary:has-text("selected")');
  // The same region, computed here from the fitted viewport.
  const view = fitViewport(box.width, box.height);
  const [x0, y0] = toMap(view, from.x - box.x, from.y - box.y, box.width, box.height);
  const [x1, y1] = toMap(view, to.x - box.x, to.y - box.y, box.width, box.height);
  const inside = regionMask(map.points, boxRegion(x0, y0, x1, y1));
  const selected = inside.reduce((sum, v) => sum + v, 0);
  const flaggedInside = [...inside.keys()].filter((i) => inside[i] && map.marks[i] & MAP_MARK_SUSPECT);
  assert.ok(selected > 0 && selected < map.paths.length, `${selected} of ${map.paths.length} selected`);
  assert.equal(
    await page.locator('.map-summary').textContent(),
    `${selected} images selected, ${flaggedInside.length} flagged`,
  );
  await settle(page);
  await page.screenshot({ path: join(OUTPUT, 'map-selection-dark.png') });
  await assertNoSeriousViolations(page, 'the Map view with a selection');

  await page.getByRole('button', { name: 'Show in Suspects' }).click();
  await page.waitForSelector('.card');
  // The flagged suspects inside the box, no others (the grid draws the cards in view; the badge counts all).
  const insidePaths = new Set(flaggedInside.map((i) => map.paths[i]));
  assert.ok(insidePaths.size > 0, 'the box holds flagged suspects');
  assert.equal(await shownBadge(page), `${insidePaths.size} shown`);
  for (const path of await cardPaths(page)) assert.ok(insidePaths.has(path), `${path} is inside the box`);
  assert.equal(await page.getByRole('button', { name: 'Clear filters' }).isVisible(), true, 'the region is a filter');

  // Back on the map, Escape clears the selection and the grid lists every suspect again.
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  await page.locator('.map-canvas').focus();
  await page.keyboard.press('Escape');
  await page.waitForSelector('.map-summary:not(:has-text("selected"))');
  await page.getByRole('button', { name: 'Suspects', exact: true }).click();
  await page.waitForSelector('.card');
  assert.equal(await shownBadge(page), `${pages.content.suspects.filter((s) => s.flagged).length} shown`);
  await page.close();
});

test('the map reads in light and high-contrast themes, coloured by findings', async () => {
  for (const theme of ['light', 'highContrast'] as const) {
    const page = await pages.open({ theme, width: 900, height: 700 });
    await openMap(page);
    await chooseOption(page, 'Colour by', 'Suspects and issues');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.map-legend-item')].some((e) => e.textContent === 'flagged suspect'),
    );
    await settle(page);
    await page.screenshot({ path: join(OUTPUT, `map-findings-${theme}.png`) });
    await assertNoSeriousViolations(page, `the Map view in ${theme}`);
    await page.close();
  }
});

test('from the keyboard: N steps to a flagged suspect and reads it out, Enter opens its card, S selects the view', async () => {
  const page = await pages.open({ width: 1000, height: 800 });
  await openMap(page);
  await page.locator('.map-canvas').focus();
  await page.keyboard.press('n');
  const announced = (await page.locator('.map-stage [role="status"]').textContent()) ?? '';
  const path = announced.split('. ')[0];
  const index = map.paths.indexOf(path);
  assert.ok(index >= 0 && map.marks[index] & MAP_MARK_SUSPECT, `"${announced}" names a flagged suspect`);
  assert.match(announced, /Flagged: suggested /);
  await page.keyboard.press('Shift+N');
  await page.keyboard.press('n');
  assert.equal(((await page.locator('.map-stage [role="status"]').textContent()) ?? '').split('. ')[0], path);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.card[aria-selected="true"]');
  assert.equal(await page.locator('.card[aria-selected="true"]').getAttribute('data-path'), path);

  // S: what is in view (the whole fitted map) becomes the selection.
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  await page.locator('.map-canvas').focus();
  await page.keyboard.press('s');
  await page.waitForSelector('.map-summary:has-text("selected")');
  const flagged = map.marks.filter((m) => m & MAP_MARK_SUSPECT).length;
  assert.equal(
    await page.locator('.map-summary').textContent(),
    `${map.paths.length} images selected, ${flagged} flagged`,
  );
  await page.close();
});
