#!/usr/bin/env node
// The CLI is bundled by esbuild into dist/cli.js (`npm run build`).
require('../dist/cli.js')
  .main(process.argv.slice(2))
  .then((code) => {
    // exitCode, not exit(): let piped stdout drain before the process ends.
    process.exitCode = code;
  });
