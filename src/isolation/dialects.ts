import { MYSQL_DIALECT } from './mysql/dialect.js';
import { POSTGRES_DIALECT } from './postgres/dialect.js';
import type { SpecDialect, SpecEngineName } from './spec-engine.js';

/** Each spec engine's dialect, without its driver: what the formatters need. */
export const DIALECTS: Readonly<Record<SpecEngineName, SpecDialect>> = {
  postgres: POSTGRES_DIALECT,
  mysql: MYSQL_DIALECT,
};
