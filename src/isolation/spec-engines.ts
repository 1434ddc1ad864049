import { InvalidOptionError } from '../errors.js';
import { mysqlSpecEngine } from './mysql/server.js';
import { postgresSpecEngine } from './postgres/server.js';
import type { SpecEngine, SpecEngineName } from './spec-engine.js';

/** The engines specs run on: those with a server and isolation levels. */
export const SPEC_ENGINES: Readonly<Record<SpecEngineName, SpecEngine>> = {
  postgres: postgresSpecEngine,
  mysql: mysqlSpecEngine,
};

export function specEngineNamed(name: string): SpecEngine {
  if (!Object.hasOwn(SPEC_ENGINES, name)) {
    throw new InvalidOptionError(`race-rig spec and race-rig isolation run on --engine ${Object.keys(SPEC_ENGINES).join(' or ')} (got '${name}')`);
  }
  return SPEC_ENGINES[name as SpecEngineName];
}
