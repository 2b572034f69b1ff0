// Tables looked up by a name the user gives (a configuration, a platform, a field): only their own
// entries count, never what every JavaScript object inherits (`toString`, `constructor`, `__proto__`).

/** The table's own entry for `key`, or undefined: `--config toString` finds nothing, as it should. */
export function ownEntry<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * A frozen table without a prototype: even `table[key]` and `key in table` see only its own entries,
 * so a lookup written without ownEntry() is safe too.
 */
export function lookupTable<V>(entries: Readonly<Record<string, V>>): Readonly<Record<string, V>> {
  const table = Object.create(null) as Record<string, V>;
  for (const [k, v] of Object.entries(entries)) table[k] = v;
  return Object.freeze(table);
}
