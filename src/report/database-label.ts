import type { RaceResult } from '../result/types.js';

/** The database a run used, as reports name it: "PostgreSQL 18.4 (embedded)". */
export function databaseLabel(result: RaceResult): string {
  const { engine, serverVersion } = result.database;
  if (engine === 'sqlite') return `SQLite ${serverVersion} (journal ${result.options.journal ?? 'delete'})`;
  if (result.options.engine === 'mysql') return `${serverVersion.includes('MariaDB') ? 'MariaDB' : 'MySQL'} ${serverVersion} (${engine})`;
  return `PostgreSQL ${serverVersion} (${engine})`;
}
