import type { Scenario } from '../scenarios/types.js';

/** `race-rig list`: every scenario, its modes, and what each shows. */
export function formatScenarioList(scenarios: readonly Scenario[]): string {
  const width = Math.max(...scenarios.flatMap((scenario) => scenario.modes.map((mode) => mode.name.length)));
  return scenarios
    .map((scenario) =>
      [
        `${scenario.name}: ${scenario.summary}`,
        ...scenario.modes.map((mode) => `  ${mode.name.padEnd(width)}  ${(mode.outcome === 'race' ? 'RACE' : 'CORRECT').padEnd(7)}  ${mode.summary}`),
      ].join('\n'),
    )
    .join('\n\n');
}

/** The same as JSON. */
export function scenarioListJson(scenarios: readonly Scenario[]): unknown {
  return scenarios.map(({ name, summary, unit, modes }) => ({ name, summary, unit: unit?.one ?? 'operation', modes }));
}
