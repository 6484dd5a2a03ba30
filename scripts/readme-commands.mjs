// Prints the commands of the README's first code block, one a line, comments stripped; with an
// argument, only the one running that npm script (`sample`, `test`). .ci/run and
// scripts/check-readme-commands.sh run them from here, so they run exactly what the README says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const block = /^```[a-z]*\n([\s\S]*?)^```/m.exec(readme);
if (!block) {
  console.error('README.md has no code block');
  process.exit(1);
}
const commands = block[1]
  .split('\n')
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const wanted = process.argv[2];
const chosen = wanted ? commands.filter((command) => new RegExp(`\\bnpm (run )?${wanted}$`).test(command)) : commands;
if (chosen.length !== (wanted ? 1 : commands.length) || chosen.length === 0) {
  console.error(
    `README.md's first code block has ${chosen.length} command(s) ending in "npm ${wanted}": ${commands.join(' | ')}`,
  );
  process.exit(1);
}
console.log(chosen.join('\n'));
