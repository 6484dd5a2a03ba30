// Command-line options of the benchmark scripts: `--name value` and bare `--flag`.

/** The number after `--name`, or `fallback` when the option is absent. */
export function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number, got ${JSON.stringify(process.argv[at + 1])}`);
  return value;
}

/** True when `--name` is given. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** The text after `--name`, or `fallback` when the option is absent. */
export function stringOption(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}
