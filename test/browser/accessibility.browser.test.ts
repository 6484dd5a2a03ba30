/**
 * Accessibility of the review panel: axe-core on every view (grid with a multi-selection, relabel
 * picker, help, progress, class-swap heatmap, Classes, spot check, conflicts) in the dark, light and
 * high-contrast themes, failing on any serious or critical violation.
 */
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ConflictGroupView } from '../../src/protocol/webview';
import { assertNoSeriousViolations } from './axe';
import { assertCleanPage, launchReviewPages, settle, type ReviewPages } from './reviewPage';
import { THEMES, type ThemeName } from './themes';

let pages: ReviewPages;

before(async () => {
  pages = await launchReviewPages();
});

after(async () => {
  await pages?.close();
});

/** Two conflicting groups from the sample's own images, so the Conflicts view has rows. */
function conflicts(): ConflictGroupView[] {
  const [a, b, c] = pages.content.suspects;
  const member = (s: typeof a, label: string) => ({ path: s.path, label, imageUri: s.imageUri });
  return [
    { kind: 'exact', members: [member(a, a.givenLabel), member(b, b.givenLabel === '1' ? '2' : '1')] },
    { kind: 'near', members: [member(c, c.givenLabel), member(b, b.givenLabel)] },
  ];
}

const images = (page: Page) =>
  page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete));

async function view(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).click();
  await settle(page);
}

describe('axe on every view and theme', () => {
  for (const theme of Object.keys(THEMES) as ThemeName[]) {
    test(`${theme}: grid with a selection, picker, help, progress, heatmap, spot check, classes, conflicts`, async () => {
      const page = await pages.open({ theme, content: { ...pages.content, conflicts: conflicts() } });
      await page.waitForSelector('.card');
      await images(page);
      // A multi-selection in the grid, with the preview of the focused card.
      await page.locator('.grid').focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await settle(page);
      await assertNoSeriousViolations(page, `${theme} grid`);

      await page.keyboard.press('r');
      await page.waitForSelector('.picker-overlay:not([hidden]) .picker-row');
      await assertNoSeriousViolations(page, `${theme} relabel picker`);
      await page.keyboard.press('Escape');

      await page.keyboard.press('?');
      await page.waitForSelector('.help-overlay:not([hidden]):not(.picker-overlay)');
      await assertNoSeriousViolations(page, `${theme} help`);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Progress' }).click();
      await page.waitForSelector('.progress-dialog');
      await settle(page);
      await assertNoSeriousViolations(page, `${theme} progress`);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Class swaps' }).click();
      await page.waitForSelector('.swaps-panel:not([hidden]) button.swaps-cell');
      await assertNoSeriousViolations(page, `${theme} heatmap`);

      await view(page, 'Spot check');
      await page.waitForSelector('.card');
      await images(page);
      await assertNoSeriousViolations(page, `${theme} spot check`);

      await view(page, 'Classes');
      await page.waitForSelector('.class-panel:not([hidden])');
      await assertNoSeriousViolations(page, `${theme} classes`);

      await page.getByRole('button', { name: /^Conflicting duplicates/ }).click();
      await page.waitForSelector('.conflicts:not([hidden]) .conflict-row');
      await images(page);
      await assertNoSeriousViolations(page, `${theme} conflicts`);
      await assertCleanPage(page);
      await page.close();
    });
  }
});
