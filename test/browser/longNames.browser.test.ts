/**
 * Long class names on a narrow panel: the cards' label line wraps to at most two lines with the full
 * names in the tooltip and the accessible name, and the four card buttons (icons with tooltips) fit
 * at 700 and 900 px (900 px: the panel beside the secondary side bar). Screenshots go to test-output/ (long-names-700-light.png, long-names-900-dark.png).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClassAction } from '../../src/protocol/webview';
import { OUTPUT, launchReviewPages, settle, type ReviewPages } from './reviewPage';
import type { ThemeName } from './themes';

const LONG_NAMES = [
  'Smileys & Emotion',
  'People & Body',
  'Animals & Nature',
  'Food & Drink',
  'Travel & Places',
  'Activities',
  'Objects',
  'Symbols',
  'Flags',
  'Component',
];

let pages: ReviewPages;

before(async () => {
  pages = await launchReviewPages();
});

after(async () => {
  await pages?.close();
});

describe('long class names', () => {
  for (const [width, theme] of [
    [700, 'light'],
    [900, 'dark'],
  ] as [number, ThemeName][]) {
    test(`${width} px, ${theme}: labels wrap to two lines, full names in title and name, buttons fit`, async () => {
      const renames: ClassAction[] = pages.content.classes.map((from, i) => ({
        action: 'rename',
        from,
        to: LONG_NAMES[i % LONG_NAMES.length],
      }));
      const page = await pages.open({ width, height: 700, theme, classActions: renames });
      await page.waitForSelector('.card img');
      await page.waitForFunction(() =>
        [...document.querySelectorAll('.card img')].every((i) => (i as HTMLImageElement).complete),
      );
      // The first card is selected on open; the focus on the grid shows it in the active colours.
      await page.locator('.grid').focus();
      await settle(page);
      // The icons are drawn in the codicon font (served from dist/webview/ under the page's CSP), not as boxes.
      const iconFont = await page.evaluate(async () => {
        await document.fonts.ready;
        return [...document.fonts].find((f) => f.family.replace(/['"]/g, '') === 'codicon')?.status;
      });
      assert.equal(iconFont, 'loaded');
      const cards = await page.$$eval('.card', (all) =>
        all.map((card) => {
          const labels = card.querySelector('.card-labels') as HTMLElement;
          const lineHeight = parseFloat(getComputedStyle(labels).lineHeight);
          return {
            given: card.querySelector('.label-given')?.textContent ?? '',
            suggested: card.querySelector('.label-suggested')?.textContent ?? '',
            title: labels.title,
            lines: Math.round(labels.getBoundingClientRect().height / lineHeight),
            clipped: labels.scrollHeight > labels.clientHeight + 1,
            text: card.textContent ?? '',
            buttons: [...card.querySelectorAll<HTMLElement>('.card-button')].map((b) => ({
              icon: b.querySelector('.codicon')?.className ?? '',
              title: b.title,
              fits: b.scrollWidth <= b.clientWidth,
            })),
          };
        }),
      );
      await page.screenshot({ path: join(OUTPUT, `long-names-${width}-${theme}.png`) });
      assert.ok(cards.length > 0);
      for (const card of cards) {
        assert.ok(LONG_NAMES.includes(card.given) && LONG_NAMES.includes(card.suggested), `renamed: ${card.given}`);
        assert.equal(card.title, `Given label: ${card.given}\nSuggested label: ${card.suggested}`);
        assert.ok(card.lines <= 2, `${card.given} → ${card.suggested} takes ${card.lines} lines`);
        assert.equal(card.clipped, false, `${card.given} → ${card.suggested} is shown whole`);
        // Icons, as wide in every font (words were cut to "K…" in an editor with a wider font), with
        // tooltips that say what each does and its key.
        assert.deepEqual(
          card.buttons.map((b) => b.icon),
          ['codicon codicon-check', 'codicon codicon-lock', 'codicon codicon-tag', 'codicon codicon-trash'],
        );
        assert.deepEqual(
          card.buttons.map((b) => b.title.replace(/ .*\(/, ' … (')),
          ['Accept … (Enter)', 'Keep … (K)', 'Relabel … (R)', 'Remove … (Delete)'],
        );
        assert.ok(
          card.buttons.every((b) => b.fits),
          `every button fits: ${JSON.stringify(card.buttons)}`,
        );
      }
      // The card's accessible name (from its content) holds both full names.
      const snapshot = await page.locator('.card.focused').ariaSnapshot();
      const first = cards[0];
      assert.match(snapshot, new RegExp(`given ${first.given}.*suggested ${first.suggested}`.replace(/&/g, '&')));
      await page.close();
    });
  }
});
