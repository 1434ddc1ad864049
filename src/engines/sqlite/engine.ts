import type { Engine } from '../types.js';
import { resolveSqlite, SQLITE_OPTIONS } from './options.js';
import type { SqliteSettings } from './options.js';
import { SQLITE_SCENARIOS } from './scenarios.js';
import { openSqliteSession } from './session.js';

/** SQLite: one database file, a connection per worker thread (better-sqlite3). */
export const sqliteEngine: Engine<SqliteSettings, typeof SQLITE_OPTIONS> = {
  name: 'sqlite',
  summary: 'SQLite: one file (a temp file, or --file), a connection per worker thread',
  options: SQLITE_OPTIONS,
  explores: true,
  scenarios: SQLITE_SCENARIOS,
  resolve: resolveSqlite,
  open: openSqliteSession,
};
