/**
 * The browser harness: a tiny HTTP server on 127.0.0.1 that serves the review page exactly as the
 * extension builds it (src/extension/review/reviewHtml.ts, same CSP, with this server's origin standing in
 * for `webview.cspSource`), the built bundle from dist/, the sample images under /data/, and any file
 * under the allowed folders by absolute path under /file/ (what `asWebviewUri` stands for: the review
 * session's thumbnails and the test's copies of the dataset).
 */
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, relative, sep } from 'node:path';
import { makeNonce, reviewHtml } from '../../src/extension/review/reviewHtml';
import { REPO, SAMPLE_DIGITS } from '../helpers/repo';

const DIST = join(REPO, 'dist');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.map': 'application/json',
  '.ttf': 'font/ttf',
};

/** A running harness. */
export interface Harness {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  /** The review page. */
  readonly pageUrl: string;
  /** URL of a sample image, by its dataset path. */
  imageUrl(path: string): string;
  /** URL of a file by its absolute path (inside the data root or a folder given to `startHarness`). */
  fileUrl(file: string): string;
  close(): Promise<void>;
}

/**
 * Starts the harness server; the webview must have been built (dist/webview.js).
 * @param dataRoot - The dataset whose files are served under /data/ (default: the sample digits).
 * @param fileRoots - Further folders whose files are served under /file/ (the data root always is).
 */
export async function startHarness(
  dataRoot: string = SAMPLE_DIGITS,
  fileRoots: readonly string[] = [],
): Promise<Harness> {
  const roots = [dataRoot, ...fileRoots];
  if (!existsSync(join(DIST, 'webview.js'))) throw new Error('dist/webview.js is missing: run `npm run build` first.');
  const server: Server = createServer((request, response) => {
    void serve(request.url ?? '/', origin, dataRoot, roots).then(
      (result) => {
        if (!result) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-type': result.type, 'cache-control': 'no-store' });
        if (typeof result.body === 'string') response.end(result.body);
        else createReadStream(result.body.file).pipe(response);
      },
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: `${origin}/review.html`,
    imageUrl: (path) => `${origin}/data/${path.split('/').map(encodeURIComponent).join('/')}`,
    fileUrl: (file) => `${origin}/file${file.split(sep).map(encodeURIComponent).join('/')}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

async function serve(
  url: string,
  origin: string,
  dataRoot: string,
  roots: readonly string[],
): Promise<{ type: string; body: string | { file: string } } | undefined> {
  const path = decodeURIComponent(new URL(url, origin).pathname);
  if (path === '/review.html') {
    const html = reviewHtml({
      cspSource: origin,
      nonce: makeNonce(),
      scriptUri: `${origin}/dist/webview.js`,
      styleUri: `${origin}/dist/webview.css`,
      title: 'Review: digits',
    });
    return { type: 'text/html; charset=utf-8', body: html };
  }
  const file = path.startsWith('/dist/')
    ? inside(DIST, path.slice(6))
    : path.startsWith('/data/')
      ? inside(dataRoot, path.slice(6))
      : path.startsWith('/file/')
        ? roots.map((root) => inside(root, relative(root, path.slice(5)))).find((file) => file !== undefined)
        : undefined;
  if (!file || !(await stat(file).catch(() => undefined))?.isFile()) return undefined;
  return { type: TYPES[extname(file)] ?? 'application/octet-stream', body: { file } };
}

/** `relativePath` under `root`, or undefined if it would escape it. */
function inside(root: string, relativePath: string): string | undefined {
  const file = normalize(join(root, relativePath));
  return file.startsWith(root + sep) ? file : undefined;
}
