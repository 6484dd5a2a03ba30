/**
 * What every browser test of the review webview needs: Chromium, the harness server, the sample
 * report's content, and a page opened the way VS Code opens the webview (state, theme, handshake),
 * talking to the real host side: a ReviewSession (src/extension/review/reviewSession.ts) in this
 * process, with a real DecisionStore writing into the page's own copy of the dataset.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AuditReport } from '../../src/core/report';
import { defaultDecisionsPath, readDecisionsDocument, writeDecisions } from '../../src/core/review/decisions';
import { buildReviewContent } from '../../src/extension/review/reviewContent';
import { ReviewSession } from '../../src/extension/review/reviewSession';
import { ThumbnailCache } from '../../src/extension/review/thumbnailCache';
import type { ClassAction, Decisions, ReviewContent } from '../../src/protocol/webview';
import { copySampleDigits } from '../helpers/repo';
import { SAMPLE_DIGITS, sampleDigitsReport } from '../helpers/sampleReport';
import { startHarness, type Harness } from './harness';
import { THEMES, type ThemeName } from './themes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots go here (ignored by git). */
export const OUTPUT = resolve(__dirname, '..', '..', 'test-output');

/** How to open the page. */
export interface OpenOptions {
  /** What the session shows (default: the report's content); changes are checked against the report's samples and these classes. */
  content?: ReviewContent;
  /** Decisions already on disk when the page opens. */
  decisions?: Decisions;
  /** Class merges and renames already on disk. */
  classActions?: readonly ClassAction[];
  /** The webview state VS Code would hand back after a reload. */
  state?: unknown;
  theme?: ThemeName;
  width?: number;
  height?: number;
  /**
   * The page this one reloads (VS Code restoring a panel): the same dataset root, so the saved view
   * state applies, and its decisions file as it was left unless `decisions` is given.
   */
  reopen?: Page;
  /** Leave the content unsent after the handshake (the caller sends it with `load`, e.g. to time it). */
  deferLoad?: boolean;
}

/** The host side of one open page. */
export interface PageHost {
  readonly session: ReviewSession;
  /** The page's dataset root (a copy of the dataset, or the dataset itself for a generated one). */
  readonly datasetRoot: string;
  /** What the session logged (the "Label Audit" output channel). */
  readonly log: string[];
  /** The image files the session opened (`vscode.open` in the editor). */
  readonly opened: string[];
}

/** A running browser and harness, with the sample report's content. */
export interface ReviewPages {
  readonly harness: Harness;
  readonly browser: Browser;
  readonly content: Extract<ReviewContent, { status: 'ready' }>;
  /** Opens the review page, plays `webview/ready` → `suspects/didChange`. */
  open(options?: OpenOptions): Promise<Page>;
  /** The host side of a page `open` returned. */
  hostOf(page: Page): PageHost;
  /** Has the page's session send its content (after `open({ deferLoad: true })`). */
  load(page: Page): Promise<void>;
  close(): Promise<void>;
}

/** Which dataset the pages review; default: the sample digits, at most 1 000 suspects shown. */
export interface ReviewSource {
  /**
   * A generated dataset the pages review in place (they then share its decisions file, so open one
   * at a time); default: each page gets its own copy of the sample digits.
   */
  readonly dataRoot?: string;
  /** Its report (default: the sample digits' perfect audit). */
  readonly report?: AuditReport;
  /** `labelAudit.maxSuspectsShown`. */
  readonly maxShown?: number;
}

/** Starts the harness and Chromium and builds the content of a report (the sample digits' by default). */
export async function launchReviewPages(source: ReviewSource = {}): Promise<ReviewPages> {
  const dataRoot = source.dataRoot ?? SAMPLE_DIGITS;
  const copies = await mkdtemp(join(tmpdir(), 'label-audit-review-'));
  const harness = await startHarness(dataRoot, [copies]);
  // One cache for all pages, as panels of one dataset share its folder; warm across runs.
  const thumbnailCache = new ThumbnailCache(dataRoot);
  const browser = await launchChromium();
  const report = source.report ?? (await sampleDigitsReport());
  const built = buildReviewContent(report, source.maxShown ?? 1000, (path) => harness.imageUrl(path));
  assert.equal(built.status, 'ready');
  const content = built as ReviewPages['content'];
  const samplePaths = new Set(report.samples.map((s) => s.path));
  mkdirSync(OUTPUT, { recursive: true });
  const hosts = new WeakMap<Page, PageHost>();
  let pageCount = 0;

  /** A fresh dataset root with the given decisions on disk. */
  async function datasetFor(options: OpenOptions): Promise<string> {
    if (options.reopen) {
      const root = pages.hostOf(options.reopen).datasetRoot;
      if (options.decisions || options.classActions) await write(root, options);
      return root;
    }
    let root = dataRoot;
    if (!source.dataRoot) {
      root = join(copies, `page${++pageCount}`, basename(SAMPLE_DIGITS));
      await mkdir(root, { recursive: true });
      // The images only: no thumbnails or decisions of earlier runs.
      await copySampleDigits(root);
    }
    await write(root, options);
    return root;
  }
  function write(root: string, options: OpenOptions): Promise<void> {
    return writeDecisions(defaultDecisionsPath(root), options.decisions ?? {}, new Date(), options.classActions ?? []);
  }

  const pages: ReviewPages = {
    harness,
    browser,
    content,
    async open(options = {}) {
      const datasetRoot = await datasetFor(options);
      const page = await browser.newPage({ viewport: { width: options.width ?? 1200, height: options.height ?? 800 } });
      page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
      const log: string[] = [];
      const opened: string[] = [];
      // The session's posts reach the page in order, each as one JSON string (as VS Code serialises them).
      let delivery = Promise.resolve();
      const session = new ReviewSession({
        datasetRoot,
        post: (message) => {
          const json = JSON.stringify(message);
          delivery = delivery.then(() => page.evaluate((m) => window.__fromHost(m), json)).catch(() => undefined);
        },
        openImage: (file) => void opened.push(file),
        log: (line) => void log.push(line),
        uriOf: (file) => harness.fileUrl(file),
        thumbnails: thumbnailCache,
        // The content's classes are its report's (buildReviewContent copies them), so a test's own content checks against its own classes.
        loadReport: async () => {
          const shown = options.content ?? content;
          if (shown.status !== 'ready') return { content: shown, samplePaths, classes: [] };
          // A test's own duplicate groups stand for its report's: their members are samples too.
          const members = (shown.conflicts ?? []).flatMap((group) => group.members.map((m) => m.path));
          return { content: shown, samplePaths: new Set([...samplePaths, ...members]), classes: shown.classes };
        },
      });
      hosts.set(page, { session, datasetRoot, log, opened });
      page.once('close', () => session.dispose());
      await page.exposeBinding('__toHost', (_source, message: unknown) => session.handle(message));
      await page.addInitScript({
        content: `window.__initialState = ${JSON.stringify(options.state ?? null) ?? 'undefined'} ?? undefined;`,
      });
      await page.addInitScript({ path: join(__dirname, 'webviewApi.js') });
      await page.goto(harness.pageUrl);
      await applyTheme(page, options.theme ?? 'dark');
      await page.waitForFunction(() => window.__host.ofType('webview/ready').length === 1);
      if (!options.deferLoad) await session.reload();
      return page;
    },
    hostOf(page) {
      const host = hosts.get(page);
      assert.ok(host, 'a page opened by these ReviewPages');
      return host;
    },
    async load(page) {
      await pages.hostOf(page).session.reload();
    },
    async close() {
      await browser.close();
      await harness.close();
      await rm(copies, { recursive: true, force: true });
    },
  };
  return pages;
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

/** The decisions as the host last reported them to the page (written to disk by then). */
export function decisionsOnHost(page: Page): Promise<Decisions> {
  return page.evaluate(() => window.__host.decisions());
}

/** The decisions in the page's decisions file, once the session's writes are done. */
export async function decisionsOnDisk(pages: ReviewPages, page: Page): Promise<ReviewDecisionsOnDisk> {
  const host = pages.hostOf(page);
  await host.session.flush();
  return readDecisionsDocument(defaultDecisionsPath(host.datasetRoot));
}
type ReviewDecisionsOnDisk = Awaited<ReturnType<typeof readDecisionsDocument>>;

/** Waits until the host holds `count` decisions. */
export async function waitForDecisionCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => Object.keys(window.__host.decisions()).length === n, count);
}

declare global {
  interface Window {
    __big: unknown;
    __fromHost(json: string): void;
    __toHost(message: unknown): Promise<void>;
    __host: {
      posted: import('../../src/protocol/webview').WebviewToHost[];
      received: string[];
      deliveredAt: Record<string, number>;
      cspViolations: string[];
      consoleErrors: string[];
      decisions(): Decisions;
      classActions(): ClassAction[];
      state(): unknown;
      send(message: unknown): void;
      ofType(type: string): unknown[];
    };
  }
}
