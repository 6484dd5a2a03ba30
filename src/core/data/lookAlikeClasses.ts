/**
 * Class names that are different strings but look the same: "café" typed on macOS (NFD, e + U+0301)
 * and on Windows (NFC, é), a full-width "Ｃat", or "cat" next to a folder named "cat " with a
 * trailing space. label-audit keeps every name exactly as written (what it writes must read back
 * identically), so these are two classes; the audit warns about them instead of silently merging.
 */
import { groupBy } from '../shared/collections';

/** The form two names that look alike share: NFKC (canonical and compatibility forms), outer whitespace dropped. */
export function lookAlikeKey(name: string): string {
  return name.normalize('NFKC').trim();
}

/**
 * Groups of two or more class names with the same {@link lookAlikeKey}, each group in the order of
 * `classes`, groups in order of their first member. Linear in the number of classes.
 */
export function lookAlikeClasses(classes: readonly string[]): string[][] {
  return [...groupBy(classes, lookAlikeKey).values()].filter((group) => group.length > 1);
}

/** The warning for class `name` of a look-alike `group`, naming the others with their code points so they can be told apart. */
export function lookAlikeWarning(name: string, group: readonly string[]): string {
  const others = group.filter((other) => other !== name).map(describeName);
  return (
    `"${name}" looks the same as ${others.join(' and ')} but is a different name ${describeCodePoints(name)}: ` +
    `they are audited as separate classes; merge them in the Classes view (or rename the folders) if they are one class`
  );
}

function describeName(name: string): string {
  return `"${name}" ${describeCodePoints(name)}`;
}

/** "(U+0063 U+0061 U+0066 U+00E9)": the code points, which is where look-alikes differ. */
function describeCodePoints(name: string): string {
  const points = [...name].map((char) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  return `(${points.length > 24 ? [...points.slice(0, 24), '…'].join(' ') : points.join(' ')})`;
}
