/**
 * Objects keyed by names that come from the data (class names, sample paths). On a plain object
 * `obj["constructor"]` answers `Object` and `obj["toString"]` a function, and assigning
 * `obj["__proto__"]` replaces the prototype instead of adding an entry; so such objects are read
 * through {@link ownValue} and built with `Object.fromEntries` (which defines own properties).
 * No imports: the webview uses it too (through src/protocol).
 */

/** `record[key]` when the record itself holds `key`; undefined for a missing or inherited name. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
