/**
 * The Classes view of the review webview in Chromium against the harness host: the rare-class
 * banner and the per-class bar chart, merging classes from the class-swap heatmap and from a merge
 * suggestion, renaming a class to a name with "/", and undoing class actions with Ctrl+Z.
 * Screenshots go to test-output/ (look at them).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildReviewContent } from '../../src/extension/review/reviewContent';
import type { ClassAction, ReviewContent } from '../../src/protocol/webview';
import { copySampleDigits } from '../helpers/repo';
import { sampleDigitsReport } from '../helpers/sampleReport';
import { OUTPUT, assertCleanPage, launchReviewPages, settle, type ReviewPages } from './reviewPage';

type Ready = Extract<ReviewContent, { status: 'ready' }>;

let pages: ReviewPages;
let rareContent: Ready;
let copy: string;

before(async () => {
  pages = await launchReviewPages();
  // A real report of the sample digits with all but 6 images of "9" gone: a rare class, as the
  // engine's own buildReport and rare-class rule describe it.
  copy = await mkdtemp(join(tmpdir(), 'label-audit-rare-'));
  await copySampleDigits(copy);
  const nines = (await readdir(join(copy, '9'))).sort();
  for (const name of nines.slice(6)) await rm(join(copy, '9', name));
  const built = buildReviewContent(await sampleDigitsReport(copy), 1000, (path) => pages.harness.imageUrl(path));
  assert.equal(built.status, 'ready');
  rareContent = built as Ready;
});

after(async () => {
  await pages?.close();
  if (copy) await rm(copy, { recursive: true, force: true });
});

const selectValues = (page: Page, label: string) =>
  page
    .locator(`vscode-single-select[aria-label="${label}"] vscode-option`)
    .evaluateAll((options) => options.map((o) => (o as HTMLElement & { value: string }).value));

/** The classes the relabel picker offers for the first card (opened with R, closed with Escape). */
async function pickerLabels(page: Page): Promise<string[]> {
  await page.locator('.card .thumb').first().click();
  await page.keyboard.press('r');
  await page.waitForSelector('.picker-overlay:not([hidden]) .picker-row');
  const labels = await page
    .locator('.picker-row')
    .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.label ?? ''));
  await page.keyboard.press('Escape');
  await page.waitForSelector('.picker-overlay', { state: 'hidden' });
  return labels;
}

async function waitForClassActions(page: Page, expected: ClassAction[]): Promise<void> {
  await page.waitForFunction((json) => JSON.stringify(window.__host.classActions()) === json, JSON.stringify(expected));
}

async function openClasses(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Classes', exact: true }).click();
  await page.waitForSelector('.class-panel:not([hidden]) .class-table');
}

describe('rare classes', () => {
  test('a banner above the suspects names the rare class; the Classes view charts counts and flag rates', async () => {
    const rare = rareContent.classHealth?.find((c) => c.name === '9');
    assert.ok(rare?.warning, 'the rule warns about 6 images of "9"');
    assert.equal(rareContent.classHealth?.filter((c) => c.warning).length, 1, 'only the rare class is warned about');
    const page = await pages.open({ content: rareContent });
    await page.waitForSelector('.card');
    const notice = page.locator('.class-notice');
    assert.equal(await notice.isVisible(), true);
    assert.match(
      (await notice.textContent()) ?? '',
      /Too few images for a reliable verdict: “9” \(6 of about 20 needed\)/,
    );
    await page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete));
    await page.screenshot({ path: join(OUTPUT, 'classes-rare-banner-dark.png') });

    await notice.getByRole('button', { name: 'Show classes' }).click();
    await page.waitForSelector('.class-panel:not([hidden]) .class-table');
    assert.equal(await notice.isVisible(), false, 'the Classes view shows the warnings itself');
    const rows = page.locator('.class-table tbody tr');
    assert.equal(await rows.count(), 10);
    const nine = page.getByRole('button', { name: /^9: 6 images/ });
    assert.equal(
      await nine.getAttribute('aria-label'),
      `9: 6 images, ${rare.flagged} flagged (${Math.round(100 * rare.flagRate)}%), too few for a reliable verdict`,
    );
    assert.equal(await page.locator('.class-table tr.warned').count(), 1);
    assert.match((await page.locator('.class-warnings').textContent()) ?? '', /9: only 6 images of "9"/);
    // The bars are drawn to scale: the rare class's count bar is a fraction of the largest.
    const widths = await page
      .locator('.class-table .bar-count')
      .evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().width));
    assert.ok(widths[9] < widths[0] / 4, `rare bar ${widths[9]} px against ${widths[0]} px`);
    await page.screenshot({ path: join(OUTPUT, 'classes-chart-dark.png') });
    await assertCleanPage(page);
    await page.close();

    const light = await pages.open({
      content: rareContent,
      theme: 'light',
      state: {
        filters: {},
        selection: { focus: null, anchor: null, selected: [] },
        scrollTop: 0,
        undo: [],
        seq: 0,
        view: 'classes',
      },
    });
    await light.waitForSelector('.class-panel:not([hidden]) .class-table');
    await light.screenshot({ path: join(OUTPUT, 'classes-chart-light.png') });
    await light.close();
  });
});

describe('class actions', () => {
  test('merge from a heatmap cell (button and context action), then Ctrl+Z takes it back', async () => {
    const content = pages.content;
    const matrix = content.swaps;
    assert.ok(matrix);
    // The largest swap of the sample report.
    const [top] = matrix.counts
      .flatMap((row, g) =>
        row.map((count, o) => ({ given: matrix.classes[g], other: matrix.classes[o], count, off: g !== o })),
      )
      .filter((c) => c.off && c.count > 0)
      .sort((a, b) => b.count - a.count);
    const page = await pages.open();
    await page.waitForSelector('.card');
    await page.getByRole('button', { name: 'Class swaps' }).click();
    const cell = page.locator(`button.swaps-cell[data-given="${top.given}"][data-other="${top.other}"]`);
    await cell.click({ button: 'right' });
    const merge = page.locator('.swaps-merge');
    await merge.waitFor({ state: 'visible' });
    assert.equal(await merge.textContent(), `Merge “${top.given}” into “${top.other}”`);
    assert.equal(
      await cell.getAttribute('aria-pressed'),
      'true',
      'the context action selects the swap (its samples are shown)',
    );
    await page.screenshot({ path: join(OUTPUT, 'classes-heatmap-merge-dark.png') });
    await merge.click();
    await waitForClassActions(page, [{ action: 'merge', from: top.given, into: top.other }]);
    await settle(page);
    assert.equal(
      (await selectValues(page, 'Given label')).includes(top.given),
      false,
      'the filters no longer offer the merged class',
    );
    assert.equal(
      await page
        .locator('vscode-single-select[aria-label="Given label"]')
        .evaluate((s) => (s as HTMLElement & { value: string }).value),
      '',
      'the swap filter went with the swap',
    );
    await page.locator('vscode-single-select[aria-label="Given label"]').evaluate((s, v) => {
      (s as HTMLElement & { value: string }).value = v;
      s.dispatchEvent(new Event('change'));
    }, top.other);
    await settle(page);
    const givens = await page.locator('.card .label-given').allTextContents();
    const merged = content.suspects.filter(
      (s) => s.flagged && (s.givenLabel === top.given || s.givenLabel === top.other),
    ).length;
    assert.equal(givens.length, merged, "filtering by the target shows the merged class's cards");
    assert.ok(
      givens.every((g) => g === top.other),
      `cards show the merged class: ${givens.join(',')}`,
    );
    const offered = await pickerLabels(page);
    assert.ok(
      offered.includes(top.other) && !offered.includes(top.given),
      `the relabel picker offers the merged classes: ${offered.join(',')}`,
    );
    assert.equal(
      await page.locator(`.swaps-table th[title="${top.given}"]`).count(),
      0,
      'the heatmap lost the merged row and column',
    );
    await page.screenshot({ path: join(OUTPUT, 'classes-after-merge-dark.png') });

    await page.locator('.grid').focus();
    await page.keyboard.press('Control+z');
    await waitForClassActions(page, []);
    await settle(page);
    assert.equal((await selectValues(page, 'Given label')).includes(top.given), true, 'undo brings the class back');
    await assertCleanPage(page);
    await page.close();
  });

  test('rename to a name with "/" and merge as suggested, from the Classes view; both persist on the host', async () => {
    const suggestion = { from: '7', into: '1', fromToInto: 12, intoToFrom: 11, fromShare: 0.3, intoShare: 0.28 };
    const page = await pages.open({ content: { ...pages.content, mergeSuggestions: [suggestion] } });
    await page.waitForSelector('.card');
    assert.match((await page.locator('.class-notice').textContent()) ?? '', /suggests merging “7” into “1”/);
    await openClasses(page);
    assert.match(
      (await page.locator('.merge-hints').textContent()) ?? '',
      /30% of “7” look like “1”, 28% of “1” like “7”/,
    );

    await page.getByRole('button', { name: /^3: / }).click();
    assert.equal(
      await page
        .locator('vscode-single-select[aria-label="Class to rename"]')
        .evaluate((s) => (s as HTMLElement & { value: string }).value),
      '3',
      'a click on a class picks it for the forms',
    );
    await page.locator('vscode-textfield[aria-label="New class name"]').evaluate((f) => {
      (f as HTMLElement & { value: string }).value = 'three/3';
    });
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await waitForClassActions(page, [{ action: 'rename', from: '3', to: 'three/3' }]);

    await page.locator('vscode-textfield[aria-label="New class name"]').evaluate((f) => {
      (f as HTMLElement & { value: string }).value = '1';
    });
    await page.locator('vscode-single-select[aria-label="Class to rename"]').evaluate((s) => {
      (s as HTMLElement & { value: string }).value = '0';
    });
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    assert.match(
      (await page.locator('.class-problem').textContent()) ?? '',
      /a class "1" exists already: merge into it instead/,
    );

    await page.getByRole('button', { name: 'Merge “7” into “1”' }).click();
    const expected: ClassAction[] = [
      { action: 'rename', from: '3', to: 'three/3' },
      { action: 'merge', from: '7', into: '1' },
    ];
    await waitForClassActions(page, expected);
    await settle(page);
    assert.equal(await page.locator('.merge-hints').isVisible(), false, 'the suggestion carried out is gone');
    assert.deepEqual(await page.locator('.class-actions li').allTextContents(), [
      'Renamed “3” to “three/3”',
      'Merged “7” into “1”',
    ]);
    await page.screenshot({ path: join(OUTPUT, 'classes-actions-dark.png') });
    await page.getByRole('button', { name: 'Suspects', exact: true }).click();
    await page.waitForSelector('.card');
    const offered = await pickerLabels(page);
    assert.ok(
      offered.includes('three/3') && !offered.includes('3') && !offered.includes('7'),
      `the relabel picker offers the new names: ${offered.join(',')}`,
    );
    await page.getByRole('button', { name: 'Classes', exact: true }).click();

    await page.getByRole('button', { name: 'Undo last class action' }).click();
    await waitForClassActions(page, expected.slice(0, 1));
    await page.keyboard.press('Control+z');
    await waitForClassActions(page, expected);
    await assertCleanPage(page);
    await page.close();
  });

  test('class actions the host already holds are shown on load', async () => {
    const page = await pages.open({ classActions: [{ action: 'merge', from: '5', into: '6' }] });
    await page.waitForSelector('.card');
    assert.equal((await selectValues(page, 'Given label')).includes('5'), false);
    await page.close();
  });
});
