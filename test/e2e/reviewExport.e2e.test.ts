/**
 * Reviewing and exporting in a real VS Code (code-server + Chromium): the suspects grid with real
 * thumbnails, keyboard decisions mirrored in decisions.json, a window reload that restores the
 * panel and every decision, then "Export Cleaned Labels" through its quick pick and modal dialog.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import type { Decisions } from '../../src/core/shared/types';
import type { CodeServer } from './codeServer';
import { openEditor, type EditorSession } from './editorSession';
import { e2eSkipReason } from './environment';
import {
  cardPaths,
  cardStatus,
  COMMAND,
  counter,
  listFiles,
  loadedThumbnailWidths,
  readDecisionsFile,
  readReport,
  recordProgress,
  startAudit,
  type ReportSample,
} from './labelAudit';
import type { Workbench } from './workbench';

const skip = e2eSkipReason();

describe('Review and export in VS Code', { skip }, () => {
  let session: EditorSession;
  let server: CodeServer;
  let workbench: Workbench;
  let digits: string;
  let flagged: ReportSample[];
  /** Content hash of every dataset file before the review, to prove the export leaves them alone. */
  let originals: Map<string, string>;

  before(async () => {
    session = await openEditor({ name: 'review-export' });
    ({ server, workbench } = session);
    digits = join(server.workspace, 'digits');
    originals = await hashDataset(digits);
    await startAudit(workbench, 'digits');
    await recordProgress(workbench, 'digits');
    flagged = (await readReport(digits)).samples.filter((s) => s.flagged);
    assert.ok(flagged.length >= 5, `enough suspects to review (${flagged.length})`);
  });

  after(async () => {
    await session?.close();
  });

  /** Waits until decisions.json holds exactly `expected`. */
  async function decisionsOnDisk(expected: Decisions): Promise<void> {
    let last: Decisions = {};
    await workbench
      .until(
        'decisions.json to follow',
        async () => {
          last = await readDecisionsFile(digits);
          return JSON.stringify(sortKeys(last)) === JSON.stringify(sortKeys(expected)) ? true : undefined;
        },
        5_000,
      )
      .catch(() => assert.deepEqual(last, expected, 'decisions.json'));
  }

  async function waitForCounter(frame: Frame, text: string): Promise<void> {
    await frame
      .waitForFunction((t) => document.querySelector('.toolbar .counter')?.textContent === t, text, { timeout: 5_000 })
      .catch(async () => {
        assert.equal(await counter(frame), text);
      });
  }

  test('the grid shows the suspects best first with their images; keyboard decisions change cards, counter and decisions.json', async () => {
    const frame = await workbench.reviewFrame();
    await frame.waitForSelector('.card');
    const widths = await loadedThumbnailWidths(frame);
    assert.ok(
      widths.length > 0 && widths.every((w) => w === 28),
      `every thumbnail loaded through the webview (natural widths ${widths.join(',')})`,
    );
    const shown = await cardPaths(frame);
    assert.deepEqual(
      shown,
      flagged.map((s) => s.path).slice(0, shown.length),
      'cards in report order, most suspect first',
    );
    const scores = flagged.map((s) => s.score);
    assert.deepEqual(
      scores,
      [...scores].sort((x, y) => y - x),
      'the report ranks by descending score',
    );
    await waitForCounter(frame, `0 reviewed of ${flagged.length}`);
    await workbench.shot('grid');

    const [a, b, c, d] = flagged;
    // A digit key relabels to that class; pick one that is neither the given nor the suggested label.
    const digit = ['1', '4', '7', '9'].find((x) => x !== d.givenLabel && x !== d.suggestedLabel) ?? '8';
    await frame.locator(`.card[data-path="${a.path}"] .thumb`).click();
    const keys = workbench.page.keyboard;

    await keys.press('Enter'); // accept a's suggestion, move on to b
    await waitForCounter(frame, `1 reviewed of ${flagged.length}`);
    assert.match(await cardStatus(frame, a.path), new RegExp(`^Relabeled → ${a.suggestedLabel} · score`));
    const accepted: Decisions = { [a.path]: { action: 'relabel', label: a.suggestedLabel } };
    await decisionsOnDisk(accepted);

    await keys.press('k'); // keep b
    await waitForCounter(frame, `2 reviewed of ${flagged.length}`);
    assert.match(await cardStatus(frame, b.path), /^Kept · score/);
    const kept: Decisions = { ...accepted, [b.path]: { action: 'keep' } };
    await decisionsOnDisk(kept);

    await keys.press('Delete'); // remove c
    await waitForCounter(frame, `3 reviewed of ${flagged.length}`);
    assert.match(await cardStatus(frame, c.path), /^Removed · score/);
    assert.equal(
      await frame.locator(`.card[data-path="${c.path}"]`).evaluate((el) => el.classList.contains('decided-remove')),
      true,
    );
    const removed: Decisions = { ...kept, [c.path]: { action: 'remove' } };
    await decisionsOnDisk(removed);

    await keys.press(digit); // relabel d to `digit`
    await waitForCounter(frame, `4 reviewed of ${flagged.length}`);
    assert.match(await cardStatus(frame, d.path), new RegExp(`^Relabeled → ${digit} · score`));
    await decisionsOnDisk({ ...removed, [d.path]: { action: 'relabel', label: digit } });
    await workbench.shot('four-decisions');

    await keys.press('Control+z'); // undo d's relabel
    await waitForCounter(frame, `3 reviewed of ${flagged.length}`);
    assert.match(await cardStatus(frame, d.path), /^Pending · score/);
    await decisionsOnDisk(removed);
    await workbench.shot('after-undo');
  });

  test('reloading the window restores the panel and every decision', async () => {
    const [a, b, c, d] = flagged;
    await workbench.reloadWindow();
    const frame = await workbench.reviewFrame(60_000);
    await frame.waitForSelector('.card img');
    await waitForCounter(frame, `3 reviewed of ${flagged.length}`);
    assert.match(await cardStatus(frame, a.path), new RegExp(`^Relabeled → ${a.suggestedLabel}`));
    assert.match(await cardStatus(frame, b.path), /^Kept/);
    assert.match(await cardStatus(frame, c.path), /^Removed/);
    assert.match(await cardStatus(frame, d.path), /^Pending/);
    assert.ok(
      (await loadedThumbnailWidths(frame)).every((w) => w === 28),
      'thumbnails load again after the reload',
    );
    await workbench.shot('after-reload');
  });

  test('export writes labels.cleaned.csv next to the dataset with the decisions applied, originals untouched', async () => {
    const [a, b, c, d] = flagged;
    await workbench.runCommand(COMMAND.export);
    // A folder-per-class dataset has no label file of its own: the export asks for the format.
    const formats = await workbench.quickItems(COMMAND.export);
    assert.ok(
      formats.some((f) => f.startsWith('CSV')) && formats.some((f) => f.startsWith('JSON')),
      formats.join(' | '),
    );
    await workbench.shot('export-format');
    await workbench.pickQuickItem('CSV');
    const done = await workbench.waitForToast(/^Label Audit: wrote labels\.cleaned\.csv/);
    assert.match(done.message, /1 relabeled, 1 removed/);
    assert.deepEqual(done.buttons, ['Open']);
    await workbench.page.waitForTimeout(500); // the toast slides in
    await workbench.shot('export-done');

    const csvPath = join(digits, 'labels.cleaned.csv');
    const rows = parseCsv(await readFile(csvPath, 'utf8'));
    assert.deepEqual(rows[0], ['path', 'label']);
    const labels = new Map(rows.slice(1).map(([path, label]) => [path, label]));
    assert.equal(labels.size, 399, 'every sample but the removed one');
    assert.equal(labels.has(c.path), false, 'the removed sample is gone');
    assert.equal(labels.get(a.path), a.suggestedLabel, 'the accepted suggestion');
    assert.equal(labels.get(b.path), b.givenLabel, 'the kept label');
    for (const [path, label] of labels) {
      if (path !== a.path) assert.equal(label, path.split('/')[0], `${path} keeps its folder's label`);
    }
    assert.ok(
      (await listFiles(digits)).includes('labels.cleaned.decisions.csv'),
      'the decision log is written next to it',
    );
    // The review log: who changed what and when, in order, the undo included.
    const log = parseCsv(await readFile(join(digits, 'labels.cleaned.review-log.csv'), 'utf8'));
    assert.deepEqual(log[0], [
      'timestamp',
      'user',
      'sample',
      'given_label',
      'action',
      'from',
      'from_label',
      'to',
      'to_label',
    ]);
    assert.deepEqual(
      log.slice(1).map((row) => [row[2], row[4], row[5], row[7]]),
      [
        [a.path, 'relabel', 'pending', 'relabel'],
        [b.path, 'keep', 'pending', 'keep'],
        [c.path, 'remove', 'pending', 'remove'],
        [d.path, 'relabel', 'pending', 'relabel'],
        [d.path, 'undo', 'relabel', 'pending'],
      ],
    );
    assert.ok(
      log.slice(1).every((row) => row[1] === userInfo().username && !Number.isNaN(Date.parse(row[0]))),
      'each row names the OS user and the time',
    );
    assert.deepEqual(await hashDataset(digits), originals, 'every original file byte-for-byte unchanged');

    // A second export asks before replacing the first one.
    const firstWrite = (await stat(csvPath)).mtimeMs;
    // Once in CI (1 run of 3 here) the format pick closed before it was seen, as a quick pick does
    // when the focus moves: ask again then. A command that never shows it still fails here.
    await workbench.until(
      'the export format pick',
      async () => {
        await workbench.runCommand(COMMAND.export);
        return workbench.quickItems(COMMAND.export).then(
          () => true,
          () => undefined,
        );
      },
      60_000,
    );
    await workbench.pickQuickItem('CSV');
    assert.match(
      await workbench.dialogText(),
      /labels\.cleaned\.csv already exists from a previous export\. Overwrite it\?/,
    );
    await workbench.shot('export-overwrite-question');
    await workbench.clickDialogButton('Overwrite');
    await workbench.until(
      'the second export',
      async () => ((await stat(csvPath)).mtimeMs > firstWrite ? true : undefined),
      10_000,
    );
    assert.deepEqual(await hashDataset(digits), originals, 'still unchanged after the second export');
  });
});

/** sha256 of every file of the dataset, except what label-audit writes (.label-audit/, *.cleaned.*). */
async function hashDataset(root: string): Promise<Map<string, string>> {
  const files = (await listFiles(root)).filter((f) => !f.startsWith('.label-audit/') && !f.includes('.cleaned.'));
  const hashes = await Promise.all(
    files.map(
      async (f) =>
        [
          f,
          createHash('sha256')
            .update(await readFile(join(root, f)))
            .digest('hex'),
        ] as const,
    ),
  );
  return new Map(hashes);
}

/** The export writes plain `path,label` rows (no quoting needed for these paths). */
function parseCsv(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => line.split(','));
}

function sortKeys(decisions: Decisions): [string, unknown][] {
  return Object.entries(decisions).sort(([x], [y]) => x.localeCompare(y));
}
