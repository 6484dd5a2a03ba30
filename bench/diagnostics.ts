/**
 * What publishing the findings of a large label file costs on the extension host: the findings of a
 * report (`findingsOf`), the rows of its CSV label file with their cells (`locateManifestRows`), each
 * row's sample path and the position of each diagnostic, for `--samples` rows and `--suspects`
 * flagged ones, all shown (`--max`). The report is a real one (`buildReport`) over real digits; the
 * label file lists every sample. Not measured here: VS Code's own cost of storing and rendering the
 * diagnostics (the Problems panel is virtualised), which needs a running editor.
 *
 *   npm run bench:diagnostics -- [--samples 100000] [--suspects 10000] [--max 10000] [--repeats 5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { samplePathCandidates } from '../src/core/data/dataset';
import { findingsOf } from '../src/extension/findings/findings';
import { lineAndCharacter, lineStarts, locateManifestRows } from '../src/extension/findings/manifestCells';
import { writeLargeReportDataset } from '../test/helpers/largeReport';
import { numberOption } from './args';
import { median } from './stats';

const samples = numberOption('samples', 100_000);
const suspects = numberOption('suspects', 10_000);
const max = numberOption('max', 10_000);
const repeats = numberOption('repeats', 5);

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'label-audit-bench-diagnostics-'));
  try {
    const report = await writeLargeReportDataset(root, { samples, suspects });
    const text = ['path,label', ...report.samples.map((s) => `${s.path},${s.givenLabel}`)].join('\n') + '\n';
    const times = { findings: [] as number[], rows: [] as number[], place: [] as number[] };
    let placed = 0;
    for (let run = 0; run < repeats; run++) {
      let start = performance.now();
      const findings = findingsOf(report, {}, [], max);
      const byPath = new Map(findings.map((f) => [f.path, f]));
      times.findings.push(performance.now() - start);
      start = performance.now();
      const rows = locateManifestRows(text, 'csv');
      times.rows.push(performance.now() - start);
      start = performance.now();
      const starts = lineStarts(text);
      placed = 0;
      for (const row of rows) {
        const path = samplePathCandidates(root, row.writtenPath).at(-1);
        if (path === undefined || !byPath.has(path)) continue;
        lineAndCharacter(starts, row.label.start);
        lineAndCharacter(starts, row.label.end);
        placed++;
      }
      times.place.push(performance.now() - start);
    }
    const range = (list: number[]) => `${Math.min(...list).toFixed(0)}–${Math.max(...list).toFixed(0)}`;
    console.log(
      `${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0].toFixed(1)}: ${samples} rows, ${suspects} suspects, ${placed} diagnostics placed, ${repeats} runs`,
    );
    for (const [step, list] of Object.entries(times))
      console.log(`  ${step.padEnd(9)} median ${median(list).toFixed(0)} ms (range ${range(list)} ms)`);
    const total = times.findings.map((t, i) => t + times.rows[i] + times.place[i]);
    console.log(`  total     median ${median(total).toFixed(0)} ms (range ${range(total)} ms)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

void main();
