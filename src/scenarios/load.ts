import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidOptionError } from '../errors.js';
import { SCENARIOS } from './index.js';
import type { Scenario } from './types.js';

/** How a worker thread finds the scenario again: by built-in name, or by module URL. */
export type ScenarioRef = { readonly kind: 'builtin'; readonly name: string } | { readonly kind: 'module'; readonly url: string };

/** `--scenario` is a built-in name, or a path to a module (it starts with . or /, or ends in .js/.mjs/.ts). */
export function scenarioRef(nameOrPath: string, cwd = process.cwd()): ScenarioRef {
  const isPath = nameOrPath.startsWith('.') || isAbsolute(nameOrPath) || /\.(c|m)?(j|t)s$/.test(nameOrPath);
  if (!isPath) return { kind: 'builtin', name: nameOrPath };
  return { kind: 'module', url: pathToFileURL(resolve(cwd, nameOrPath)).href };
}

const FUNCTIONS = ['setup', 'worker', 'verify'] as const;

/** Checks that a module's export has the scenario's shape; says what is missing if not. */
export function validateScenario(value: unknown, source: string): Scenario {
  const candidate = value as Partial<Scenario> | null | undefined;
  const problems: string[] = [];
  if (typeof candidate !== 'object' || candidate === null) {
    problems.push('no default export or export named `scenario`');
  } else {
    if (typeof candidate.name !== 'string' || candidate.name === '') problems.push('a name');
    if (!Array.isArray(candidate.modes) || candidate.modes.length === 0) problems.push('at least one mode');
    else if (candidate.modes.some((mode) => typeof mode?.name !== 'string' || (mode.outcome !== 'race' && mode.outcome !== 'correct'))) {
      problems.push("modes each with a name and an outcome ('race' or 'correct')");
    }
    for (const name of FUNCTIONS) if (typeof candidate[name] !== 'function') problems.push(`${name}()`);
  }
  if (problems.length > 0) throw new InvalidOptionError(`${source} is not a race-rig scenario: it lacks ${problems.join(', ')}`);
  const scenario = candidate as Scenario;
  return typeof scenario.summary === 'string' ? scenario : { ...scenario, summary: '' };
}

export async function loadScenario(ref: ScenarioRef): Promise<Scenario> {
  if (ref.kind === 'builtin') {
    const scenario = Object.hasOwn(SCENARIOS, ref.name) ? SCENARIOS[ref.name] : undefined;
    if (!scenario) {
      throw new InvalidOptionError(
        `unknown --scenario '${ref.name}'; choose one of: ${Object.keys(SCENARIOS).join(', ')}, or give the path of a scenario module`,
      );
    }
    return scenario;
  }
  let module: { default?: unknown; scenario?: unknown };
  try {
    module = (await import(ref.url)) as typeof module;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InvalidOptionError(`cannot load the scenario module ${fileURLToPath(ref.url)}: ${reason}`);
  }
  return validateScenario(module.scenario ?? module.default, fileURLToPath(ref.url));
}
