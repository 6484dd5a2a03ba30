// One measurement of bench/scale.ts, in a fresh process so that its peak memory is its own alone:
//   node --import tsx bench/scaleOpen.ts <baseline|read|panel|findings> <datasetRoot>
// read: readReport. panel: what the review panel does to open (readReviewReport: the report, the
// sample files inside the dataset, the webview content), then the message it posts. findings: what
// the Problems-panel service does (readReport, findingsOf, its path → sample map). Prints one JSON
// line: the milliseconds of each step, the message size, and the resident memory now and at peak.
import { readReport, reportPath } from '../src/core/reportFile';
import { DEFAULT_MAX_FINDINGS, findingsOf } from '../src/extension/findings/findings';
import { DEFAULT_MAX_SUSPECTS_SHOWN } from '../src/extension/review/reviewContent';
import { readReviewReport } from '../src/extension/review/reviewSession';

async function main(): Promise<void> {
  const [mode, root] = process.argv.slice(2);
  const figures: Record<string, number> = {};
  let started = performance.now();
  const lap = (name: string) => {
    figures[name] = Math.round(performance.now() - started);
    started = performance.now();
  };
  // Referenced until the figures are taken, as the panel and the service keep what they read.
  const kept: unknown[] = [];
  if (mode === 'read') {
    kept.push(await readReport(reportPath(root)));
    lap('readMs');
  } else if (mode === 'panel') {
    const loaded = await readReviewReport(
      root,
      DEFAULT_MAX_SUSPECTS_SHOWN,
      (file) => `https://file%2B.vscode-resource.vscode-cdn.net${file}`,
      () => {},
    );
    if (loaded.content.status !== 'ready') throw new Error(`the panel's content is ${loaded.content.status}`);
    lap('openMs');
    const message = JSON.stringify({ type: 'suspects/didChange', datasetRoot: root, content: loaded.content });
    lap('messageMs');
    figures.messageMb = Math.round(Buffer.byteLength(message) / 2 ** 17) / 8;
    kept.push(loaded);
  } else if (mode === 'findings') {
    const report = await readReport(reportPath(root));
    lap('readMs');
    const findings = findingsOf(report, {}, [], DEFAULT_MAX_FINDINGS);
    kept.push(report, findings, new Map(report.samples.map((s) => [s.path, s])));
    lap('findingsMs');
  } else if (mode !== 'baseline') throw new Error(`unknown mode ${mode}`);
  figures.rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  figures.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ ...figures, kept: kept.length }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
