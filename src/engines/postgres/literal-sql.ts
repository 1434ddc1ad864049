import type pg from 'pg';

/** A parameter as an SQL literal: numbers and booleans bare, everything else quoted (the server casts it as `$n` would be). */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // standard_conforming_strings (on since PostgreSQL 9.1): only the quote needs doubling.
  return `'${text.replace(/'/g, "''")}'`;
}

/** The statement with each `$n` replaced by its value's literal, as a script can run it without parameters. */
export function inlineValues(text: string, values: readonly unknown[]): string {
  if (values.length === 0) return text;
  return text.replace(/\$(\d+)(?!\d)/g, (placeholder, digits: string) => {
    const index = Number(digits) - 1;
    return index < values.length ? sqlLiteral(values[index]) : placeholder;
  });
}

/** The client, its every query also noted in `script` as literal SQL (the set-up and verification an exported spec repeats). */
export function recordingClient(client: pg.Client, script: string[]): pg.Client {
  const query = (first: unknown, second?: unknown, ...rest: unknown[]) => {
    const config = first as { text?: unknown; values?: unknown };
    const text = typeof first === 'string' ? first : typeof config?.text === 'string' ? config.text : null;
    const values = Array.isArray(second) ? second : Array.isArray(config?.values) ? config.values : [];
    if (text !== null) script.push(inlineValues(text.trim(), values));
    return (client.query as (...args: unknown[]) => unknown).call(client, first, second, ...rest);
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
