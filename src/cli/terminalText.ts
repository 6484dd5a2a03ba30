/**
 * Everything the CLI prints goes through here, because it prints names from the dataset (file and
 * class names, paths in error messages) and a terminal obeys control characters inside them: ESC
 * sequences clear the screen, set the window title or forge hyperlinks (OSC 8), a carriage return
 * overwrites what was printed, C1 characters (U+0080–U+009F) act as ESC sequences in some
 * terminals, and bidirectional overrides reorder what is shown. Each such character is printed as
 * a visible escape instead (`\x1B`, `\u202E`); newlines the CLI writes itself stay. A backslash is
 * left as it is, so Windows paths stay readable.
 *
 * `--json` output stays exact JSON: `JSON.stringify` already escapes C0 characters inside strings,
 * and {@link terminalJson} also writes DEL, C1 and the other characters above as `\uXXXX`
 * escapes, which parse back to the same value.
 */

// C0 except newline, DEL, C1, line/paragraph separators, bidi embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex -- control characters are what this escapes
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NOT_C0 = /[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character (but newline) shown as an escape. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
      : `\\u${code.toString(16).toUpperCase()}`;
  });
}

/** `value` as pretty-printed JSON (2-space indent, trailing newline), safe for a terminal and exact. */
export function terminalJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(NOT_C0, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** Where the CLI prints: text through {@link terminalSafe}, JSON through {@link terminalJson}. */
export interface Terminal {
  /** The streams themselves, for the progress bar (which needs isTTY and the cursor). */
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  out(text: string): void;
  err(text: string): void;
  json(value: unknown): void;
}

export function terminal(io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Terminal {
  return {
    stdout: io.stdout,
    stderr: io.stderr,
    out: (text) => void io.stdout.write(terminalSafe(text)),
    err: (text) => void io.stderr.write(terminalSafe(text)),
    json: (value) => void io.stdout.write(terminalJson(value)),
  };
}
