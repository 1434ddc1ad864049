import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidOptionError } from '../errors.js';
import type { AnyScenario, ModeSpec, ScenarioInfo, ScenarioRef } from './types.js';

/** The engine a scenario module runs on when it does not say. */
export const DEFAULT_SCENARIO_ENGINE = 'postgres';

/** What loading needs of an engine: its name and its built-in scenarios. */
export interface ScenarioSource {
  readonly name: string;
  readonly scenarios: Readonly<Record<string, AnyScenario>>;
}

/** `--scenario` is a built-in name, or a path to a module (it starts with . or /, or ends in .js/.mjs/.ts). */
export function scenarioRef(nameOrPath: string, cwd = process.cwd()): ScenarioRef {
  const isPath = nameOrPath.startsWith('.') || isAbsolute(nameOrPath) || /\.(c|m)?(j|t)s$/.test(nameOrPath);
  if (!isPath) return { kind: 'builtin', name: nameOrPath };
  return { kind: 'module', url: pathToFileURL(resolve(cwd, nameOrPath)).href };
}

const FUNCTIONS = ['setup', 'worker', 'verify'] as const;

/** An HTTP scenario needs its requests and the app they go to; any other scenario a worker(). */
function operationProblems(candidate: Partial<AnyScenario>): string[] {
  if (candidate.http === undefined) return typeof candidate.worker === 'function' ? [] : ['worker()'];
  const problems = typeof candidate.http?.request === 'function' ? [] : ['http.request()'];
  return typeof candidate.app === 'function' ? problems : [...problems, 'app() (http requests go to the app it starts)'];
}

/** Checks that a module's export has the scenario's shape; says what is missing if not. */
export function validateScenario(value: unknown, source: string): AnyScenario {
  const candidate = value as Partial<AnyScenario> | null | undefined;
  const problems: string[] = [];
  if (typeof candidate !== 'object' || candidate === null) {
    problems.push('no default export or export named `scenario`');
  } else {
    if (typeof candidate.name !== 'string' || candidate.name === '') problems.push('a name');
    if (!Array.isArray(candidate.modes) || candidate.modes.length === 0) problems.push('at least one mode');
    else if (candidate.modes.some((mode) => typeof mode?.name !== 'string' || (mode.outcome !== 'race' && mode.outcome !== 'correct'))) {
      problems.push("modes each with a name and an outcome ('race' or 'correct')");
    }
    for (const name of FUNCTIONS) {
      if (name === 'worker') problems.push(...operationProblems(candidate));
      else if (typeof candidate[name] !== 'function') problems.push(`${name}()`);
    }
  }
  if (problems.length > 0) throw new InvalidOptionError(`${source} is not a race-rig scenario: it lacks ${problems.join(', ')}`);
  const scenario = candidate as AnyScenario;
  return typeof scenario.summary === 'string' ? scenario : { ...scenario, summary: '' };
}

function builtin(name: string, engine: ScenarioSource): AnyScenario {
  const scenario = Object.hasOwn(engine.scenarios, name) ? engine.scenarios[name] : undefined;
  if (scenario) return scenario;
  throw new InvalidOptionError(
    `unknown --scenario '${name}' for --engine ${engine.name}; choose one of: ${Object.keys(engine.scenarios).join(', ')}, or give the path of a scenario module`,
  );
}

async function fromModule(url: string, engine: ScenarioSource): Promise<AnyScenario> {
  const path = fileURLToPath(url);
  let module: { default?: unknown; scenario?: unknown };
  try {
    module = (await import(url)) as typeof module;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InvalidOptionError(`cannot load the scenario module ${path}: ${reason}`);
  }
  const scenario = validateScenario(module.scenario ?? module.default, path);
  const wanted = scenario.engine ?? DEFAULT_SCENARIO_ENGINE;
  if (wanted !== engine.name) throw new InvalidOptionError(`${path} is a scenario for --engine ${wanted}, not ${engine.name}`);
  return scenario;
}

/** The scenario a reference names, on this engine: one of its built-ins, or a module written for it. */
export function loadScenario(ref: ScenarioRef, engine: ScenarioSource): Promise<AnyScenario> {
  return ref.kind === 'builtin' ? Promise.resolve(builtin(ref.name, engine)) : fromModule(ref.url, engine);
}

export function findMode(scenario: ScenarioInfo, mode: string): ModeSpec | undefined {
  return scenario.modes.find((spec) => spec.name === mode);
}
