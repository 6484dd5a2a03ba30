/**
 * "Label Audit: Run Audit" in a real VS Code (code-server + Chromium): the palette, the progress
 * notification, the review panel opening by itself, the log naming the backend, and Cancel.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BASE_SETTINGS, type CodeServer } from './codeServer';
import { openEditor, type EditorSession } from './editorSession';
import { e2eSkipReason } from './environment';
import { auditDir, counter, listFiles, percentages, readReport, recordProgress, startAudit } from './labelAudit';
import type { Workbench } from './workbench';

const skip = e2eSkipReason();

describe('Run Audit in VS Code', { skip }, () => {
  let session: EditorSession;
  let server: CodeServer;
  let workbench: Workbench;
  let digits: string;

  before(async () => {
    session = await openEditor({ name: 'run-audit' });
    ({ server, workbench } = session);
    digits = join(server.workspace, 'digits');
  });

  after(async () => {
    await session?.close();
  });

  /** BASE_SETTINGS plus `extra`, through the settings editor; checks the file the editor saved. */
  async function setUserSettings(extra: Record<string, unknown>): Promise<void> {
    const wanted = { ...BASE_SETTINGS, ...extra };
    await workbench.editUserSettings(wanted);
    const saved = await workbench.until(
      'settings.json to be saved',
      async () => {
        // The editor truncates and then writes the file, so a read can land on an empty or half file.
        const text = await readFile(server.settingsFile, 'utf8');
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          return undefined;
        }
        return json['labelAudit.epochs'] === wanted['labelAudit.epochs'] ? json : undefined;
      },
      5_000,
    );
    assert.deepEqual(saved, wanted, 'settings.json saved as typed');
  }

  test('runs from the palette under a progress notification, opens the review panel and logs the backend', async () => {
    let pickItems: string[] = [];
    await startAudit(workbench, 'digits', async (items) => {
      pickItems = items;
      await workbench.shot('dataset-pick');
    });
    assert.ok(
      pickItems.some((item) => item.startsWith('digits') && item.includes('folder per class, 10 classes')),
      `the sample is offered: ${pickItems.join(' | ')}`,
    );

    let shotTraining = false;
    const steps = await recordProgress(workbench, 'digits', {
      onStep: async (step) => {
        if (!shotTraining && step.message.startsWith('Training')) {
          shotTraining = true;
          await workbench.shot('progress-training');
        }
      },
    });
    const messages = steps.map((s) => s.message);
    assert.ok(
      messages.some((m) => /^Decoding images \d+\/400 · \d+%/.test(m)),
      `a decoding phase with counts: ${messages.join(' | ')}`,
    );
    assert.ok(
      messages.some((m) => /^Training — ERM epoch \d\/3, mixup epoch \d\/3 · \d+% · about \d+ s left$/.test(m)),
      `a training phase with epochs, percentage and time left: ${messages.join(' | ')}`,
    );
    const percents = percentages(steps);
    assert.ok(percents.length >= 5, `several percentages shown: ${percents.join(', ')}`);
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      'the percentage never goes backwards',
    );
    assert.ok(
      percents.some((p) => p > 0 && p < 100) && percents.at(-1)! >= 80,
      `the percentage climbs towards 100: ${percents.join(', ')}`,
    );

    // The review panel opens by itself on the new report.
    const report = await readReport(digits);
    const flagged = report.samples.filter((s) => s.flagged).length;
    const frame = await workbench.reviewFrame();
    await frame.waitForSelector('.card img');
    assert.equal(await counter(frame), `0 reviewed of ${flagged}`);
    assert.ok(flagged > 0, 'the audit flags some of the 24 broken labels even with 3 epochs');
    await workbench.shot('review-opened');

    // The first suspect's preview shows its neighbours from the report, loaded through the webview's resource URIs.
    const first = report.samples.find((s) => s.flagged)!;
    assert.ok(first.neighbours, 'a flagged sample has neighbours');
    await frame.locator(`.card[data-path="${first.path}"] .thumb`).click();
    const suggested = first.neighbours.suggested.samples.map((at) => report.samples[at].path);
    await frame.waitForFunction((n) => {
      const images = [
        ...document.querySelectorAll('.neighbours-strip[data-side="suggested"] img'),
      ] as HTMLImageElement[];
      return images.length === n && images.every((img) => img.complete && img.naturalWidth > 0);
    }, suggested.length);
    assert.deepEqual(
      await frame.$$eval('.neighbours-strip[data-side="suggested"] button.neighbour', (bs) =>
        bs.map((b) => (b as HTMLElement).dataset.path),
      ),
      suggested,
    );
    assert.ok(
      suggested.every((path) => path.startsWith(`${first.suggestedLabel}/`)),
      "the suggested-label neighbours sit in that label's folder",
    );
    await workbench.shot('review-neighbours');

    // The log names the backend and why (auto → wasm here: the native packages are not installed).
    const log = await server.outputChannelLog();
    assert.match(log, /\[info\] backend: wasm \(SIMD/);
    assert.match(log, /backend tensorflow unavailable: @tensorflow\/tfjs-node is not installed/);
    assert.match(log, /done in [\d.]+ s on wasm: \d+ of 400 images flagged/);
    await workbench.showOutput('Label Audit', 'backend');
    await workbench.until(
      'the backend line in the Output view',
      async () => ((await workbench.outputText()).includes('backend: wasm') ? true : undefined),
      10_000,
    );
    await workbench.shot('output-backend');
  });

  test('Cancel during training removes the notification within seconds, leaves no report, and a new run works', async () => {
    await rm(auditDir(digits), { recursive: true, force: true });
    // A long audit, so there is time to cancel during training (the tests' default is 3 epochs).
    await setUserSettings({ 'labelAudit.epochs': 60 });
    await startAudit(workbench, 'digits');
    const training = await workbench.waitForToast(/^Label Audit: digits: Training — ERM epoch [1-9]\d*\/\d+/, 60_000);
    assert.match(training.message, /epoch \d+\/60/, 'the new epochs setting is in force (settings.json was picked up)');
    assert.deepEqual(training.buttons, ['Cancel']);
    await workbench.shot('before-cancel');

    await workbench.clickToastButton(/^Label Audit: digits:/, 'Cancel');
    const clicked = Date.now();
    await workbench.until(
      'the progress notification to go',
      async () =>
        (await workbench.toasts()).some((t) => t.message.startsWith('Label Audit: digits:')) ? undefined : true,
      10_000,
    );
    const goneMs = Date.now() - clicked;
    assert.ok(goneMs < 3_000, `the notification went ${goneMs} ms after Cancel`);
    await workbench.shot('after-cancel');

    // The engine stops within a batch and writes nothing; give a straggler the time to show up.
    await workbench.until(
      'the cancellation in the log',
      async () =>
        (await server.outputChannelLog()).includes('audit cancelled; no report was written') ? true : undefined,
      10_000,
    );
    await workbench.page.waitForTimeout(1_000);
    const left = await listFiles(auditDir(digits));
    assert.deepEqual(
      left.filter((file) => !file.startsWith('cache/')),
      [],
      'no report, decisions or partial file after Cancel',
    );
    assert.deepEqual(
      left.filter((file) => file.endsWith('.tmp')),
      [],
      'no temp file in the cache either',
    );

    // A new run still works.
    await setUserSettings({});
    await startAudit(workbench, 'digits');
    const steps = await recordProgress(workbench, 'digits');
    assert.ok(
      steps.some((s) => /epoch \d\/3/.test(s.message)),
      'the new run uses the restored 3 epochs',
    );
    assert.ok(existsSync(join(auditDir(digits), 'report.json')), 'the new run wrote its report');
    const frame = await workbench.reviewFrame();
    await frame.waitForSelector('.card');
    await workbench.shot('rerun-done');
  });
});
