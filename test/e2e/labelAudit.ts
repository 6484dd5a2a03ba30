/**
 * The label-audit steps the end-to-end tests share: run an audit from the palette while recording
 * its progress notification, read the files it leaves on disk, and look into the review webview.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Frame } from 'playwright-core';
import type { Decisions } from '../../src/core/shared/types';
import type { Workbench } from './workbench';
import { AUDIT_DIR, type AuditReport } from '../../src/core/report';
import { readReport as readAuditReport } from '../../src/core/reportFile';

/** The command titles as the palette shows them. */
export const COMMAND = {
  runAudit: 'Label Audit: Run Audit',
  review: 'Label Audit: Review Suspects',
  export: 'Label Audit: Export Cleaned Labels',
} as const;

/** One progress message as it was on screen, with when (ms after the audit was started). */
export interface ProgressStep {
  readonly atMs: number;
  readonly message: string;
}

/**
 * Starts "Label Audit: Run Audit" from the palette and picks `datasetLabel` in the dataset quick pick.
 * @param onPick - Called while the quick pick is open (e.g. to take a screenshot of it).
 */
export async function startAudit(
  workbench: Workbench,
  datasetLabel: string,
  onPick?: (items: string[]) => Promise<void>,
): Promise<void> {
  await workbench.runCommand(COMMAND.runAudit);
  const items = await workbench.quickItems(COMMAND.runAudit);
  await onPick?.(items);
  await workbench.pickQuickItem(datasetLabel);
}

/**
 * Records the audit's progress notification ("Label Audit: <name>: …") until it goes away.
 * @param onStep - Called for every new message (e.g. to screenshot the first training message).
 */
export async function recordProgress(
  workbench: Workbench,
  datasetName: string,
  options: { timeoutMs?: number; onStep?: (step: ProgressStep) => Promise<void> } = {},
): Promise<ProgressStep[]> {
  const prefix = `Label Audit: ${datasetName}: `;
  const started = Date.now();
  const steps: ProgressStep[] = [];
  await workbench.waitForToast(new RegExp(`^${escape(prefix)}`), 15_000);
  for (;;) {
    const toast = (await workbench.toasts()).find((t) => t.message.startsWith(prefix));
    if (!toast) return steps;
    const message = toast.message.slice(prefix.length);
    if (steps.at(-1)?.message !== message) {
      const step = { atMs: Date.now() - started, message };
      steps.push(step);
      await options.onStep?.(step);
    }
    if (Date.now() - started > (options.timeoutMs ?? 120_000))
      throw new Error(`the audit of ${datasetName} did not finish; last progress: ${message}`);
    await workbench.page.waitForTimeout(50);
  }
}

/** The percentages ("42%") of the recorded progress messages, in order. */
export function percentages(steps: readonly ProgressStep[]): number[] {
  return steps.flatMap((s) => {
    const match = / · (\d+)%/.exec(s.message);
    return match ? [Number(match[1])] : [];
  });
}

/** `<dataset>/.label-audit`. */
export const auditDir = (datasetRoot: string) => join(datasetRoot, AUDIT_DIR);

export type { ReportSample } from '../../src/core/report';

/** Reads `<dataset>/.label-audit/report.json` and its samples with the extension's own reader. */
export async function readReport(datasetRoot: string): Promise<AuditReport> {
  return readAuditReport(join(auditDir(datasetRoot), 'report.json'));
}

/** The decisions in `<dataset>/.label-audit/decisions.json` ({} when there is no file yet). */
export async function readDecisionsFile(datasetRoot: string): Promise<Decisions> {
  const text = await readFile(join(auditDir(datasetRoot), 'decisions.json'), 'utf8').catch(() => undefined);
  return text === undefined ? {} : (JSON.parse(text) as { decisions: Decisions }).decisions;
}

/** Every file below `dir`, relative to it, sorted ([] when `dir` does not exist). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** The review webview's counter text, e.g. "3 reviewed of 15". */
export async function counter(frame: Frame): Promise<string> {
  return ((await frame.textContent('.toolbar .counter')) ?? '').trim();
}

/** The sample paths of the cards in the grid, in reading order (row by row). */
export function cardPaths(frame: Frame): Promise<string[]> {
  return frame.$$eval('.card', (cards) =>
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

/** The status line of a card, e.g. "Relabeled → 3 · score 0.71". */
export async function cardStatus(frame: Frame, path: string): Promise<string> {
  return ((await frame.locator(`.card[data-path="${path}"] .card-status`).textContent()) ?? '').trim();
}

/** Waits until every thumbnail in the grid has loaded and returns their natural widths. */
export async function loadedThumbnailWidths(frame: Frame): Promise<number[]> {
  await frame.waitForFunction(() => {
    const images = [...document.querySelectorAll<HTMLImageElement>('.card img')];
    return images.length > 0 && images.every((img) => img.complete);
  });
  return frame.$$eval('.card img', (images) => images.map((img) => (img as HTMLImageElement).naturalWidth));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
