import type { ScenarioInfo } from '../scenarios/types.js';

export interface ListedScenario {
  readonly engine: string;
  readonly scenario: ScenarioInfo;
}

/** `race-rig list`: every scenario of every engine, its modes, and what each shows. */
export function formatScenarioList(listed: readonly ListedScenario[], defaultEngine: string): string {
  const width = Math.max(...listed.flatMap(({ scenario }) => scenario.modes.map((mode) => mode.name.length)));
  return listed
    .map(({ engine, scenario }) =>
      [
        `${scenario.name}${engine === defaultEngine ? '' : ` (--engine ${engine})`}: ${scenario.summary}`,
        ...scenario.modes.map((mode) => `  ${mode.name.padEnd(width)}  ${(mode.outcome === 'race' ? 'RACE' : 'CORRECT').padEnd(7)}  ${mode.summary}`),
      ].join('\n'),
    )
    .join('\n\n');
}

/** The same as JSON. */
export function scenarioListJson(listed: readonly ListedScenario[]): unknown {
  return listed.map(({ engine, scenario: { name, summary, unit, modes } }) => ({ engine, name, summary, unit: unit?.one ?? 'operation', modes }));
}
