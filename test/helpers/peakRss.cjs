// Preloaded with `node --require` into a child whose peak memory a test or bench measures: at exit,
// writes the process's peak resident set size in KiB (process.resourceUsage().maxRSS, which counts
// the worker threads too) to the file named by LABEL_AUDIT_PEAK_RSS_FILE. At exit, not when the
// report is built, so writing the report and everything after it count too.
'use strict';
const { writeFileSync } = require('node:fs');
const file = process.env.LABEL_AUDIT_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
