import { counter } from './counter.js';
import { deposit } from './deposit.js';
import { hotRow } from './hot-row.js';
import { rowLimit } from './row-limit.js';
import { transferScenario } from './transfer.js';
import { withdraw } from './withdraw.js';
import type { ModeSpec, Scenario, ScenarioInfo } from './types.js';

/** Every built-in scenario, by name. Adding one is one module and one line here. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  counter,
  withdraw,
  transfer: transferScenario,
  deposit,
  'row-limit': rowLimit,
  'hot-row': hotRow,
};

export const DEFAULT_SCENARIO = 'counter';

export function findMode(scenario: ScenarioInfo, mode: string): ModeSpec | undefined {
  return scenario.modes.find((spec) => spec.name === mode);
}
