/**
 * How ERM learned a label, in the preview (the report's `dynamics`, docs/learning-dynamics.md): the
 * margin sparkline with its zero line, a reading of its shape, and the figures — area under the
 * margin, the epoch it was learned from, forgetting events. The three shapes the paper describes
 * (learned early, learned late, never learned) each read as such; a report from before the
 * trajectory was recorded shows no section. Screenshot: test-output/trajectory-900-dark.png.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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

// Margins shaped like a real 8-epoch quick audit's (one-cycle schedule): what buildReviewContent
// passes on from the report (checked on a real audit in audit.unit.test.ts and reviewContent's test).
const REJECTED = {
  aum: -4.81,
  learnedEpoch: 0,
  epochs: 8,
  forgotten: 0,
  margins: [-1, -6.3, -4.7, -5.4, -5.2, -5.8, -5.4, -4.7],
};
const LATE = {
  aum: 0.4,
  learnedEpoch: 6,
  epochs: 8,
  forgotten: 1,
  margins: [-0.8, -1.9, 0.4, -0.6, -0.2, 1.1, 1.6, 2],
};
const EARLY = {
  aum: 3.19,
  learnedEpoch: 2,
  epochs: 8,
  forgotten: 0,
  margins: [-2.6, 2.2, 0.8, 4.1, 4.3, 4.7, 5.9, 6.2],
};

interface Shown {
  readonly visible: boolean;
  readonly label: string | null;
  readonly points: number;
  readonly endBelow: boolean;
  readonly reading: string;
  readonly figures: (readonly [string, string])[];
}

async function shownTrajectory(page: Page): Promise<Shown> {
  return page.$eval('.preview-training', (section) => ({
    visible: section.checkVisibility(),
    label: section.querySelector('svg[role="img"]')?.getAttribute('aria-label') ?? null,
    points: (section.querySelector('polyline')?.getAttribute('points') ?? '').split(' ').filter(Boolean).length,
    endBelow: section.querySelector('circle')?.classList.contains('below') ?? false,
    reading: section.querySelector('.preview-training-reading')?.textContent ?? '',
    figures: [...section.querySelectorAll('dt')].map(
      (dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''] as const,
    ),
  }));
}

test('the preview draws the margin over the epochs and reads its shape: never learned, learned late, learned early', async () => {
  const [a, b, c] = pages.content.suspects;
  const withDynamics = (s: SuspectView): SuspectView =>
    s.path === a.path
      ? { ...s, dynamics: REJECTED }
      : s.path === b.path
        ? { ...s, dynamics: LATE }
        : s.path === c.path
          ? { ...s, dynamics: EARLY }
          : s;
  const content: ReviewContent = { ...pages.content, suspects: pages.content.suspects.map(withDynamics) };
  const page = await pages.open({ content, width: 900, height: 800 });
  await page.waitForSelector('.card img');
  await settle(page);

  const rejected = await shownTrajectory(page);
  assert.equal(rejected.visible, true);
  assert.equal(rejected.points, 8, 'one point per epoch');
  assert.equal(rejected.endBelow, true, 'the end dot marks a last margin below zero');
  assert.match(rejected.reading, /^Never settled on the given label/);
  assert.deepEqual(rejected.figures, [
    ['Area under the margin', '−4.8'],
    ['Learned at epoch', 'never (of 8)'],
    ['Forgotten', 'never'],
  ]);
  assert.equal(
    rejected.label,
    "Margin of the given label over ERM's 8 epochs: from −1.0 to −4.7, lowest −6.3. " + rejected.reading,
  );
  assert.equal(await page.getByRole('region', { name: 'How ERM learned it' }).count(), 1, 'a named section');
  assert.equal(await page.getByRole('img', { name: /^Margin of the given label/ }).count(), 1);
  await page.screenshot({ path: join(OUTPUT, 'trajectory-900-dark.png') });

  await page.locator('.grid').focus();
  await page.keyboard.press('ArrowRight');
  await settle(page);
  const late = await shownTrajectory(page);
  assert.match(late.reading, /^Learned late or forgotten/);
  assert.equal(late.endBelow, false);
  assert.deepEqual(late.figures.slice(1), [
    ['Learned at epoch', '6 of 8'],
    ['Forgotten', 'once'],
  ]);

  await page.keyboard.press('ArrowRight');
  await settle(page);
  const early = await shownTrajectory(page);
  assert.match(early.reading, /^Learned early and kept/);
  assert.deepEqual(early.figures[0], ['Area under the margin', '+3.2']);

  await page.keyboard.press('ArrowRight');
  await settle(page);
  assert.equal((await shownTrajectory(page)).visible, false, 'no section for a sample without a trajectory');
  await assertCleanPage(page);
  await page.close();
});
