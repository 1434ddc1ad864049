import { sqliteScenario } from '../engines/sqlite/run.js';
import { resolveEngine, resolveOptions } from '../options.js';
import type { RaceOptions, ResolvedOptions } from '../options.js';
import { loadScenario, scenarioRef } from './load.js';
import type { ModeSpec, ScenarioInfo } from './types.js';

/** The scenario the options name, on their engine, loaded but not yet checked against the other options. */
export async function scenarioOf(options: RaceOptions): Promise<ScenarioInfo> {
  if (resolveEngine(options) === 'sqlite') return sqliteScenario(options);
  return loadScenario(scenarioRef(options.scenario ?? 'counter'));
}

/** The options checked against the scenario and engine they name, without running anything. */
export async function resolveRun(options: RaceOptions): Promise<ResolvedOptions> {
  if (resolveEngine(options) === 'sqlite') return resolveOptions(options, sqliteScenario(options), { kind: 'builtin', name: 'counter' });
  const ref = scenarioRef(options.scenario ?? 'counter');
  return resolveOptions(options, await loadScenario(ref), ref);
}

/** The scenario and mode a run with these options would use (for `--explain`). */
export async function describeRun(options: RaceOptions): Promise<{ readonly scenario: ScenarioInfo; readonly mode: ModeSpec }> {
  const { scenario, mode } = await resolveRun(options);
  return { scenario, mode };
}
