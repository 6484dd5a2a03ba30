/**
 * The Issues view of the review webview, in Chromium against the harness host (see
 * review.browser.test.ts): the sample digits with planted dark and blurry images, their report's
 * real `health` section, and decisions that reach the host's decisions file. Screenshots go to test-output/.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { AuditReport } from '../../src/core/report';
import { defaultReviewLogPath } from '../../src/core/review/reviewLog';
import { buildReviewContent } from '../../src/extension/review/reviewContent';
import { healthDigitsReport, leakMember, withHealthEdits, type PlantedIssues } from '../helpers/healthDigitsReport';
import { makeTempDir, removeTempDir } from '../helpers/tempDir';
import { assertNoSeriousViolations } from './axe';
import type { ThemeName } from './themes';
import {
  OUTPUT,
  assertCleanPage,
  decisionsOnDisk,
  decisionsOnHost,
  launchReviewPages,
  settle,
  waitForDecisionCount,
  type ReviewPages,
} from './reviewPage';

let dir: string;
let report: AuditReport;
let planted: PlantedIssues;
let pages: ReviewPages;

before(async () => {
  dir = await makeTempDir('issues-view');
  const root = join(dir, 'digits');
  ({ report, planted } = await healthDigitsReport(root));
  pages = await launchReviewPages({ dataRoot: root, report });
});

after(async () => {
  await pages?.close();
  if (dir) await removeTempDir(dir);
});

const plantedAs = (defect: string) => [...planted].filter(([, d]) => d === defect).map(([p]) => p);
const section = (page: Page, title: string) =>
  page.locator('.issue-section', { has: page.getByRole('heading', { name: new RegExp(`^${title}`) }) });
const tile = (page: Page, title: string, path: string) =>
  section(page, title).locator(`.issue-tile[data-path="${path}"]`);
const focusedPath = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.path);

async function openIssues(page: Page): Promise<void> {
  await page.waitForSelector('.card');
  await page.getByRole('button', { name: /^Issues \(\d+\)$/ }).click();
  await page.waitForSelector('.issue-panel:not([hidden]) .issue-tile');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.issue-panel img')].every(
      (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
    ),
  );
  await settle(page);
}

test('the Issues tab lists a section per issue type with its figures and worst images; keys and buttons keep and remove, undo takes back', async () => {
  const health = pages.content.health;
  assert.ok(health, 'the report has a health section');
  const page = await pages.open({ width: 900, height: 900 });
  await openIssues(page);
  // The tab counts the images the view lists, as its counter does.
  const counter = (await page.locator('.counter').textContent()) ?? '';
  const total = /^0 of (\d+) images decided$/.exec(counter)?.[1];
  assert.ok(total, counter);
  assert.equal(await page.getByRole('button', { name: /^Issues/ }).textContent(), `Issues (${total})`);
  assert.equal(await page.isVisible('.main'), false, 'the grid gives way');
  assert.equal(await page.isVisible('.filters'), false);
  // The images are the host's thumbnails, asked for in one request as the grid's are.
  const requested = await page.evaluate(() =>
    window.__host.posted.flatMap((m) => (m.type === 'thumbnails/request' ? m.paths : [])),
  );
  const tilePaths = await page
    .locator('.issue-tile')
    .evaluateAll((t) => t.map((e) => (e as HTMLElement).dataset.path!));
  for (const path of tilePaths) assert.ok(requested.includes(path), `a thumbnail is asked for ${path}`);

  // One section per type that flagged images, in the content's order, with count, share and threshold.
  const listed = health.issues.filter((i) => !i.datasetProperty && i.examples.length > 0);
  const headings = await page.locator('.issue-section h2').allTextContents();
  assert.deepEqual(
    headings,
    listed.map((i) => `${i.title}${i.count}`),
  );
  const dark = health.issues.find((i) => i.type === 'dark')!;
  assert.equal(dark.count, 3);
  const darkSection = section(page, 'Dark images');
  assert.equal(
    await darkSection.locator('.issue-figures').textContent(),
    `3 images (${(100 * dark.share).toFixed(1)}%) · flagged when the score is below ${dark.threshold}`,
  );
  assert.match((await darkSection.locator('.issue-why').textContent()) ?? '', /CleanVision's default/);
  assert.deepEqual(
    (await darkSection.locator('.issue-tile').evaluateAll((t) => t.map((e) => (e as HTMLElement).dataset.path))).sort(),
    plantedAs('dark').sort(),
    'the strip shows the planted dark images',
  );
  assert.deepEqual(
    (
      await section(page, 'Blurry images')
        .locator('.issue-tile')
        .evaluateAll((t) => t.map((e) => (e as HTMLElement).dataset.path))
    ).sort(),
    plantedAs('blurry').sort(),
  );
  // The strips are bounded: at most 12 images each before "Show more".
  for (const issue of listed) {
    assert.equal(await section(page, issue.title).locator('.issue-tile').count(), Math.min(12, issue.examples.length));
  }
  assert.match(
    (await page.locator('.issue-notes').textContent()) ?? '',
    /None found: .*light images.*odd aspect ratio/,
    'the types that found nothing get one line',
  );
  assert.equal(
    await page.textContent('.counter'),
    `0 of ${new Set(listed.flatMap((i) => i.examples.slice(0, 48).map((e) => e.path))).size} images decided`,
  );

  // Keyboard: Tab reaches the strip's roving image, arrows move along it, K keeps, Delete removes.
  const [firstDark, secondDark, thirdDark] = await darkSection
    .locator('.issue-tile')
    .evaluateAll((t) => t.map((e) => (e as HTMLElement).dataset.path!));
  const firstTile = page.locator('.issue-tile').first();
  await firstTile.focus();
  assert.equal(await focusedPath(page), await firstTile.getAttribute('data-path'));
  assert.equal(await page.locator('.issue-tile[tabindex="0"]').count(), 1, 'one image in the tab order');
  assert.match((await firstTile.getAttribute('aria-label')) ?? '', /labeled .*: Pending\. K keeps, Delete removes/);
  await darkSection.locator('.issue-tile').first().click();
  assert.equal(await focusedPath(page), firstDark);
  await page.keyboard.press('ArrowRight');
  assert.equal(await focusedPath(page), secondDark, 'ArrowRight moves along the strip');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('k');
  await waitForDecisionCount(page, 1);
  assert.deepEqual(await decisionsOnHost(page), { [firstDark]: { action: 'keep' } });
  assert.equal(await focusedPath(page), secondDark, 'a decision moves on to the next image');
  await page.keyboard.press('Delete');
  await waitForDecisionCount(page, 2);
  assert.deepEqual((await decisionsOnHost(page))[secondDark], { action: 'remove' });
  assert.match((await tile(page, 'Dark images', secondDark).getAttribute('class')) ?? '', /decided-remove/);
  assert.match(
    (await tile(page, 'Dark images', secondDark).getAttribute('aria-label')) ?? '',
    /dark images: Removed\./,
  );
  assert.equal(await tile(page, 'Dark images', secondDark).locator('.card-status').textContent(), 'Removed');
  assert.equal(await focusedPath(page), thirdDark);
  await page.keyboard.press('ArrowDown');
  assert.notEqual(await focusedPath(page), thirdDark, 'ArrowDown goes to the next strip');

  // Buttons: remove a blurry image with its ✕ button.
  const blurry = plantedAs('blurry')[0];
  await tile(page, 'Blurry images', blurry)
    .getByRole('button', { name: new RegExp(`^Remove ${blurry} \\(blurry images\\) from the dataset`) })
    .click();
  await waitForDecisionCount(page, 3);
  assert.deepEqual((await decisionsOnHost(page))[blurry], { action: 'remove' });
  await page.screenshot({ path: join(OUTPUT, 'issues-dark-900.png'), fullPage: true });

  // Undo takes back the newest decision, and the focus returns to its image.
  await page.keyboard.press('Control+z');
  await waitForDecisionCount(page, 2);
  assert.equal((await decisionsOnHost(page))[blurry], undefined);
  assert.equal(await focusedPath(page), blurry);
  const disk = await decisionsOnDisk(pages, page);
  assert.deepEqual(disk.decisions, { [firstDark]: { action: 'keep' }, [secondDark]: { action: 'remove' } });
  // The review log has each change, the undo marked as one, as for a suspect.
  const logged = (await readFile(defaultReviewLogPath(pages.hostOf(page).datasetRoot), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { path: string; action: string })
    .filter((e) => [firstDark, secondDark, blurry].includes(e.path))
    .map((e) => `${e.action} ${e.path}`);
  assert.deepEqual(logged.slice(-4), [
    `keep ${firstDark}`,
    `remove ${secondDark}`,
    `remove ${blurry}`,
    `undo ${blurry}`,
  ]);
  const posted = await page.evaluate(() => window.__host.posted.filter((m) => m.type === 'review/decide'));
  assert.deepEqual(
    posted.map((m) => (m.type === 'review/decide' ? [m.path, m.decision?.action ?? null, m.undo ?? false] : [])),
    [
      [firstDark, 'keep', false],
      [secondDark, 'remove', false],
      [blurry, 'remove', false],
      [blurry, null, true],
    ],
  );

  // Enter (or a double click) opens the image, as elsewhere.
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__host.posted.some((m) => m.type === 'review/openImage'));
  assert.ok(pages.hostOf(page).opened.some((file) => file.endsWith(blurry)));
  assert.equal(((await page.evaluate(() => window.__host.state())) as { view?: string }).view, 'issues');

  // "Open in the review panel" on a finding while the Issues view is open: back to the grid, card selected.
  const suspect = pages.content.suspects[0].path;
  pages.hostOf(page).session.reveal(suspect);
  await page.waitForSelector(`.card.focused[data-path="${suspect}"]`);
  assert.equal(await page.isVisible('.issue-panel'), false);
  await assertCleanPage(page);
  await page.close();
});

test('a report without a health section has no Issues tab; the view reads in a light theme at 700 px', async () => {
  // As an older report's content: no `health` field (JSON drops the undefined).
  const page = await pages.open({ content: { ...pages.content, health: undefined } });
  await page.waitForSelector('.card');
  assert.equal(await page.getByRole('button', { name: /^Issues \(\d+\)$/ }).isVisible(), false);
  await page.close();

  const light = await pages.open({ theme: 'light', width: 700, height: 900 });
  await openIssues(light);
  const width = await light.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 700, `no horizontal scroll at 700 px (${width} px)`);
  await light.screenshot({ path: join(OUTPUT, 'issues-light-700.png'), fullPage: true });
  // The end of the view: the one-line notes for the types that found nothing.
  await light.locator('.issue-notes').scrollIntoViewIfNeeded();
  await settle(light);
  await light.screenshot({ path: join(OUTPUT, 'issues-light-700-end.png') });
  await assertCleanPage(light);
  await light.close();
});

test('"Show more" opens a long strip; leaked copies are listed by group with their splits and decided like the rest', async () => {
  // The report as a person may have edited it: 20 dark images, and two groups of copies across splits.
  const twenty = report.samples.slice(0, 20).map((_, i) => i);
  const member = (at: number, split: string) => leakMember(report, at, split);
  const edited = withHealthEdits(report, {
    dark: { count: 20, flagged: twenty },
    leaks: {
      source: 'column',
      groups: [
        { kind: 'exact', members: [member(30, 'train'), member(31, 'test')] },
        { kind: 'near', members: [member(32, 'train'), member(33, 'train'), member(34, 'test')] },
      ],
    },
  });
  const content = buildReviewContent(edited, 1000, (path) => pages.harness.imageUrl(path));
  const page = await pages.open({ content, decisions: {}, width: 900, height: 1000 });
  await openIssues(page);
  const darkSection = section(page, 'Dark images');
  assert.equal(await darkSection.locator('.issue-tile').count(), 12);
  await darkSection.getByRole('button', { name: 'Show 8 more' }).click();
  assert.equal(await darkSection.locator('.issue-tile').count(), 20);
  const fewer = darkSection.getByRole('button', { name: 'Show fewer' });
  assert.equal(await fewer.getAttribute('aria-expanded'), 'true');
  assert.equal(await fewer.evaluate((b) => b === document.activeElement), true, 'the focus stays on the button');

  const leaks = section(page, 'Leaky splits');
  assert.match(
    (await leaks.locator('.issue-figures').textContent()) ?? '',
    /^Splits from the split column: train 300, test 100\. 2 groups of copies cross splits/,
  );
  const table = leaks.locator('.split-classes');
  const last = report.dataset.classes.at(-1)!;
  assert.equal(
    await table.locator('summary').textContent(),
    `Images per class in each split · 1 class missing from a split: ${last} (test)`,
  );
  await table.locator('summary').click();
  assert.deepEqual(await table.locator('thead th').allTextContents(), ['Class', 'train', 'test']);
  assert.deepEqual(await table.locator('tbody tr').first().locator('td').allTextContents(), [
    '30 (10.0%)',
    '10 (10.0%)',
  ]);
  assert.deepEqual(await table.locator('tbody tr').last().locator('td').allTextContents(), ['30 (10.0%)', 'none']);
  assert.equal(await table.locator('td.split-missing').count(), 1);
  assert.deepEqual(await leaks.locator('.leak-header').allTextContents(), [
    'Exact copies in train, test',
    'Near duplicates in train, test',
  ]);
  const copy = report.samples[31].path;
  assert.equal(
    await leaks.locator('.issue-tile').nth(1).locator('.issue-caption').textContent(),
    `test · ${report.samples[31].givenLabel}`,
  );
  await leaks.locator('.issue-tile').nth(1).click();
  await page.keyboard.press('Delete');
  await waitForDecisionCount(page, 1);
  assert.deepEqual(await decisionsOnHost(page), { [copy]: { action: 'remove' } });
  assert.match(
    (await leaks.locator('.issue-tile').nth(1).getAttribute('aria-label')) ?? '',
    new RegExp(`^${copy}, labeled .*, exact copy across train, test: Removed\\.`),
  );
  await leaks.scrollIntoViewIfNeeded();
  await settle(page);
  await page.screenshot({ path: join(OUTPUT, 'issues-leaks-dark-900.png') });
  await assertCleanPage(page);
  await page.close();
});

test('axe finds no serious violation in the Issues view, in the dark, light and high-contrast themes', async () => {
  for (const theme of ['dark', 'light', 'highContrast'] as ThemeName[]) {
    const page = await pages.open({ theme, decisions: {}, width: 900 });
    await openIssues(page);
    await page.keyboard.press('Tab');
    await assertNoSeriousViolations(page, `Issues view, ${theme}`);
    if (theme === 'highContrast') await page.screenshot({ path: join(OUTPUT, 'issues-high-contrast-900.png') });
    await page.close();
  }
});
