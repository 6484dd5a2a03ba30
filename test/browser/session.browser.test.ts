/**
 * The webview and the real host side together: the page talks to a ReviewSession over a copy of
 * the sample digits, so what the session refuses (`review/didFail`) reaches the reviewer, what it
 * saves is on disk, and a message of the wrong shape is caught on either side.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { defaultReviewLogPath } from '../../src/core/review/reviewLog';
import type { ReviewContent, SuspectView } from '../../src/protocol/webview';
import {
  assertCleanPage,
  decisionsOnDisk,
  decisionsOnHost,
  launchReviewPages,
  waitForDecisionCount,
  type ReviewPages,
} from './reviewPage';

let pages: ReviewPages;
let flagged: SuspectView[];

before(async () => {
  pages = await launchReviewPages();
  flagged = pages.content.suspects.filter((s) => s.flagged);
});

after(async () => {
  await pages?.close();
});

const focusedPath = (page: Page) => page.$eval('.card.focused', (c) => (c as HTMLElement).dataset.path ?? '');
const banner = (page: Page) => page.locator('.banner[role="alert"]');
/** Waits until the session has posted `count` messages of `type` to the page. */
const waitForReceived = (page: Page, type: string, count = 1) =>
  page.waitForFunction(([t, n]) => window.__host.received.filter((r) => r === t).length >= n, [type, count] as const);

describe('review webview with the real session', () => {
  test('a decision is saved to decisions.json and the review log, and acknowledged', async () => {
    const page = await pages.open();
    await page.waitForSelector('.card');
    const [a] = flagged;
    // The first card is selected on open: K acts on it at once.
    assert.equal(await focusedPath(page), a.path);
    await page.keyboard.press('k');
    await waitForDecisionCount(page, 1);
    const onDisk = await decisionsOnDisk(pages, page);
    assert.deepEqual(onDisk.decisions, { [a.path]: { action: 'keep' } });
    assert.deepEqual(await decisionsOnHost(page), onDisk.decisions, 'the page was told what is on disk');
    const log = (await readFile(defaultReviewLogPath(pages.hostOf(page).datasetRoot), 'utf8')).trim().split('\n');
    assert.equal(log.length, 1);
    assert.equal(JSON.parse(log[0]).path, a.path);
    assert.equal(await banner(page).isVisible(), false, 'no failure shown');
    await assertCleanPage(page);
    await page.close();
  });

  test('a decision for a path the report does not have is refused: review/didFail reaches the page and the card is pending again', async () => {
    // A card the report does not list (as from a stale or edited content), in the first card's place.
    const stranger: SuspectView = { ...flagged[0], path: 'elsewhere/not-in-report.png' };
    const content: ReviewContent = {
      ...pages.content,
      suspects: pages.content.suspects.map((s) => (s.path === flagged[0].path ? stranger : s)),
    };
    const page = await pages.open({ content });
    await page.waitForSelector('.card');
    assert.equal(await focusedPath(page), stranger.path, 'the first card is selected on open');
    await page.keyboard.press('Delete');
    await waitForReceived(page, 'review/didFail');
    await banner(page).waitFor({ state: 'visible' });
    assert.match(
      (await banner(page).textContent()) ?? '',
      /^Change not saved: "elsewhere\/not-in-report\.png" is not a sample of this report\./,
    );
    // The acknowledgement that follows drops the optimistic decision.
    await waitForReceived(page, 'decisions/didChange');
    await page.waitForFunction(() => document.querySelector('.counter')?.textContent?.startsWith('0 reviewed'));
    assert.deepEqual((await decisionsOnDisk(pages, page)).decisions, {}, 'nothing was written');
    assert.ok(pages.hostOf(page).log.some((line) => line.startsWith('Review change refused: "elsewhere/')));
    await page.close();
  });

  test('a stale class action is refused: undoing a rename that a relabel on disk still names', async () => {
    const [a] = flagged;
    const rename = { action: 'rename', from: '7', to: 'seven' } as const;
    const page = await pages.open({
      classActions: [rename],
      decisions: { [a.path]: { action: 'relabel', label: 'seven' } },
    });
    await page.waitForSelector('.card');
    // What a webview with a stale view of the decisions would send: the rename taken back.
    await page.evaluate(() => window.__toHost({ type: 'review/setClassActions', seq: 90, classActions: [] }));
    await waitForReceived(page, 'review/didFail');
    await banner(page).waitFor({ state: 'visible' });
    assert.match(
      (await banner(page).textContent()) ?? '',
      /Change not saved: relabels to "seven" would name no class any more; undo or change those relabels first\./,
    );
    const onDisk = await decisionsOnDisk(pages, page);
    assert.deepEqual(onDisk.classActions, [rename], 'the rename stays on disk');
    assert.deepEqual(await page.evaluate(() => window.__host.classActions()), [rename], 'and the page was told so');
    await page.close();
  });

  test('protocol drift is caught on both sides: the session ignores a malformed message, the page a malformed answer', async () => {
    const page = await pages.open();
    await page.waitForSelector('.card');
    const [a] = flagged;
    // An older bundle's shape: the decision as a bare string.
    await page.evaluate((path) => window.__toHost({ type: 'review/decide', seq: 7, path, decision: 'keep' }), a.path);
    const host = pages.hostOf(page);
    assert.ok(
      host.log.includes(
        'Review webview sent a malformed message, ignored: review/decide: "decision" must be an object or null',
      ),
      host.log.join('\n'),
    );
    await page.evaluate(() => window.__toHost({ type: 'review/renameAll', seq: 8 }));
    assert.ok(
      host.log.includes('Review webview sent a malformed message, ignored: unknown message type "review/renameAll"'),
    );
    assert.deepEqual((await decisionsOnDisk(pages, page)).decisions, {}, 'nothing was written');
    assert.equal(
      await page.evaluate(() => window.__host.received.includes('decisions/didChange')),
      false,
      'nor acknowledged',
    );

    // A newer host's answer the page does not understand is refused, not half applied.
    await page.evaluate(() =>
      window.__host.send({ type: 'decisions/didChange', decisions: { x: { action: 'keep' } }, ack: '3' }),
    );
    await page.waitForFunction(() => window.__host.consoleErrors.length === 1);
    const [error] = await page.evaluate(() => window.__host.consoleErrors);
    assert.match(error, /malformed message from the host: decisions\/didChange: "ack" must be a non-negative integer/);
    assert.equal((await page.textContent('.counter'))?.startsWith('0 reviewed'), true);
    await page.close();
  });
});
