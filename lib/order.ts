/**
 * Stable order: resources are declared, and outputs listed, in key order, whatever order the
 * config or a caller lists them in.
 */

/** The entries of a record, sorted by key. */
export const byKey = <T>(record: Readonly<Record<string, T>>): [string, T][] =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
