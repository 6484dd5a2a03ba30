/**
 * The review panel by keyboard alone: each dialog (relabel picker, help, progress) opens, keeps Tab
 * inside itself while the rest of the page is inert, and on close hands the focus back to the control
 * that opened it; the banner closes with Escape; actions that remove the focused control (Clear
 * filters, a conflict decision) leave the focus on a control, never on the page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchReviewPages, settle, type ReviewPages } from './reviewPage';

let pages: ReviewPages;

before(async () => {
  pages = await launchReviewPages();
});

after(async () => {
  await pages?.close();
});

/** A short description of the focused element, looking into shadow roots no further than their host. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    if (!active || active === document.body) return 'body';
    const text = /^(VSCODE-BUTTON|BUTTON)$/.test(active.tagName) ? (active.textContent?.trim() ?? '') : '';
    return `${active.tagName.toLowerCase()}${active.className ? `.${[...active.classList].join('.')}` : ''}|${text}`;
  });

const insideOpenDialog = (page: Page) =>
  page.evaluate(() => document.activeElement?.closest('.help-overlay:not([hidden])') !== null);

/** Tabs `count` times and checks the focus never leaves the open dialog. */
async function tabStaysInside(page: Page, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await insideOpenDialog(page), `Tab ${i + 1} stays in the dialog (focus on ${await focused(page)})`);
  }
}

describe('keyboard only', () => {
  test('each dialog opens, traps Tab, and gives the focus back to its opener on close', async () => {
    const page = await pages.open();
    await page.waitForSelector('.card');
    await page.locator('.grid').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await focused(page), 'div.grid|');

    // R from the grid: the picker's filter is a combobox named "Filter classes" pointing at the active option.
    await page.keyboard.press('r');
    await page.waitForSelector('.picker-overlay:not([hidden]) .picker-row');
    const combobox = await page.evaluate(() => {
      const input = document.activeElement as HTMLElement;
      const id = input.getAttribute('aria-activedescendant');
      return {
        role: input.getAttribute('role'),
        name: input.getAttribute('aria-label'),
        active: id ? document.getElementById(id)?.getAttribute('aria-selected') : null,
        inert: (document.querySelector('.toolbar') as HTMLElement).inert,
      };
    });
    assert.deepEqual(combobox, { role: 'combobox', name: 'Filter classes', active: 'true', inert: true });
    await tabStaysInside(page, 3);
    await page.keyboard.press('Escape');
    assert.equal(await focused(page), 'div.grid|', 'Escape returns the focus to the grid that opened the picker');
    assert.equal(await page.evaluate(() => (document.querySelector('.toolbar') as HTMLElement).inert), false);

    // ? from the grid: help.
    await page.keyboard.press('?');
    await page.waitForSelector('.help-overlay:not([hidden]):not(.picker-overlay)');
    await tabStaysInside(page, 3);
    await page.keyboard.press('Escape');
    assert.equal(await focused(page), 'div.grid|', 'help closes back to the grid');

    // The toolbar's Keys (?) button, reached by Tab, opens help; closing returns to that button.
    const keys = page.locator('vscode-button', { hasText: 'Keys (?)' });
    await keys.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.help-overlay:not([hidden]):not(.picker-overlay)');
    await page.keyboard.press('Escape');
    assert.match(await focused(page), /^vscode-button\|Keys \(\?\)/, 'help closes back to its button');

    // The Progress button opens the progress dialog; Escape returns to it.
    const progress = page.getByRole('button', { name: 'Progress', exact: true });
    await progress.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.progress-dialog');
    await tabStaysInside(page, 2);
    await page.keyboard.press('Escape');
    assert.match(await focused(page), /^vscode-button\|Progress/, 'progress closes back to its button');
    await page.close();
  });

  test('the banner closes with Escape and its button; Clear filters leaves the focus on the grid', async () => {
    const page = await pages.open();
    await page.waitForSelector('.card');
    await page.locator('.grid').focus();
    // Decide everything shown, then N: the banner says so.
    await page.evaluate(() => window.__host.send({ type: 'review/didFail', message: 'Not saved: the disk is full.' }));
    await page.waitForSelector('.banner:not([hidden])');
    assert.equal(await page.locator('.banner').getByRole('button', { name: 'Dismiss' }).count(), 1);
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('.banner'), false, 'Escape dismisses the banner');
    await page.evaluate(() => window.__host.send({ type: 'review/didFail', message: 'Again.' }));
    await page.locator('.banner').getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await page.isVisible('.banner'), false, 'so does its button');
    assert.notEqual(await focused(page), 'body', 'the focus does not drop to the page');

    // Filter to one class, focus Clear filters, press it: the button goes away, the focus lands on the grid.
    const given = pages.content.suspects[0].givenLabel;
    await page.locator('vscode-single-select[aria-label="Given label"]').evaluate((s, v) => {
      (s as HTMLSelectElement).value = v;
      s.dispatchEvent(new Event('change'));
    }, given);
    await settle(page);
    const clear = page.locator('vscode-button', { hasText: 'Clear filters' });
    await clear.focus();
    await page.keyboard.press('Enter');
    await settle(page);
    assert.equal(await clear.isVisible(), false);
    assert.equal(await focused(page), 'div.grid|', 'after Clear filters the grid has the focus');
    await page.close();
  });

  test('a conflict decision keeps the focus on the member that was decided', async () => {
    const [a, b] = pages.content.suspects;
    const page = await pages.open({
      content: {
        ...pages.content,
        conflicts: [
          {
            kind: 'exact',
            members: [
              { path: a.path, label: a.givenLabel, imageUri: a.imageUri },
              { path: b.path, label: b.givenLabel === a.givenLabel ? '9' : b.givenLabel, imageUri: b.imageUri },
            ],
          },
        ],
      },
    });
    await page.getByRole('button', { name: /^Conflicting duplicates/ }).click();
    await page.waitForSelector('.conflicts:not([hidden]) .conflict-row');
    const keep = page.getByRole('button', { name: `Keep ${a.path} as ${a.givenLabel}` });
    await keep.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((p) => window.__host.decisions()[p] !== undefined, a.path);
    await settle(page);
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
      `Keep ${a.path} as ${a.givenLabel}`,
      'the rebuilt row gives the focus back to the same button',
    );
    await page.close();
  });
});
