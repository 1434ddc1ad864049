import { counter } from './counter.js';
import type { ModeSpec, Scenario } from './types.js';

/** Every built-in scenario, by name. Adding one is one module and one line here. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  counter,
};

export const DEFAULT_SCENARIO = 'counter';

export function findMode(scenario: Scenario, mode: string): ModeSpec | undefined {
  return scenario.modes.find((spec) => spec.name === mode);
}
