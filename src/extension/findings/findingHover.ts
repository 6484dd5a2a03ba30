import * as vscode from 'vscode';
import type { ReportSample } from '../../core/report';
import { ThumbnailCache } from '../review/thumbnailCache';
import type { FindingsService } from './findingsService';
import type { ManifestDiagnostics } from './manifestDiagnostics';

/** Label files the editor features apply to, whatever language mode the user has for them. */
export const MANIFEST_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.csv' },
  { scheme: 'file', pattern: '**/*.json' },
];

/**
 * Hovering a row's path or label in an audited label file shows the image (a thumbnail from the review
 * panel's cache), the given and suggested labels, both models' confidences and the reasons.
 */
export class FindingHover implements vscode.HoverProvider {
  private readonly thumbnails = new Map<string, ThumbnailCache>();

  constructor(
    private readonly findings: FindingsService,
    private readonly diagnostics: ManifestDiagnostics,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const dataset = this.findings.byManifest(document.uri.fsPath);
    if (!dataset) return undefined;
    const offset = document.offsetAt(position);
    const { rows, paths } = this.diagnostics.rowsOf(document, dataset);
    const index = rows.findIndex(
      (row) =>
        (offset >= row.path.start && offset <= row.path.end) || (offset >= row.label.start && offset <= row.label.end),
    );
    const path = index < 0 ? undefined : paths[index];
    const sample = path === undefined ? undefined : dataset.samples.get(path);
    if (!sample || path === undefined) return undefined;
    let cache = this.thumbnails.get(dataset.root);
    if (!cache) {
      cache = new ThumbnailCache(dataset.root);
      this.thumbnails.set(dataset.root, cache);
    }
    const thumbnail = await cache.file(path).catch(() => undefined);
    const row = rows[index];
    const range = new vscode.Range(document.positionAt(row.path.start), document.positionAt(row.label.end));
    const finding = dataset.byPath.get(path);
    return new vscode.Hover(sampleMarkdown(sample, thumbnail, finding?.message), range);
  }
}

/** The hover's text: image, labels, confidences, reasons. */
export function sampleMarkdown(
  sample: ReportSample,
  thumbnail: string | undefined,
  finding?: string,
): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  if (thumbnail) md.appendMarkdown(`![${escape(sample.path)}](${vscode.Uri.file(thumbnail).toString()}|width=128)\n\n`);
  md.appendMarkdown(`**${escape(sample.path)}**\n\n`);
  if (finding) md.appendMarkdown(`$(warning) ${escape(finding.replace(/^Label Audit: /, ''))}\n\n`);
  md.appendMarkdown(
    `| | given '${escape(sample.givenLabel)}' | suggested '${escape(sample.suggestedLabel)}' |\n|---|---|---|\n`,
  );
  md.appendMarkdown(`| mixup | ${sample.mixupGiven.toFixed(2)} | ${sample.mixupSuggested.toFixed(2)} |\n`);
  md.appendMarkdown(`| ERM | ${sample.ermGiven.toFixed(2)} | |\n\n`);
  md.appendMarkdown(
    `Suspicion ${sample.score.toFixed(2)}${sample.flagged ? ', flagged' : sample.heldBack ? ', held back by the flag cap' : ''}.`,
  );
  const reasons = sample.reasons;
  if (reasons) md.appendMarkdown(`\n\nReasons: ${escape(reasonsText(reasons))}`);
  return md;
}

/** The signals that fired and what each suggests, in words (generic over the report's signal names). */
function reasonsText(reasons: NonNullable<ReportSample['reasons']>): string {
  const words = (name: string) => name.replace(/([A-Z])/g, ' $1').toLowerCase();
  const fired = Object.entries(reasons.signals)
    .filter(([, on]) => on)
    .map(([name]) => words(name));
  const suggestions = Object.entries(reasons.suggestions).map(([signal, label]) => `${words(signal)} → '${label}'`);
  return `${fired.length > 0 ? fired.join(', ') : 'no signal fired'}; suggestions: ${suggestions.join(', ')}`;
}

/** Markdown-escapes text that comes from the dataset (a file or class name may hold `*`, `[`, `|`…). */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, (c) => `\\${c}`);
}
