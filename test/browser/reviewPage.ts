/**
 * What every browser test of the review webview needs: Chromium, the harness server, the sample
 * report's content, and a page opened the way VS Code opens the webview (state, theme, handshake).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AuditReport } from '../../src/core/report';
import { buildReviewContent } from '../../src/extension/review/reviewContent';
import { ThumbnailCache } from '../../src/extension/review/thumbnailCache';
import { ThumbnailRequests } from '../../src/extension/review/thumbnailRequests';
import type { ClassAction, Decisions, ReviewContent } from '../../src/protocol/webview';
import { SAMPLE_DIGITS, sampleDigitsReport } from '../helpers/sampleReport';
import { startHarness, type Harness } from './harness';
import { THEMES, type ThemeName } from './themes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots go here (ignored by git). */
export const OUTPUT = resolve(__dirname, '..', '..', 'test-output');
/** The dataset root the harness pretends to review. */
export const ROOT = '/workspace/digits';

/** How to open the page. */
export interface OpenOptions {
  content?: ReviewContent;
  decisions?: Decisions;
  /** Class merges and renames the host already holds. */
  classActions?: readonly ClassAction[];
  /** The webview state VS Code would hand back after a reload. */
  state?: unknown;
  theme?: ThemeName;
  width?: number;
  height?: number;
  /** Leave the content unsent after the handshake (the caller sends it, e.g. to time it). */
  deferLoad?: boolean;
}

/** A running browser and harness, with the sample report's content. */
export interface ReviewPages {
  readonly harness: Harness;
  readonly browser: Browser;
  readonly content: Extract<ReviewContent, { status: 'ready' }>;
  /** Opens the review page, plays `webview/ready` → `suspects/didChange`. */
  open(options?: OpenOptions): Promise<Page>;
  close(): Promise<void>;
}

/** Which dataset the pages review; default: the sample digits, at most 1 000 suspects shown. */
export interface ReviewSource {
  /** The dataset root the harness serves images from. */
  readonly dataRoot?: string;
  /** Its report (default: the sample digits' perfect audit). */
  readonly report?: AuditReport;
  /** `labelAudit.maxSuspectsShown`. */
  readonly maxShown?: number;
}

/** Starts the harness and Chromium and builds the content of a report (the sample digits' by default). */
export async function launchReviewPages(source: ReviewSource = {}): Promise<ReviewPages> {
  const dataRoot = source.dataRoot ?? SAMPLE_DIGITS;
  const harness = await startHarness(dataRoot);
  const thumbnailCache = new ThumbnailCache(dataRoot);
  const browser = await launchChromium();
  const built = buildReviewContent(source.report ?? (await sampleDigitsReport()), source.maxShown ?? 1000, (path) =>
    harness.imageUrl(path),
  );
  assert.equal(built.status, 'ready');
  const content = built as ReviewPages['content'];
  mkdirSync(OUTPUT, { recursive: true });
  return {
    harness,
    browser,
    content,
    async open(options = {}) {
      const page = await browser.newPage({ viewport: { width: options.width ?? 1200, height: options.height ?? 800 } });
      page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
      await page.addInitScript({
        content: `window.__initialState = ${JSON.stringify(options.state ?? null) ?? 'undefined'} ?? undefined;`,
      });
      await page.addInitScript({ path: join(__dirname, 'harnessHost.js') });
      await serveThumbnails(page, harness, thumbnailCache, dataRoot);
      await page.goto(harness.pageUrl);
      await applyTheme(page, options.theme ?? 'dark');
      await page.waitForFunction(() => window.__host.ofType('webview/ready').length === 1);
      if (options.deferLoad) return page;
      await page.evaluate(([root, c, d, a]) => window.__host.load(root, c, d, a), [
        ROOT,
        options.content ?? content,
        options.decisions ?? {},
        options.classActions ?? [],
      ] as const);
      return page;
    },
    async close() {
      await browser.close();
      await harness.close();
    },
  };
}

/**
 * Answers the page's `thumbnails/request` as the panel does, with the extension's own thumbnail code
 * running here in Node; the files are served by the harness from the dataset folder.
 */
async function serveThumbnails(page: Page, harness: Harness, cache: ThumbnailCache, dataRoot: string): Promise<void> {
  const requests = new ThumbnailRequests(
    cache,
    (file) => harness.imageUrl(relative(dataRoot, file).split(sep).join('/')),
    (path) => join(dataRoot, path),
    (thumbnails) =>
      void page
        .evaluate((m) => window.__host.send(m), { type: 'thumbnails/didCreate', thumbnails })
        .catch(() => undefined),
    (line) => console.log(`# ${line}`),
  );
  page.once('close', () => requests.dispose());
  await page.exposeFunction('__requestThumbnails', (paths: string[]) => requests.request(paths));
}

/** Headless Debian Chromium, as every browser test and the panel bench run it. */
export function launchChromium(): Promise<Browser> {
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

/** Sets a theme's colours through the CSSOM, as VS Code does, so the page's CSP (no inline styles) stays in force. */
export async function applyTheme(page: Page, name: ThemeName): Promise<void> {
  const theme = THEMES[name];
  await page.evaluate(
    ([vars, bodyClass]) => {
      for (const [key, value] of Object.entries(vars)) document.documentElement.style.setProperty(key, value);
      document.body.classList.remove('vscode-dark', 'vscode-light', 'vscode-high-contrast');
      document.body.classList.add(bodyClass);
    },
    [theme.vars, theme.bodyClass] as const,
  );
}

/** Two frames: the message handler has run and the page has painted. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
}

/** No CSP violation and no console error so far. */
export async function assertCleanPage(page: Page): Promise<void> {
  const { csp, errors } = await page.evaluate(() => ({
    csp: window.__host.cspViolations,
    errors: window.__host.consoleErrors,
  }));
  assert.deepEqual(csp, [], 'no Content-Security-Policy violations');
  assert.deepEqual(errors, [], 'no console errors');
}

/** Paths of the grid's cards in reading order. */
export function cardPaths(page: Page): Promise<string[]> {
  return page.$$eval('.card', (cards) =>
    cards
      .map((c) => ({
        path: (c as HTMLElement).dataset.path ?? '',
        y: c.getBoundingClientRect().top,
        x: c.getBoundingClientRect().left,
      }))
      .sort((a, b) => a.y - b.y || a.x - b.x)
      .map((c) => c.path),
  );
}

/** Picks an option of one of the toolbar's selects, the way a user does: open it, click the option. */
export async function chooseOption(page: Page, label: string, option: string): Promise<void> {
  const select = page.locator(`vscode-single-select[aria-label="${label}"]`);
  await select.click();
  await select.locator('li.option', { hasText: new RegExp(`^\\s*${option}\\s*$`) }).click();
  await settle(page);
}

/** The decisions as the (harness) host holds them: what would be on disk. */
export function decisionsOnHost(page: Page): Promise<Decisions> {
  return page.evaluate(() => window.__host.decisions());
}

/** Waits until the host holds `count` decisions. */
export async function waitForDecisionCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => Object.keys(window.__host.decisions()).length === n, count);
}

declare global {
  interface Window {
    __big: unknown;
    __requestThumbnails?: (paths: string[]) => Promise<void>;
    __host: {
      posted: import('../../src/protocol/webview').WebviewToHost[];
      cspViolations: string[];
      consoleErrors: string[];
      decisions(): Decisions;
      classActions(): ClassAction[];
      state(): unknown;
      send(message: unknown): void;
      load(root: string, content: unknown, decisions: Decisions, classActions?: readonly ClassAction[]): void;
      ofType(type: string): unknown[];
    };
  }
}
