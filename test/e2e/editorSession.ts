/**
 * One end-to-end suite's editor: a fresh code-server with the current VSIX installed, Chromium, and
 * the workbench loaded in it. Every suite starts and stops its editor the same way, through here.
 */
import type { Browser } from 'playwright-core';
import { startCodeServer, type CodeServer, type StartOptions } from './codeServer';
import { ensureFreshVsix } from './environment';
import { launchBrowser, Workbench } from './workbench';

export interface EditorSession {
  readonly server: CodeServer;
  readonly workbench: Workbench;
  /** Closes the browser and stops the server (which removes its folders). */
  close(): Promise<void>;
}

/** Packages the VSIX if stale, starts code-server with `options` and opens its workbench; `options.name` prefixes screenshots. */
export async function openEditor(options: StartOptions): Promise<EditorSession> {
  ensureFreshVsix();
  const server = await startCodeServer(options);
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server.stop();
  };
  try {
    browser = await launchBrowser();
    const workbench = await Workbench.open(browser, server.url, options.name);
    return { server, workbench, close };
  } catch (error) {
    await close();
    throw error;
  }
}
