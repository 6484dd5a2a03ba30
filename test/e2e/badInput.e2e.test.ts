/**
 * Bad input in a real VS Code (code-server + Chromium): a CSV manifest with a truncated PNG, a
 * missing file and a row without a label is audited with a clear warning and every skipped file in
 * the log; a malformed manifest stops with an error naming it; the editor stays responsive.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SAMPLE_DIGITS, type CodeServer } from './codeServer';
import { openEditor, type EditorSession } from './editorSession';
import { e2eSkipReason } from './environment';
import { readReport, recordProgress, startAudit } from './labelAudit';
import type { Workbench } from './workbench';

const skip = e2eSkipReason();

/** `bad/`: labels.csv over real images plus a truncated PNG, a missing file and a row with no label. */
async function writeBadDataset(workspace: string): Promise<void> {
  // Eight real digits of each of two classes, from the sample dataset.
  const GOOD = (
    await Promise.all(
      ['3', '5'].map(async (label) =>
        (await readdir(join(SAMPLE_DIGITS, label)))
          .sort()
          .slice(0, 8)
          .map((name) => ({ label, file: `${label}/${name}` })),
      ),
    )
  ).flat();
  const root = join(workspace, 'bad');
  await mkdir(join(root, 'images'), { recursive: true });
  const rows = ['path,label'];
  for (const { label, file } of GOOD) {
    const name = file.replace('/', '-');
    await writeFile(join(root, 'images', name), await readFile(join(SAMPLE_DIGITS, file)));
    rows.push(`images/${name},${label}`);
  }
  const png = await readFile(join(SAMPLE_DIGITS, GOOD[0].file));
  await writeFile(join(root, 'images', 'truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
  await writeFile(join(root, 'images', 'unlabeled.png'), png);
  rows.push('images/truncated.png,3', 'images/missing.png,5', 'images/unlabeled.png,');
  await writeFile(join(root, 'labels.csv'), rows.join('\n') + '\n');
  // A manifest that cannot be read at all: an unterminated quote.
  await mkdir(join(workspace, 'broken'), { recursive: true });
  await writeFile(join(workspace, 'broken', 'labels.csv'), 'path,label\n"images/a.png,3\n');
}

describe('Bad input in VS Code', { skip }, () => {
  let session: EditorSession;
  let server: CodeServer;
  let workbench: Workbench;

  before(async () => {
    session = await openEditor({ name: 'bad-input', prepareWorkspace: writeBadDataset });
    ({ server, workbench } = session);
  });

  after(async () => {
    await session?.close();
  });

  test('unreadable, missing and unlabeled entries are skipped with a warning, listed in the log, and the editor stays responsive', async () => {
    await startAudit(workbench, 'bad/labels.csv', async (items) => {
      assert.ok(
        items.some((i) => i.startsWith('bad/labels.csv') && i.includes('CSV label file')),
        items.join(' | '),
      );
      await workbench.shot('dataset-pick');
    });
    await recordProgress(workbench, 'labels.csv');
    const warning = await workbench.waitForToast(/^Label Audit: skipped \d+ entries/);
    assert.match(
      warning.message,
      /^Label Audit: skipped 3 entries \(unreadable images, unknown labels, missing files\.\.\.\)\. The log lists each one and why\.$/,
    );
    assert.deepEqual(warning.buttons, ['Show Log']);
    await workbench.page.waitForTimeout(500);
    await workbench.shot('skipped-warning');
    // The review panel opened on the 16 audited images.
    const frame = await workbench.reviewFrame();
    const flagged = (await readReport(join(server.workspace, 'bad'))).samples.filter((s) => s.flagged).length;
    await frame.waitForFunction(
      (t) => document.querySelector('.toolbar .counter')?.textContent === t,
      `0 reviewed of ${flagged}`,
    );

    const report = await readReport(join(server.workspace, 'bad'));
    assert.deepEqual(report.skipped.map((s) => s.file).sort(), [
      'images/missing.png',
      'images/truncated.png',
      'images/unlabeled.png',
    ]);
    const log = await server.outputChannelLog();
    for (const skipped of report.skipped) {
      assert.ok(
        log.includes(skipped.file) && log.includes(skipped.problem),
        `the log names ${skipped.file}: ${skipped.problem}`,
      );
    }

    await workbench.clickToastButton(/skipped 3 entries/, 'Show Log');
    await workbench.filterOutput('skipped');
    await workbench.until(
      'the skipped files in the Output view',
      async () => ((await workbench.outputText()).includes('truncated.png') ? true : undefined),
      10_000,
    );
    await workbench.shot('skipped-in-log');

    // Responsive: the palette opens at once and the Explorer expands a folder.
    const started = Date.now();
    await workbench.runCommand('View: Toggle Panel Visibility');
    await workbench.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'bad' }).first().click();
    await workbench.page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'labels.csv' })
      .first()
      .waitFor({ state: 'visible' });
    assert.ok(Date.now() - started < 5_000, `the editor reacted within ${Date.now() - started} ms`);
    await workbench.shot('responsive');
  });

  test('a malformed manifest stops the audit with an error naming the file, before any training', async () => {
    await startAudit(workbench, 'broken/labels.csv');
    const error = await workbench.waitForToast(
      /^Label Audit: .*labels\.csv is not valid CSV: a quote opened on line 2 is never closed/,
      30_000,
    );
    assert.deepEqual(error.buttons, ['Show Log']);
    await workbench.until(
      'the progress notification to go',
      async () => ((await workbench.toasts()).some((t) => t.busy) ? undefined : true),
      5_000,
    );
    await workbench.page.waitForTimeout(500);
    await workbench.shot('malformed-manifest');
    const log = await server.outputChannelLog();
    const lastAudit = log.slice(log.lastIndexOf('audit of '));
    assert.match(lastAudit, /broken\/labels\.csv/);
    assert.doesNotMatch(lastAudit, /training: ERM epoch/, 'no training after a fatal input error');
  });
});
