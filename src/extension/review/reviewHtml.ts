import { randomBytes } from 'node:crypto';

/** What the review page needs from the host to be built. */
export interface ReviewHtmlOptions {
  /** `webview.cspSource`: the origin webview resources (bundle, styles, images) are served from. */
  readonly cspSource: string;
  /** A fresh {@link makeNonce} for this page. */
  readonly nonce: string;
  /** `asWebviewUri` of dist/webview.js and dist/webview.css. */
  readonly scriptUri: string;
  readonly styleUri: string;
  /** Document title (the dataset's name). */
  readonly title: string;
}

/**
 * The review webview's HTML. The Content-Security-Policy allows nothing by default; the one script
 * runs by nonce, styles come from the extension (the vscode-elements components use constructable
 * stylesheets, which the CSP does not govern, so no `'unsafe-inline'`), and images only from
 * `cspSource`, i.e. files under `localResourceRoots` (the extension's dist/media and the dataset).
 * Kept free of `vscode` so the browser tests load the very same page.
 */
export function reviewHtml(options: ReviewHtmlOptions): string {
  const { cspSource, nonce } = options;
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource}`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeHtml(options.styleUri)}" nonce="${nonce}">
  <title>${escapeHtml(options.title)}</title>
</head>
<body>
  <div id="app"></div>
  <script nonce="${nonce}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>`;
}

/** A random CSP nonce (base64 of 16 random bytes), new for every page. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
