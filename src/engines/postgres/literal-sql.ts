import type pg from 'pg';
import { forward } from '../forward.js';

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

/** The text and parameters of a `client.query(…)` call, whichever form it took; a null text for a submittable (a cursor). */
export function queryStatement(first: unknown, second?: unknown): { text: string | null; values: unknown[] } {
  if (typeof first === 'string') return { text: first, values: Array.isArray(second) ? second : [] };
  const config = first as { text?: unknown; values?: unknown } | null;
  const values = Array.isArray(config?.values) ? config.values : Array.isArray(second) ? second : [];
  return { text: typeof config?.text === 'string' ? config.text : null, values };
}

/** The client, its every query also noted in `script` as literal SQL (the set-up and verification an exported spec repeats). */
export function recordingClient(client: pg.Client, script: string[]): pg.Client {
  const query = (...args: unknown[]) => {
    const { text, values } = queryStatement(args[0], args[1]);
    if (text !== null) script.push(inlineValues(text.trim(), values));
    return (client.query as (...all: unknown[]) => unknown).apply(client, args);
  };
  return forward(client, (property) => (property === 'query' ? query : undefined));
}
