import type { PendingStatement } from '../sync/schedule.js';

/** Functions a read may call and stay a read: they change nothing and take no lock. */
const HARMLESS_FUNCTIONS = new Set([
  'abs', 'all', 'any', 'avg', 'ceil', 'coalesce', 'count', 'exists', 'extract', 'floor', 'greatest', 'in',
  'least', 'length', 'lower', 'max', 'min', 'now', 'nullif', 'round', 'sum', 'upper',
]);

/** `BEGIN` that takes nothing: on PostgreSQL the snapshot and locks come with the first statement; SQLite's DEFERRED takes no lock. */
const LOCAL_BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)(\s+(TRANSACTION|WORK|DEFERRED))?(\s+ISOLATION\s+LEVEL\s+[A-Z ]+?)?\s*;?\s*$/i;
const PLAIN_SELECT = /^\s*SELECT\b/i;
const LOCKING_CLAUSE = /\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE|KEY\s+SHARE)\b/i;

function callsOnlyHarmlessFunctions(text: string): boolean {
  for (const match of text.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)) {
    if (!HARMLESS_FUNCTIONS.has((match[1] as string).toLowerCase())) return false;
  }
  return true;
}

type Effect = 'none' | 'read' | 'other';

function effectOf({ text }: PendingStatement): Effect {
  if (LOCAL_BEGIN.test(text)) return 'none';
  if (PLAIN_SELECT.test(text) && !LOCKING_CLAUSE.test(text) && !/;\s*\S/.test(text) && callsOnlyHarmlessFunctions(text)) return 'read';
  return 'other';
}

/**
 * Whether two workers' next statements give the same result run in either order, provably and
 * for any isolation level: a `BEGIN` that takes nothing commutes with anything; two plain reads
 * commute with each other (neither changes what the other sees, neither takes a lock). Anything
 * else (a write, a locking read, a function that might write) is treated as conflicting.
 */
export function commute(a: PendingStatement, b: PendingStatement): boolean {
  const first = effectOf(a);
  const second = effectOf(b);
  return first === 'none' || second === 'none' || (first === 'read' && second === 'read');
}
