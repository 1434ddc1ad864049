import { InvalidOptionError } from '../errors.js';
import { engineNamed } from '../race/resolve.js';
import type { RaceOptions } from '../race/options.js';
import { servedEngines } from './catalog.js';
import type { ServeConfig } from './catalog.js';

/** The fields a page's Run or Compare may send; anything else is refused, never passed on. */
const FIELDS = ['engine', 'scenario', 'mode', 'workers', 'increments', 'gate', 'timeline'] as const;

function text(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new InvalidOptionError(`${key} must be text`);
  return value;
}

function whole(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) throw new InvalidOptionError(`${key} must be a whole number (got ${JSON.stringify(value)})`);
  return number;
}

function flag(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new InvalidOptionError(`${key} must be true or false`);
  return value;
}

/**
 * The race options of a page's request: an engine the server offers, a built-in scenario or a
 * module given on the command line, and numbers; the database is the one serve was started with.
 * The rig checks every value as it checks flags (the same one-line errors).
 */
export function raceOptionsOfRequest(body: unknown, config: ServeConfig): RaceOptions {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidOptionError('the request must be a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) throw new InvalidOptionError(`the page cannot set ${unknown.join(', ')}`);
  const engineName = text(fields, 'engine') ?? config.engine;
  const offered = servedEngines(config.engine);
  if (!offered.includes(engineName)) throw new InvalidOptionError(`this server runs ${offered.join(' and ')}, not '${engineName}'`);
  const engine = engineNamed(engineName);
  const scenario = text(fields, 'scenario') ?? 'counter';
  if (!Object.hasOwn(engine.scenarios, scenario) && !config.modules.includes(scenario)) {
    throw new InvalidOptionError(`'${scenario}' is neither a built-in scenario of ${engineName} nor a module given to race-rig serve`);
  }
  const takes = (key: string) => Object.hasOwn(engine.options, key);
  const options: Record<string, unknown> = { engine: engineName, scenario, mode: text(fields, 'mode'), workers: whole(fields, 'workers'), increments: whole(fields, 'increments') };
  if (takes('db') && engineName === config.engine) options.db = config.db;
  for (const key of ['gate', 'timeline']) {
    const value = flag(fields, key);
    if (value !== undefined && takes(key)) options[key] = value;
  }
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as RaceOptions;
}
