// Preloaded with `node --import` into a child whose peak memory a test or bench measures: at exit,
// writes the process's peak resident set size in KiB (process.resourceUsage().maxRSS, which counts
// the worker threads too) to the file named by LABEL_AUDIT_PEAK_RSS_FILE. At exit, not when the
// report is built, so writing the report and everything after it count too.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.LABEL_AUDIT_PEAK_RSS_FILE;
if (file && isMainThread) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
