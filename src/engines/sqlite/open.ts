import type BetterSqlite3 from 'better-sqlite3';

type DatabaseClass = typeof BetterSqlite3;

let databaseClass: Promise<DatabaseClass> | undefined;

/**
 * Opens a connection to the file with better-sqlite3, loaded only when SQLite is used (it is a
 * native addon: a PostgreSQL run's hundred threads should not load it). Durability is off
 * (`synchronous = OFF`), as on the embedded PostgreSQL: the numbers measure locking, not fsync.
 */
export async function openSqlite(file: string, busyTimeoutMs: number): Promise<BetterSqlite3.Database> {
  databaseClass ??= import('better-sqlite3').then((module) => (module as { default?: DatabaseClass }).default ?? (module as unknown as DatabaseClass));
  const Database = await databaseClass;
  const db = new Database(file, { timeout: busyTimeoutMs });
  db.pragma('synchronous = OFF');
  return db;
}
