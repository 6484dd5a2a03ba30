/**
 * The preview's nearest-neighbour strips in a real browser: the sample report's flagged digits with
 * their neighbours from the real search (over the images' pixels, see test/helpers/sampleReport.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { SuspectView } from '../../src/protocol/webview';
import { OUTPUT, assertCleanPage, launchReviewPages, settle, type ReviewPages } from './reviewPage';

let pages: ReviewPages;
let flagged: SuspectView[];

before(async () => {
  pages = await launchReviewPages();
  flagged = pages.content.suspects.filter((s) => s.flagged);
});

after(async () => {
  await pages?.close();
});

/** What one strip shows: its heading, and each thumbnail's path, hover text and decoded width. */
function strip(page: Page, side: 'given' | 'suggested') {
  return page.$eval(`.neighbours-strip[data-side="${side}"]`, (element) => ({
    heading: element.querySelector('.neighbours-heading')?.textContent ?? '',
    thumbs: [...element.querySelectorAll('button.neighbour')].map((b) => ({
      path: (b as HTMLElement).dataset.path ?? '',
      title: (b as HTMLElement).title,
      naturalWidth: (b.querySelector('img') as HTMLImageElement).naturalWidth,
    })),
  }));
}

describe('nearest neighbours in the preview', () => {
  test('selecting a suspect shows both strips, nearest first, with loaded images; a click opens the image', async () => {
    const page = await pages.open({ height: 900 });
    await page.waitForSelector('.card');
    // The first suspect is selected on open; clicking another card moves the strips to it.
    await page.waitForFunction(
      (path) => document.querySelector('.preview-path')?.textContent === path,
      flagged[0].path,
    );
    const suspect = flagged.find((s, i) => i > 0 && s.neighbours !== undefined) as SuspectView;
    await page.locator(`.card[data-path="${suspect.path}"] .thumb`).click();
    await page.waitForFunction((path) => document.querySelector('.preview-path')?.textContent === path, suspect.path);
    await page.waitForSelector('.neighbours-strip button.neighbour');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.neighbours img')].every((img) => (img as HTMLImageElement).complete),
    );

    for (const side of ['given', 'suggested'] as const) {
      const shown = await strip(page, side);
      const label = side === 'given' ? suspect.givenLabel : suspect.suggestedLabel;
      assert.equal(shown.heading, `Closest under ${side} label ‘${label}’`);
      const expected = suspect.neighbours![side];
      assert.deepEqual(
        shown.thumbs.map((t) => t.path),
        expected.map((n) => n.path),
        `${side}: the host's order, nearest first`,
      );
      assert.ok(
        expected.every((n, i) => i === 0 || expected[i - 1].distance <= n.distance),
        'the host sends them nearest first',
      );
      assert.ok(
        shown.thumbs.every((t) => t.naturalWidth === 28),
        `${side}: every thumbnail decoded (${shown.thumbs.map((t) => t.naturalWidth).join(',')})`,
      );
      shown.thumbs.forEach((t, i) =>
        assert.match(
          t.title,
          new RegExp(`^${t.path}\\ndistance ${expected[i].distance.toFixed(3)} \\(#${i + 1} nearest\\)`),
        ),
      );
      assert.ok(
        shown.thumbs.every((t) => t.path.startsWith(`${label}/`)),
        `${side}: the sample digits sit in their label's folder`,
      );
    }
    await page.screenshot({ path: join(OUTPUT, 'neighbours-dark.png') });

    const target = suspect.neighbours!.suggested[2];
    await page.locator(`.neighbours-strip[data-side="suggested"] button.neighbour[data-path="${target.path}"]`).click();
    await page.waitForFunction(() => window.__host.ofType('review/openImage').length === 1);
    assert.deepEqual(await page.evaluate(() => window.__host.ofType('review/openImage')), [
      { type: 'review/openImage', path: target.path },
    ]);
    // Opening a neighbour decides nothing, and the selection stays on the suspect.
    assert.deepEqual(await page.evaluate(() => window.__host.decisions()), {});
    assert.equal(await page.textContent('.preview-path'), suspect.path);
    await assertCleanPage(page);
    await page.close();
  });

  test('an unflagged sample, or a report without neighbours, shows no strips; a class with no candidate says so', async () => {
    const unflagged = pages.content.suspects.find((s) => !s.flagged)!;
    const [first, second] = flagged;
    const content = {
      ...pages.content,
      suspects: pages.content.suspects.map((s) =>
        s === first
          ? { ...s, neighbours: { ...s.neighbours!, given: [] } }
          : s === second
            ? { ...s, neighbours: undefined }
            : s,
      ),
    };
    const page = await pages.open({ content, theme: 'light', height: 900 });
    await page.waitForSelector('.card');
    await page.locator(`.card[data-path="${first.path}"] .thumb`).click();
    await page.waitForSelector('.neighbours-none');
    assert.equal(
      await page.textContent('.neighbours-strip[data-side="given"] .neighbours-none'),
      `No unflagged sample is labelled ‘${first.givenLabel}’.`,
    );
    assert.equal(await page.locator('.neighbours-strip[data-side="suggested"] button.neighbour').count(), 6);
    await settle(page);
    await page.screenshot({ path: join(OUTPUT, 'neighbours-light-empty-given.png') });
    await page.locator(`.card[data-path="${second.path}"] .thumb`).click();
    await settle(page);
    assert.equal(await page.isVisible('.neighbours'), false, 'a report without neighbours shows no strips');
    // Unflagged samples are listed only when the filter shows them; none has neighbours.
    assert.equal(unflagged.neighbours, undefined);
    await assertCleanPage(page);
    await page.close();
  });
});
