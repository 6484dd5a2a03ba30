/**
 * The reviewer's workflow in Chromium against the harness host (see review.browser.test.ts): the
 * relabel picker with each class's typical images on a 20-class report, the spot check of unflagged
 * images with its miss-rate estimate, "next unreviewed" and the progress summary. Screenshots go to
 * test-output/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { AuditReport } from '../../src/core/report';
import { buildReviewContent } from '../../src/extension/review/reviewContent';
import type { ReviewContent, SuspectView } from '../../src/protocol/webview';
import { estimateMisses } from '../../webview/state/missRate';
import { spotCheckText } from '../../webview/state/spotCheckState';
import { SAMPLE_DIGITS, sampleDigitsReport } from '../helpers/sampleReport';
import {
  OUTPUT,
  assertCleanPage,
  cardPaths,
  decisionsOnHost,
  launchReviewPages,
  settle,
  waitForDecisionCount,
  type ReviewPages,
} from './reviewPage';

type Ready = Extract<ReviewContent, { status: 'ready' }>;

let pages: ReviewPages;
let digits: Ready;
let twenty: Ready;

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * A 20-class report over the real sample digits: each digit split into "thin" and "bold" by the
 * image's ink (above or below its digit's median), a labelling with a visible meaning, so the
 * picker's strips can be checked by eye. Scores and flags are the sample report's.
 */
async function twentyClassReport(): Promise<AuditReport> {
  const report = await sampleDigitsReport();
  const ink = new Map<string, number>();
  await Promise.all(
    report.samples.map(async (s) => {
      const pixels = await sharp(join(SAMPLE_DIGITS, s.path)).greyscale().raw().toBuffer();
      ink.set(s.path, pixels.reduce((sum, v) => sum + v, 0) / pixels.length);
    }),
  );
  const median = new Map(
    WORDS.map((_, digit) => {
      const values = report.samples
        .filter((s) => s.path.startsWith(`${digit}/`))
        .map((s) => ink.get(s.path) ?? 0)
        .sort((a, b) => a - b);
      return [String(digit), values[Math.floor(values.length / 2)]];
    }),
  );
  // The weight is the image's own: a relabel to another digit keeps its stroke.
  const name = (digit: string, path: string) =>
    `${WORDS[Number(digit)]} ${(ink.get(path) ?? 0) > (median.get(path.split('/')[0]) ?? 0) ? 'bold' : 'thin'}`;
  return {
    ...report,
    dataset: { ...report.dataset, classes: WORDS.flatMap((w) => [`${w} thin`, `${w} bold`]) },
    samples: report.samples.map((s) => ({
      ...s,
      givenLabel: name(s.givenLabel, s.path),
      suggestedLabel: name(s.suggestedLabel, s.path),
    })),
  };
}

before(async () => {
  pages = await launchReviewPages();
  digits = pages.content;
  const built = buildReviewContent(await twentyClassReport(), 1000, (path) => pages.harness.imageUrl(path));
  assert.equal(built.status, 'ready');
  twenty = built as Ready;
});

after(async () => {
  await pages?.close();
});

const pickerRows = (page: Page) =>
  page.$$eval('.picker-row', (rows) =>
    rows.map((r) => ({
      label: r.querySelector('.picker-label')?.textContent ?? '',
      tags: [...r.querySelectorAll('.picker-tag')].map((t) => t.textContent),
      digit: r.querySelector('.picker-digit')?.textContent ?? '',
      active: r.getAttribute('aria-selected') === 'true',
      images: r.querySelectorAll('.picker-examples img').length,
    })),
  );
const pickerOpen = (page: Page) => page.$eval('.picker-overlay', (o) => !(o as HTMLElement).hidden);
const focusedPath = (page: Page) => page.$eval('.card.focused', (c) => (c as HTMLElement).dataset.path ?? '');
const decisionOf = (page: Page, path: string) => page.evaluate((p) => window.__host.decisions()[p], path);

describe('relabel picker', () => {
  test('20 classes: typical images per class, the suggestion first, type-ahead, arrows, Enter, digits, recent choices, Escape', async () => {
    const flagged = twenty.suspects.filter((s) => s.flagged);
    assert.equal(twenty.classes.length, 20);
    const page = await pages.open({ content: twenty, height: 900 });
    await page.waitForSelector('.card');
    const [a, b, c] = flagged;
    assert.equal(await focusedPath(page), a.path, 'the first card is selected on open');

    await page.keyboard.press('r');
    assert.ok(await pickerOpen(page));
    // Every example image decoded, so the screenshot shows real strips.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.picker-examples img')].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    let rows = await pickerRows(page);
    assert.equal(rows.length, 20, 'every class is listed');
    assert.deepEqual(
      rows[0],
      { label: a.suggestedLabel, tags: ['suggested'], digit: rows[0].digit, active: true, images: 4 },
      'the suggested class first, active',
    );
    assert.ok(
      rows.every((r) => r.images >= 1),
      'each class shows its typical images',
    );
    assert.ok(rows.find((r) => r.label === a.givenLabel)?.tags.includes('current label'));
    // The strip shows the class's most typical unflagged images, in that order.
    const strip = await page.$$eval(`.picker-row[data-label="${a.suggestedLabel}"] .picker-examples img`, (imgs) =>
      imgs.map((i) => i.getAttribute('title')),
    );
    assert.deepEqual(
      strip,
      twenty.classExamples?.[a.suggestedLabel]?.map((e) => e.path),
    );
    assert.equal(
      await page.evaluate(() => document.activeElement?.classList.contains('picker-filter')),
      true,
      'the filter has the focus',
    );
    await page.screenshot({ path: join(OUTPUT, 'picker-20-classes-dark.png') });

    // Type-ahead narrows the list; the arrows move; Enter picks the active row.
    await page.keyboard.type('sev');
    rows = await pickerRows(page);
    assert.deepEqual(
      rows.map((r) => r.label),
      ['seven thin', 'seven bold'],
    );
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction((p) => window.__host.decisions()[p]?.action === 'relabel', a.path);
    assert.deepEqual(
      await decisionOf(page, a.path),
      a.givenLabel === 'seven bold' ? { action: 'keep' } : { action: 'relabel', label: 'seven bold' },
    );
    assert.equal(await pickerOpen(page), false, 'a choice closes the picker');
    assert.equal(await focusedPath(page), b.path, 'and the review moves on');

    // Next card: the recent choice comes right after the suggestion; a digit picks the class of that key.
    await page.keyboard.press('r');
    rows = await pickerRows(page);
    assert.equal(rows[0].label, b.suggestedLabel);
    if (b.suggestedLabel !== 'seven bold') assert.deepEqual(rows[1].tags, ['recent']);
    assert.ok(rows.slice(0, 2).some((r) => r.label === 'seven bold'));
    await page.keyboard.type('3');
    rows = await pickerRows(page);
    assert.equal(rows[0].label, twenty.classes[2], 'digit 3 is the third class, as in the grid');
    assert.equal(rows[0].digit, '3');
    await page.keyboard.press('Enter');
    await waitForDecisionCount(page, 2);
    assert.deepEqual(
      await decisionOf(page, b.path),
      b.givenLabel === twenty.classes[2] ? { action: 'keep' } : { action: 'relabel', label: twenty.classes[2] },
    );

    // Escape closes without deciding and gives the grid its keys back; a click on a row picks it.
    await page.keyboard.press('r');
    await page.keyboard.type('nothing like this');
    assert.equal(await page.textContent('.picker-empty'), 'No class matches.');
    await page.keyboard.press('Escape');
    assert.equal(await pickerOpen(page), false);
    assert.equal(await decisionOf(page, c.path), undefined);
    await page.locator(`.card[data-path="${c.path}"] .card-button-relabel`).click();
    assert.ok(await pickerOpen(page), "the card's relabel button opens the picker");
    await page.locator('.picker-row[data-label="nine thin"]').click();
    await page.waitForFunction((p) => window.__host.decisions()[p] !== undefined, c.path);
    assert.deepEqual(
      await decisionOf(page, c.path),
      c.givenLabel === 'nine thin' ? { action: 'keep' } : { action: 'relabel', label: 'nine thin' },
    );

    // The recent choices survive a reload (webview state).
    const state = await page.evaluate(() => window.__host.state());
    assert.deepEqual((state as { recentLabels: string[] }).recentLabels, [
      'nine thin',
      twenty.classes[2],
      'seven bold',
    ]);
    await assertCleanPage(page);
    await page.close();
  });

  test('the picker in the light theme, on a narrow panel', async () => {
    const page = await pages.open({ content: twenty, theme: 'light', width: 700, height: 700 });
    await page.waitForSelector('.card');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('r');
    await page.keyboard.type('o');
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.picker-examples img')].every((img) => img.complete),
    );
    const box = await page.locator('.picker-dialog').boundingBox();
    assert.ok(box && box.width <= 700 && box.x >= 0, `the dialog fits the panel (${JSON.stringify(box)})`);
    await page.screenshot({ path: join(OUTPUT, 'picker-20-classes-light-narrow.png') });
    await assertCleanPage(page);
    await page.close();
  });
});

describe('spot check', () => {
  test('a seeded sample of unflagged images; keep = right, relabel/remove = missed; the estimate and its interval; stable across reloads', async () => {
    const pool = digits.spotCheck;
    assert.ok(pool);
    assert.equal(pool.unflaggedTotal, digits.auditedTotal - digits.flaggedTotal);
    const page = await pages.open({ height: 900 });
    await page.waitForSelector('.card');
    await page.locator('button.toggle-button', { hasText: 'Spot check' }).click();
    await settle(page);
    assert.equal(await page.textContent('.counter'), '0 checked of 100');
    const shown = await cardPaths(page);
    assert.deepEqual(
      shown,
      pool.samples.slice(0, shown.length).map((s) => s.path),
      "the host's seeded order",
    );
    assert.ok(
      shown.every((path) => !digits.suspects.find((s) => s.path === path)?.flagged),
      'only unflagged images',
    );

    // A smaller check: the first 50 of the same order.
    const size = page.locator('vscode-single-select[aria-label="Sample size"]');
    await size.click();
    await size.locator('li.option', { hasText: /^\s*50 images\s*$/ }).click();
    await settle(page);
    assert.equal(await page.textContent('.counter'), '0 checked of 50');

    // Enter and K: the label is right; Delete and a digit: the audit missed an error.
    const sample = pool.samples.slice(0, 50);
    // The view's first sample is selected when the view opens (a list that shares no card with the suspects').
    assert.equal(await focusedPath(page), sample[0].path);
    await page.keyboard.press('Enter');
    await page.keyboard.press('k');
    await page.keyboard.press('Delete');
    const wrongDigit = sample[3].givenLabel === '8' ? '9' : '8';
    await page.keyboard.press(wrongDigit);
    await page.keyboard.press('k');
    await waitForDecisionCount(page, 5);
    const host = await decisionsOnHost(page);
    assert.deepEqual(host[sample[0].path], { action: 'keep' }, 'Enter confirms the label in a spot check');
    assert.deepEqual(host[sample[2].path], { action: 'remove' });
    assert.deepEqual(host[sample[3].path], { action: 'relabel', label: wrongDigit });
    const expected = spotCheckText(estimateMisses(2, 5, pool.unflaggedTotal), 50, pool.unflaggedTotal);
    assert.equal(await page.textContent('.spot-check-text'), expected);
    // 2 of 5: 40%, Wilson 95% 11.8%–76.9%.
    assert.match(
      expected,
      /^5 of 50 checked, 2 wrong\. Miss rate 40% \(95% CI 12%–77%\): about 150 missed errors among the 376 unflagged \(/,
    );
    assert.equal(await page.textContent('.counter'), '5 checked of 50');
    await page.screenshot({ path: join(OUTPUT, 'spot-check-dark.png') });

    // Reload: the same view, size, images and estimate.
    const state = await page.evaluate(() => window.__host.state());
    const decisions = await decisionsOnHost(page);
    await page.close();
    const again = await pages.open({ state, decisions, height: 900, reopen: page });
    await again.waitForSelector('.card');
    assert.equal(await again.textContent('.counter'), '5 checked of 50');
    assert.deepEqual(await cardPaths(again), shown.slice(0, (await cardPaths(again)).length));
    assert.equal(await again.textContent('.spot-check-text'), expected);
    await assertCleanPage(again);
    await again.close();
  });
});

describe('review bookkeeping', () => {
  test('N and the toolbar button go to the next card without a decision; the progress summary counts per class', async () => {
    const flagged = digits.suspects.filter((s) => s.flagged);
    const [a, b, c, d] = flagged;
    // a accepted, b kept, c removed, d relabeled to another class than suggested.
    const other = ['0', '1'].find((l) => l !== d.suggestedLabel && l !== d.givenLabel) as string;
    const decisions = {
      [a.path]: { action: 'relabel' as const, label: a.suggestedLabel },
      [b.path]: { action: 'keep' as const },
      [c.path]: { action: 'remove' as const },
      [d.path]: { action: 'relabel' as const, label: other },
    };
    const page = await pages.open({ decisions, height: 900 });
    await page.waitForSelector('.card');
    await page.keyboard.press('n');
    assert.equal(await focusedPath(page), flagged[4].path, 'N skips the decided cards');
    await page.keyboard.press('ArrowLeft');
    await page.locator('vscode-button', { hasText: 'Next unreviewed' }).click();
    assert.equal(await focusedPath(page), flagged[4].path, 'the button does the same');
    await page.keyboard.press('?');
    assert.match((await page.textContent('.help-dialog')) ?? '', /N\s*Go to the next card without a decision/);
    await page.keyboard.press('Escape');

    await page.locator('vscode-button', { hasText: 'Progress' }).click();
    const table = await page.$$eval('.progress-table tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')),
    );
    assert.deepEqual(table[0], ['Given class', 'Flagged', 'Reviewed', 'Accepted', 'Relabeled', 'Removed', 'Kept']);
    assert.deepEqual(table[1], ['All classes', String(flagged.length), '4', '1', '1', '1', '1']);
    const classOf = (s: SuspectView) => table.find((row) => row[0] === s.givenLabel);
    for (const s of [a, b, c, d]) assert.ok(Number(classOf(s)?.[2]) >= 1, `${s.givenLabel} counts its reviewed card`);
    const perClassFlagged = table.slice(2).reduce((sum, row) => sum + Number(row[1]), 0);
    assert.equal(perClassFlagged, flagged.length, 'the classes add up to the total');
    await page.screenshot({ path: join(OUTPUT, 'progress-summary-dark.png') });
    await page.keyboard.press('Escape');
    assert.equal(await page.$eval('.progress-dialog', (d) => (d.parentElement as HTMLElement).hidden), true);

    // Every card decided: N says so instead of moving.
    const all = Object.fromEntries(flagged.map((s) => [s.path, { action: 'keep' as const }]));
    const done = await pages.open({ decisions: all });
    await done.waitForSelector('.card');
    await done.keyboard.press('n');
    assert.match((await done.textContent('.banner')) ?? '', /Every card shown has a decision/);
    await assertCleanPage(page);
    await page.close();
    await done.close();
  });
});
