import { sqliteCounter } from './counter.js';
import type { SqliteScenario } from './types.js';

/** The built-in SQLite scenarios, by name. */
export const SQLITE_SCENARIOS: Readonly<Record<string, SqliteScenario>> = {
  counter: sqliteCounter,
};
