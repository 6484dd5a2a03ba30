/**
 * The user's own model in the review panel (audits with --pred-probs / --embeddings): the preview lists
 * its probability of the given label and its suggestion, and the kNN agreement in its embedding space,
 * under our models' figures, each suggestion compared with ours; the card's figures tooltip repeats
 * them. An audit without the user's files shows none of it. Screenshot: test-output/user-model-900-dark.png.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ReviewContent, SuspectView } from '../../src/protocol/webview';
import { OUTPUT, assertCleanPage, launchReviewPages, settle, type ReviewPages } from './reviewPage';

let pages: ReviewPages;

before(async () => {
  pages = await launchReviewPages();
});

after(async () => {
  await pages?.close();
});

type Figures = (readonly [string, string])[];

/** Term → value of each row of a list. */
const rows = (page: Page, selector: string): Promise<Figures> =>
  page.$$eval(`${selector} dt`, (terms) =>
    terms.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''] as const),
  );

/** The preview's figures: ours, and the "Your model" section's (null when it is hidden). */
async function previewFigures(page: Page): Promise<{ ours: Figures; yours: Figures | null }> {
  const shown = await page.$eval('.preview-user-model', (section) => section.checkVisibility());
  return {
    ours: await rows(page, '.preview > .preview-details'),
    yours: shown ? await rows(page, '.preview-user-model') : null,
  };
}

describe("the user's model", () => {
  test('the preview shows its probability and suggestion beside ours; the card tooltip repeats them', async () => {
    const flagged = pages.content.suspects.filter((s) => s.flagged);
    const [a, b] = flagged;
    // What buildReviewContent makes of an audit's reasons (checked on a real audit in ownModelAudit.unit.test.ts).
    const other = pages.content.classes.find((c) => c !== a.givenLabel && c !== a.suggestedLabel)!;
    const withUserModel = (s: SuspectView): SuspectView =>
      s.path === a.path
        ? {
            ...s,
            userModel: {
              predProbs: { given: 0.03, suggestion: s.suggestedLabel },
              neighbours: { agreement: 0.2, suggestion: other },
            },
          }
        : s.path === b.path
          ? { ...s, userModel: { neighbours: { agreement: 0.9, suggestion: b.suggestedLabel } } }
          : s;
    const content: ReviewContent = { ...pages.content, suspects: pages.content.suspects.map(withUserModel) };
    const page = await pages.open({ content, width: 900, height: 700 });
    await page.waitForSelector('.card img');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.card img, .preview-image img')].every((i) => (i as HTMLImageElement).complete),
    );
    await settle(page);
    // The first card is selected on open: its preview lists the user's figures under ours.
    const first = await previewFigures(page);
    assert.deepEqual(first.ours.slice(0, 2), [
      ['Given label', a.givenLabel],
      ['Suggested label', a.suggestedLabel],
    ]);
    assert.equal(first.ours.at(-1)?.[0], 'Suspicion score');
    assert.deepEqual(first.yours, [
      ['Given label', '3%'],
      ['Suggests', `${a.suggestedLabel} (as ours)`],
      ['Neighbours agreeing', '20%'],
      ['Neighbours suggest', `${other} (ours: ${a.suggestedLabel})`],
    ]);
    assert.equal(await page.getByRole('region', { name: 'Your model' }).count(), 1, 'a named section');
    const tooltip = await page.$eval(`.card[data-path="${a.path}"] .card-figures`, (f) => (f as HTMLElement).title);
    assert.ok(
      tooltip.endsWith(
        `\nYour model, given label: 3%\nYour model, suggests: ${a.suggestedLabel} (as ours)` +
          `\nYour model, neighbours agreeing: 20%\nYour model, neighbours suggest: ${other} (ours: ${a.suggestedLabel})`,
      ),
      tooltip,
    );
    await page.screenshot({ path: join(OUTPUT, 'user-model-900-dark.png') });

    // The next card has only the kNN signal (no pred_probs row); a card without either shows ours alone.
    await page.locator('.grid').focus();
    await page.keyboard.press('ArrowRight');
    await settle(page);
    assert.deepEqual((await previewFigures(page)).yours, [
      ['Neighbours agreeing', '90%'],
      ['Neighbours suggest', `${b.suggestedLabel} (as ours)`],
    ]);
    await page.keyboard.press('ArrowRight');
    await settle(page);
    const plain = await previewFigures(page);
    assert.equal(plain.yours, null, 'no "Your model" section without its figures');
    assert.equal(plain.ours.at(-1)?.[0], 'Suspicion score');
    await assertCleanPage(page);
    await page.close();
  });
});
