/**
 * Class actions in a real VS Code (code-server + Chromium): in the review panel's Classes view,
 * merge "7" into "1" and rename "3" to "three/3" (a name no folder can have), see both in
 * decisions.json, take one back with Ctrl+Z and redo it, then export and check the cleaned labels.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import type { ClassAction } from '../../src/core/shared/types';
import type { CodeServer } from './codeServer';
import { openEditor, type EditorSession } from './editorSession';
import { e2eSkipReason } from './environment';
import { auditDir, COMMAND, recordProgress, startAudit } from './labelAudit';
import type { Workbench } from './workbench';

const skip = e2eSkipReason();

describe('Merge and rename classes in VS Code, then export', { skip }, () => {
  let session: EditorSession;
  let server: CodeServer;
  let workbench: Workbench;
  let digits: string;

  before(async () => {
    session = await openEditor({ name: 'class-actions' });
    ({ server, workbench } = session);
    digits = join(server.workspace, 'digits');
    await startAudit(workbench, 'digits');
    await recordProgress(workbench, 'digits');
  });

  after(async () => {
    await session?.close();
  });

  async function classActionsOnDisk(expected: ClassAction[]): Promise<void> {
    let last: unknown;
    await workbench
      .until(
        'decisions.json to hold the class actions',
        async () => {
          const text = await readFile(join(auditDir(digits), 'decisions.json'), 'utf8').catch(() => '{}');
          last = (JSON.parse(text) as { classActions?: unknown }).classActions ?? [];
          return JSON.stringify(last) === JSON.stringify(expected) ? true : undefined;
        },
        5_000,
      )
      .catch(() => assert.deepEqual(last, expected, 'classActions in decisions.json'));
  }

  async function setValue(frame: Frame, selector: string, value: string): Promise<void> {
    await frame.locator(selector).evaluate((element, v) => {
      (element as HTMLElement & { value: string }).value = v;
    }, value);
  }

  test('merge and rename in the Classes view are saved, undone with Ctrl+Z, and applied on export', async () => {
    const frame = await workbench.reviewFrame();
    await frame.waitForSelector('.card');
    await frame.getByRole('button', { name: 'Classes', exact: true }).click();
    await frame.waitForSelector('.class-panel:not([hidden]) .class-table');
    assert.equal(await frame.locator('.class-table tbody tr').count(), 10, 'one bar per class');

    await setValue(frame, 'vscode-single-select[aria-label="Class to merge"]', '7');
    await setValue(frame, 'vscode-single-select[aria-label="Class to merge into"]', '1');
    await frame.getByRole('button', { name: 'Merge', exact: true }).click();
    const merge: ClassAction = { action: 'merge', from: '7', into: '1' };
    await classActionsOnDisk([merge]);

    await setValue(frame, 'vscode-single-select[aria-label="Class to rename"]', '3');
    await setValue(frame, 'vscode-textfield[aria-label="New class name"]', 'three/3');
    await frame.getByRole('button', { name: 'Rename', exact: true }).click();
    const rename: ClassAction = { action: 'rename', from: '3', to: 'three/3' };
    await classActionsOnDisk([merge, rename]);
    assert.equal(await frame.locator('.class-table tbody tr').count(), 9, 'the merged class is gone from the chart');
    await workbench.shot('classes-after-actions');

    await workbench.page.keyboard.press('Control+z');
    await classActionsOnDisk([merge]);
    await setValue(frame, 'vscode-single-select[aria-label="Class to rename"]', '3');
    await setValue(frame, 'vscode-textfield[aria-label="New class name"]', 'three/3');
    await frame.getByRole('button', { name: 'Rename', exact: true }).click();
    await classActionsOnDisk([merge, rename]);

    await workbench.runCommand(COMMAND.export);
    await workbench.pickQuickItem('CSV');
    const done = await workbench.waitForToast(/^Label Audit: wrote labels\.cleaned\.csv/);
    assert.match(done.message, /0 relabeled, 0 removed/);
    const rows = (await readFile(join(digits, 'labels.cleaned.csv'), 'utf8'))
      .split(/\r?\n/)
      .filter((l) => l !== '')
      .map((l) => l.split(','));
    assert.deepEqual(rows[0], ['path', 'label']);
    const labels = rows.slice(1);
    assert.equal(labels.length, 400, 'every sample');
    for (const [path, label] of labels) {
      const folder = path.split('/')[0];
      assert.equal(label, folder === '7' ? '1' : folder === '3' ? 'three/3' : folder, path);
    }
    const log = await readFile(join(digits, 'labels.cleaned.decisions.csv'), 'utf8');
    assert.match(log, /^7\/[^,]+,7,merge,1,/m, 'the log names the merge');
    assert.match(log, /^3\/[^,]+,3,rename,three\/3,/m, 'and the rename');
  });
});
