import { mysqlEngine } from './mysql/engine.js';
import { postgresEngine } from './postgres/engine.js';
import { sqliteEngine } from './sqlite/engine.js';

/**
 * Every engine, by the name --engine takes. Adding one is a folder under src/engines/ (with its
 * thread side in worker.ts) and one line here.
 */
export const ENGINES = {
  postgres: postgresEngine,
  sqlite: sqliteEngine,
  mysql: mysqlEngine,
} as const;

export type EngineName = keyof typeof ENGINES;

export const DEFAULT_ENGINE: EngineName = 'postgres';
