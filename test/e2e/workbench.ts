/**
 * Driving the VS Code workbench in Chromium: the command palette, quick picks, notifications, modal
 * dialogs, the Output view and the frame of our review webview. Selectors are VS Code's own class
 * names (stable for years, but not an API: this file is the one place that knows them).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { CHROMIUM, OUTPUT_DIR } from './environment';

/** Starts headless Chromium the way the browser tests do. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--headless=new',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A notification toast as the user sees it. */
export interface Toast {
  readonly message: string;
  readonly buttons: string[];
  /** The toast shows a running progress bar. */
  readonly busy: boolean;
}

const TOAST = '.notifications-toasts .notification-toast';
const QUICK_INPUT = '.quick-input-widget';
const DIALOG = '.monaco-dialog-box';

/** One browser tab on a code-server workbench. */
export class Workbench {
  private shots = 0;

  private constructor(
    readonly page: Page,
    /** Prefix of this tab's screenshots in test-output/e2e/. */
    private readonly prefix: string,
  ) {}

  /** Opens `url` in a new tab and waits until the workbench and its Explorer are up. */
  static async open(browser: Browser, url: string, prefix: string): Promise<Workbench> {
    // Clipboard access: editUserSettings pastes the settings (typing JSON gets brackets auto-closed).
    const page = await browser.newPage({
      viewport: { width: 1400, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const workbench = new Workbench(page, prefix);
    await page.goto(url);
    await workbench.waitUntilReady();
    return workbench;
  }

  /** Saves a screenshot as test-output/e2e/<prefix>-<nn>-<name>.png and returns its path. */
  async shot(name: string): Promise<string> {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const file = join(OUTPUT_DIR, `${this.prefix}-${String(++this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Reloads the window (Developer: Reload Window) and waits for the workbench again. */
  async reloadWindow(): Promise<void> {
    await this.runCommand('Developer: Reload Window');
    await this.page.waitForLoadState('load');
    await this.waitUntilReady();
  }

  /** Runs a command from the palette (F1), by its full title. */
  async runCommand(title: string): Promise<void> {
    // Right after the window opens, extensions' commands appear only once the extension host has
    // read their manifests: retry until the command is listed.
    // The palette also closes when something takes the focus (a webview or the Output view
    // settling): then it is opened again.
    const deadline = Date.now() + 60_000;
    for (;;) {
      await this.closeQuickInput();
      await this.openPalette();
      await this.page.keyboard.type(title);
      const row = this.page
        .locator(`${QUICK_INPUT}:not(.quick-input-widget-closing) .monaco-list-row`, { hasText: title })
        .first();
      const listed = await row.waitFor({ state: 'visible', timeout: 3_000 }).then(
        () => true,
        () => false,
      );
      if (
        listed &&
        (await row.click({ timeout: 3_000 }).then(
          () => true,
          () => false,
        ))
      )
        break;
      if (Date.now() > deadline) {
        await this.shot('command-not-run');
        throw new Error(`could not run "${title}" from the palette`);
      }
    }
    await this.waitForRowGone(title);
  }

  /**
   * Opens a workspace file by name through Quick Open: the palette with its '>' replaced by the name.
   * Not Ctrl+P: while a webview has the focus, the keypress goes to its frame and nothing opens.
   */
  async openFile(name: string): Promise<void> {
    await this.closeQuickInput();
    await this.openPalette();
    try {
      return await this.pickQuickItemOnce(name, {});
    } catch {
      // A webview that takes the focus as it opens closes Quick Open under the typing: once more.
      await this.closeQuickInput();
      await this.openPalette();
      await this.pickQuickItem(name);
    }
  }

  /**
   * Chooses the quick-pick row whose label contains `label` (typing it to filter first unless it
   * already was), and waits for that row to go away.
   */
  async pickQuickItem(label: string, options: { typed?: boolean } = {}): Promise<void> {
    await this.pickQuickItemOnce(label, options).catch(async (error: unknown) => {
      await this.shot('quick-pick-failed');
      throw error;
    });
  }

  private async pickQuickItemOnce(label: string, options: { typed?: boolean }): Promise<void> {
    const input = this.page.locator(`${QUICK_INPUT} input`);
    await input.waitFor({ state: 'visible' });
    if (!options.typed) await input.fill(label);
    const row = this.page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: label }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    await this.waitForRowGone(label);
  }

  /** The command may open the next quick pick at once, so wait for the row to go, not the widget. */
  private async waitForRowGone(label: string): Promise<void> {
    await this.page.waitForFunction(
      ([selector, text]) =>
        ![...document.querySelectorAll(`${selector}:not(.quick-input-widget-closing) .monaco-list-row`)].some(
          (r) => r.checkVisibility() && (r.textContent ?? '').includes(text),
        ),
      [QUICK_INPUT, label] as const,
    );
  }

  /** The rows of the open quick pick titled `title` (label and description). */
  async quickItems(title: string): Promise<string[]> {
    await this.page
      .locator(`${QUICK_INPUT}:not(.quick-input-widget-closing) .quick-input-title`, { hasText: title })
      .waitFor({ state: 'visible' });
    await this.page.locator(`${QUICK_INPUT} .monaco-list-row`).first().waitFor({ state: 'visible' });
    return this.page
      .locator(`${QUICK_INPUT} .monaco-list-row`)
      .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').trim()));
  }

  /** The notification toasts on screen now, oldest first. */
  toasts(): Promise<Toast[]> {
    return this.page.$$eval(TOAST, (toasts) =>
      toasts.map((toast) => ({
        message: (toast.querySelector('.notification-list-item-message')?.textContent ?? '').trim(),
        buttons: [...toast.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) =>
          (b.textContent ?? '').trim(),
        ),
        busy: toast.querySelector('.monaco-progress-container.active') !== null,
      })),
    );
  }

  /** Waits for a toast whose message matches `pattern` and returns it. */
  async waitForToast(pattern: RegExp, timeoutMs = 30_000): Promise<Toast> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const toast = (await this.toasts()).find((t) => pattern.test(t.message));
      if (toast) return toast;
      if (Date.now() > deadline)
        throw new Error(
          `no notification matching ${pattern} within ${timeoutMs} ms; on screen: ${JSON.stringify(await this.toasts())}`,
        );
      await this.page.waitForTimeout(100);
    }
  }

  /** Clicks a button of the toast whose message matches `pattern`. */
  async clickToastButton(pattern: RegExp, button: string): Promise<void> {
    const toast = this.page
      .locator(TOAST)
      .filter({ has: this.page.locator('.notification-list-item-message', { hasText: pattern }) });
    await toast
      .locator('.notification-list-item-buttons-container .monaco-button', { hasText: button })
      .first()
      .click();
  }

  /** The text of the modal dialog on screen (message and detail). */
  async dialogText(): Promise<string> {
    const dialog = this.page.locator(DIALOG);
    await dialog.waitFor({ state: 'visible' });
    return ((await dialog.locator('.dialog-message-row').textContent()) ?? '').trim();
  }

  /** Clicks a button of the modal dialog and waits for it to close. */
  async clickDialogButton(label: string): Promise<void> {
    await this.page.locator(`${DIALOG} .dialog-buttons .monaco-button`, { hasText: label }).first().click();
    await this.page.locator(DIALOG).waitFor({ state: 'hidden' });
  }

  /**
   * Replaces the user settings through the settings editor, as a user would. (Writing settings.json
   * from outside is not reliably noticed by code-server: the change showed up late or never.)
   */
  async editUserSettings(settings: Record<string, unknown>): Promise<void> {
    await this.runCommand('Preferences: Open User Settings (JSON)');
    const editor = this.page.locator('.editor-instance .monaco-editor', { hasText: '{' }).first();
    await editor.waitFor({ state: 'visible' });
    await editor.locator('.view-lines').click();
    await this.page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify(settings, null, 2));
    await this.page.keyboard.press('Control+a');
    await this.page.keyboard.press('Control+v');
    await this.page.keyboard.press('Control+s');
    await this.page.waitForTimeout(300);
    // Since VS Code 1.10x the settings file opens in a modal editor, which Escape closes.
    await this.page.keyboard.press('Escape');
    await this.page
      .locator('.editor-instance .monaco-editor', { hasText: '{' })
      .first()
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => undefined);
  }

  /** Shows an output channel in the Output view, its lines narrowed to those containing `filter`. */
  async showOutput(channel: string, filter?: string): Promise<void> {
    await this.runCommand('Output: Show Output Channels');
    await this.pickQuickItem(channel);
    const view = this.page.locator('.part.panel');
    await view.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
    if (filter !== undefined) await this.filterOutput(filter);
  }

  /** Narrows the Output view on screen to the lines containing `text`. */
  async filterOutput(text: string): Promise<void> {
    const view = this.page.locator('.part.panel');
    await view.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
    await view.locator('.viewpane-filter input').first().fill(text);
  }

  /** The visible lines of the Output view (the editor only renders what is on screen). */
  async outputText(): Promise<string> {
    return ((await this.page.locator('.part.panel .monaco-editor .view-lines').first().innerText()) ?? '').replace(
      /\u00a0/g,
      ' ',
    );
  }

  /**
   * The frame of the review webview: webviews are nested iframes, so this searches every frame for
   * the review's counter.
   */
  async reviewFrame(timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const frame of this.page.frames()) {
        const found = await frame.$('.toolbar .counter').then(
          (el) => el !== null,
          () => false,
        );
        if (found) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no review webview within ${timeoutMs} ms`);
      await this.page.waitForTimeout(200);
    }
  }

  /** Polls `probe` until it returns a value other than undefined. */
  async until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await this.page.waitForTimeout(100);
    }
  }

  private async waitUntilReady(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await this.page
      .locator('.explorer-folders-view .monaco-list-row')
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
  }

  /**
   * F1, or Ctrl+Shift+P when F1 did not get through (some focused widgets, like the Output view's
   * filter box, keep it), and as a last resort after moving the focus to the editor area.
   */
  private async openPalette(): Promise<void> {
    const input = this.page.locator(`${QUICK_INPUT} input`);
    const attempts: (() => Promise<void>)[] = [
      () => this.page.keyboard.press('F1'),
      () => this.page.keyboard.press('Control+Shift+P'),
      async () => {
        await this.page.keyboard.press('Escape');
        await this.page.locator('.part.editor').click({ position: { x: 5, y: 5 } });
        await this.page.keyboard.press('F1');
      },
    ];
    for (const attempt of attempts) {
      await attempt();
      if (
        await input.waitFor({ state: 'visible', timeout: 3_000 }).then(
          () => true,
          () => false,
        )
      )
        return;
    }
    await this.shot('palette-did-not-open');
    throw new Error('the command palette did not open (F1, Ctrl+Shift+P)');
  }

  private async closeQuickInput(): Promise<void> {
    if (await this.page.locator(QUICK_INPUT).isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
    }
  }
}
