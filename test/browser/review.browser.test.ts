/**
 * The review webview in a real browser: the built dist/webview.js in headless Chromium, in the page
 * the extension builds (same CSP), talking to the real ReviewSession (reviewPage.ts) over a copy of
 * the sample digits. Screenshots go to test-output/ (ignored by git).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ReviewContent, SuspectView } from '../../src/protocol/webview';
import { sampleAnswerKey } from '../helpers/sampleReport';
import {
  OUTPUT,
  assertCleanPage,
  cardPaths,
  chooseOption,
  decisionsOnHost,
  launchReviewPages,
  settle,
  waitForDecisionCount,
  type OpenOptions,
  type ReviewPages,
} from './reviewPage';
import { msUntilShown } from './scalePage';

let pages: ReviewPages;
let content: ReviewPages['content'];
let flagged: SuspectView[];

before(async () => {
  pages = await launchReviewPages();
  ({ content } = pages);
  flagged = content.suspects.filter((s) => s.flagged);
});

after(async () => {
  await pages?.close();
});

function openReview(options: OpenOptions = {}): Promise<Page> {
  return pages.open(options);
}

const focusedPath = (page: Page) => page.$eval('.card.focused', (c) => (c as HTMLElement).dataset.path ?? '');
const counter = (page: Page) => page.textContent('.counter');
const card = (page: Page, path: string) => page.locator(`.card[data-path="${path}"]`);
const postedDecisions = (page: Page) =>
  page.evaluate(() => window.__host.posted.filter((m) => m.type === 'review/decide' || m.type === 'review/decideMany'));

describe('review webview', () => {
  test('shows the flagged suspects best first, with their images loaded and no CSP violation', async () => {
    const page = await openReview();
    await page.waitForSelector('.card img');
    assert.equal(await counter(page), `0 reviewed of ${flagged.length}`);
    const shown = await cardPaths(page);
    assert.deepEqual(
      shown,
      flagged.map((s) => s.path).slice(0, shown.length),
      'cards in the host order, most suspect first',
    );
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.card img')].every((img) => (img as HTMLImageElement).complete),
    );
    const widths = await page.$$eval('.card img', (imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth));
    assert.ok(
      widths.length > 0 && widths.every((w) => w === 28),
      `every thumbnail decoded (natural widths ${widths.join(',')})`,
    );
    const first = flagged[0];
    const text = await card(page, first.path).textContent();
    assert.match(text ?? '', new RegExp(`${first.givenLabel}\\s*→\\s*${first.suggestedLabel}`));
    // The first suspect is selected on open, so the preview shows it and the keys act at once, while
    // the focus stays where the editor put it (not moved to the grid).
    assert.equal(await focusedPath(page), first.path);
    assert.equal(await page.textContent('.preview-path'), first.path);
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'BODY', 'the page did not take the focus');
    await assertCleanPage(page);
    await page.close();
  });

  test('keyboard: arrows move, Enter accepts, K keeps, Delete removes, digits relabel, R picks a class, Ctrl+Z undoes', async () => {
    const page = await openReview();
    await page.waitForSelector('.card');
    const [a, b, c, d, e] = flagged;
    assert.equal(await focusedPath(page), a.path, 'the first card is selected on open');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedPath(page), b.path, 'an arrow moves the focus');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedPath(page), a.path);
    await page.keyboard.press('Enter');
    assert.equal(await focusedPath(page), b.path, 'deciding moves on to the next card');
    await page.keyboard.press('k');
    await page.keyboard.press('Delete');
    await page.keyboard.press('7');
    await waitForDecisionCount(page, 4);
    assert.deepEqual(await decisionsOnHost(page), {
      [a.path]: { action: 'relabel', label: a.suggestedLabel },
      [b.path]: { action: 'keep' },
      [c.path]: { action: 'remove' },
      // A digits dataset: key 7 is class "7" (or keep, when 7 is the given label).
      [d.path]: d.givenLabel === '7' ? { action: 'keep' } : { action: 'relabel', label: '7' },
    });
    assert.equal(await counter(page), `4 reviewed of ${flagged.length}`);
    assert.match(
      (await card(page, a.path).locator('.card-status').textContent()) ?? '',
      new RegExp(`Relabeled → ${a.suggestedLabel}`),
    );
    assert.match((await card(page, c.path).locator('.card-status').textContent()) ?? '', /Removed/);

    // R opens the class picker with type-ahead on the focused card (e).
    assert.equal(await focusedPath(page), e.path);
    const target = e.givenLabel === '4' ? '5' : '4';
    await page.keyboard.press('r');
    await page.keyboard.type(target);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      ([path, label]) => {
        const d = window.__host.decisions()[path];
        return d?.action === 'relabel' && d.label === label;
      },
      [e.path, target] as const,
    );

    // Undo, newest first: the relabel to `target`, then the digit.
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await waitForDecisionCount(page, 3);
    const after = await decisionsOnHost(page);
    assert.equal(after[d.path], undefined);
    assert.equal(after[e.path], undefined);
    assert.equal(await counter(page), `3 reviewed of ${flagged.length}`);
    assert.equal(await focusedPath(page), d.path, 'undo selects the card it restored');
    const posted = await postedDecisions(page);
    assert.deepEqual(
      posted.map((m) => m.type === 'review/decide' && m.seq),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(
      posted[6],
      { type: 'review/decide', seq: 7, path: d.path, decision: null, undo: true },
      'an undo says so, for the review log',
    );
    await assertCleanPage(page);
    await page.close();
  });

  test('mouse: click, shift-click and ctrl-click select; bulk actions apply to the selection and undo as one', async () => {
    const page = await openReview();
    await page.waitForSelector('.card');
    const [a, , c, d] = flagged;
    await card(page, a.path).locator('.thumb').click();
    await card(page, c.path)
      .locator('.thumb')
      .click({ modifiers: ['Shift'] });
    await card(page, d.path)
      .locator('.thumb')
      .click({ modifiers: ['Control'] });
    assert.equal(await page.locator('.card.selected').count(), 4);
    assert.equal(await page.textContent('.preview-scope'), 'Actions apply to the 4 selected samples.');
    await page.locator('.preview vscode-button', { hasText: 'Keep label' }).click();
    await waitForDecisionCount(page, 4);
    const bulk = (await postedDecisions(page)).at(-1);
    assert.equal(bulk?.type, 'review/decideMany');
    assert.equal(await counter(page), `4 reviewed of ${flagged.length}`);

    // Ctrl+A then Delete removes every card shown; one undo brings back the previous state.
    await page.keyboard.press('Control+a');
    assert.equal(await page.locator('.card.selected').count(), await page.locator('.card').count());
    await page.keyboard.press('Delete');
    await page.waitForFunction(
      (n) => Object.values(window.__host.decisions()).filter((d) => d.action === 'remove').length === n,
      flagged.length,
    );
    await page.keyboard.press('Control+z');
    await waitForDecisionCount(page, 4);
    assert.deepEqual(
      Object.values(await decisionsOnHost(page)).map((x) => x.action),
      ['keep', 'keep', 'keep', 'keep'],
    );

    // A card's own button acts on that card only, and the remove button dims it.
    const e = flagged[5];
    await card(page, e.path).locator('[data-action="remove"]').click();
    await page.waitForFunction((path) => window.__host.decisions()[path]?.action === 'remove', e.path);
    assert.equal(Object.keys(await decisionsOnHost(page)).length, 5);
    assert.equal(await card(page, e.path).evaluate((el) => el.classList.contains('decided-remove')), true);
    await assertCleanPage(page);
    await page.close();
  });

  test('filters by given class, suggested class, score range and decision state', async () => {
    const [a, b] = flagged;
    const page = await openReview({ decisions: { [a.path]: { action: 'keep' }, [b.path]: { action: 'remove' } } });
    await page.waitForSelector('.card');
    assert.equal(await counter(page), `2 reviewed of ${flagged.length}`);

    const given = a.givenLabel;
    await chooseOption(page, 'Given label', given);
    const expectedGiven = flagged.filter((s) => s.givenLabel === given).map((s) => s.path);
    assert.deepEqual(await cardPaths(page), expectedGiven);
    await chooseOption(page, 'Given label', 'Any');

    const suggested = b.suggestedLabel;
    await chooseOption(page, 'Suggested label', suggested);
    assert.deepEqual(
      await cardPaths(page),
      flagged.filter((s) => s.suggestedLabel === suggested).map((s) => s.path),
    );
    await chooseOption(page, 'Suggested label', 'Any');

    await chooseOption(page, 'Decision', 'Pending');
    const pending = await cardPaths(page);
    assert.equal(pending.length, flagged.length - 2);
    assert.ok(!pending.includes(a.path) && !pending.includes(b.path));
    await chooseOption(page, 'Decision', 'Removed');
    assert.deepEqual(await cardPaths(page), [b.path]);
    // A filter that replaced every card shown selects the first card it shows, preview and keys with it.
    assert.equal(await focusedPath(page), b.path);
    assert.equal(await page.textContent('.preview-path'), b.path);
    await chooseOption(page, 'Decision', 'Any');

    const min = flagged[Math.floor(flagged.length / 2)].score;
    await page.locator('vscode-textfield[aria-label="Minimum score"] input').fill(String(min));
    await page.locator('vscode-textfield[aria-label="Minimum score"] input').press('Enter');
    await settle(page);
    assert.deepEqual(
      await cardPaths(page),
      flagged.filter((s) => s.score >= min).map((s) => s.path),
    );

    // Nothing matches: say so, and offer to clear the filters.
    await page.locator('vscode-textfield[aria-label="Minimum score"] input').fill('1');
    await page.locator('vscode-textfield[aria-label="Minimum score"] input').press('Enter');
    await page.waitForSelector('.state-message:not([hidden]) >> text=No suspects match the filters');
    await page.locator('.state-message vscode-button', { hasText: 'Clear filters' }).click();
    await settle(page);
    assert.equal((await cardPaths(page)).length, flagged.length);
    assert.equal(await focusedPath(page), a.path, 'after an empty list, the first card is selected again');

    // Include unflagged: everything audited, flagged first.
    await page.locator('vscode-checkbox').click();
    await settle(page);
    assert.equal(await counter(page), `2 reviewed of ${content.suspects.length}`);
    assert.equal(await page.textContent('vscode-badge'), `${content.suspects.length} shown`);
    await assertCleanPage(page);
    await page.close();
  });

  test('restores filters, selection, scroll and undo from the saved state after a reload', async () => {
    const page = await openReview({ height: 600 });
    await page.waitForSelector('.card');
    await page.locator('vscode-checkbox').click();
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('k');
    const focus = await focusedPath(page);
    await waitForDecisionCount(page, 1);
    await settle(page);
    const state = await page.evaluate(() => window.__host.state());
    const decisions = await decisionsOnHost(page);
    const scrollTop = await page.$eval('.grid', (g) => g.scrollTop);
    assert.ok(scrollTop > 1000, `the grid scrolled (${scrollTop}px)`);
    await page.close();

    const restored = await openReview({ height: 600, state, decisions, reopen: page });
    await restored.waitForSelector('.card.focused');
    assert.equal(await focusedPath(restored), focus);
    assert.equal(await restored.$eval('.grid', (g) => g.scrollTop), scrollTop);
    assert.equal(
      await restored.$eval('vscode-checkbox', (c) => (c as HTMLElement & { checked: boolean }).checked),
      true,
    );
    assert.equal(await counter(restored), `1 reviewed of ${content.suspects.length}`);
    // The undo stack came back too: Ctrl+Z takes back the decision made before the reload.
    await restored.keyboard.press('Control+z');
    await waitForDecisionCount(restored, 0);
    await assertCleanPage(restored);
    await restored.close();
  });

  test('empty states: no suspects, and no report yet', async () => {
    const clean: ReviewContent = { ...content, suspects: content.suspects.filter((s) => !s.flagged), flaggedTotal: 0 };
    const page = await openReview({ content: clean });
    await page.waitForSelector('.state-message:not([hidden])');
    assert.equal(await page.textContent('.state-message h2'), 'No suspects: the audit found no likely label errors');
    assert.equal(await page.isVisible('.toolbar'), false);
    await page.screenshot({ path: join(OUTPUT, 'review-empty.png') });
    await page.locator('.state-message vscode-button', { hasText: 'Browse all audited images' }).click();
    await page.waitForSelector('.card');
    assert.equal(
      await page.textContent('vscode-badge'),
      `${clean.status === 'ready' ? clean.suspects.length : 0} shown`,
    );
    await page.evaluate(
      ([root]) =>
        window.__host.send({
          type: 'suspects/didChange',
          datasetRoot: root,
          datasetName: 'digits',
          content: { status: 'noReport', message: 'There is no audit report for this dataset yet.' },
          decisions: {},
        }),
      [pages.hostOf(page).datasetRoot] as const,
    );
    await page.waitForSelector('.state-message h2 >> text=No report yet');
    assert.equal(await page.isVisible('.toolbar'), false);
    await page.screenshot({ path: join(OUTPUT, 'review-no-report.png') });
    await assertCleanPage(page);
    await page.close();
  });

  test('ignores and logs a malformed host message', async () => {
    const page = await openReview();
    await page.waitForSelector('.card');
    await page.evaluate(() =>
      window.__host.send({
        type: 'suspects/didChange',
        datasetRoot: '/x',
        datasetName: 'x',
        content: { status: 'ready' },
        decisions: {},
      }),
    );
    await page.waitForFunction(() => window.__host.consoleErrors.length === 1);
    const [error] = await page.evaluate(() => window.__host.consoleErrors);
    assert.match(error, /malformed message from the host: suspects\/didChange: "content.classes"/);
    assert.equal((await page.locator('.card').count()) > 0, true, 'the grid is untouched');
    await page.close();
  });

  test('the help overlay lists the keys and closes with Escape', async () => {
    const page = await openReview();
    await page.waitForSelector('.card');
    await page.keyboard.press('?');
    await page.waitForSelector('.help-overlay:not([hidden])');
    const help = (await page.textContent('.help-dialog')) ?? '';
    for (const key of ['Enter', 'Accept the suggested label', 'Keep the given label', 'Ctrl/Cmd+Z', 'Relabel to “3”'])
      assert.ok(help.includes(key), key);
    await page.screenshot({ path: join(OUTPUT, 'review-help-dark.png') });
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('.help-overlay'), false);
    await page.close();
  });

  test('screenshots of the grid in dark, light and high-contrast themes', async () => {
    for (const theme of ['dark', 'light', 'highContrast'] as const) {
      const [a, b, c] = flagged;
      const page = await openReview({
        theme,
        decisions: {
          [a.path]: { action: 'relabel', label: a.suggestedLabel },
          [b.path]: { action: 'keep' },
          [c.path]: { action: 'remove' },
        },
      });
      await page.waitForSelector('.card');
      // The first card is selected on open: two moves to the third (removed) card, then a range to the fourth.
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete));
      await page.screenshot({ path: join(OUTPUT, `review-grid-${theme}.png`) });
      await assertCleanPage(page);
      await page.close();
    }
  });

  test('1 000 suspects render fast and only the visible cards exist', async () => {
    const answers = sampleAnswerKey();
    assert.ok(answers.size > 0);
    // 1 000 cards from the 400 sample images, each with its own path.
    const suspects = Array.from({ length: 1000 }, (_, i) => {
      const s = content.suspects[i % content.suspects.length];
      return {
        ...s,
        path: `copy${Math.floor(i / content.suspects.length)}/${s.path}`,
        flagged: true,
        score: 1 - i / 1000,
      };
    });
    const big: ReviewContent = { ...content, suspects, flaggedTotal: 1000, auditedTotal: 1000 };
    const page = await pages.open({ content: big, deferLoad: true });
    const ms = await msUntilShown(page, pages, '.card');
    console.log(`# time to first render, 1 000 suspects: ${ms.toFixed(0)} ms`);
    // A sanity bound only: the machine may be busy, and the figure itself belongs to `npm run bench:panel`.
    assert.ok(ms < 10_000, `first render took ${ms.toFixed(0)} ms`);
    assert.equal(await counter(page), '0 reviewed of 1000');
    const rendered = await page.locator('.card').count();
    assert.ok(rendered < 120, `only the visible rows are in the DOM (${rendered} cards)`);
    await page.keyboard.press('End');
    await settle(page);
    assert.equal(await focusedPath(page), suspects[999].path, 'End reaches the last card and scrolls to it');
    assert.ok(await card(page, suspects[999].path).isVisible());
    await page.close();
  });
});
