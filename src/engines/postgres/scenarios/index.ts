import { counter } from './counter.js';
import { deposit } from './deposit.js';
import { hotRow } from './hot-row.js';
import { rowLimit } from './row-limit.js';
import { transferScenario } from './transfer.js';
import type { Scenario } from './types.js';
import { withdraw } from './withdraw.js';

/** The built-in PostgreSQL scenarios, by name. Adding one is one module and one line here. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  counter,
  withdraw,
  transfer: transferScenario,
  deposit,
  'row-limit': rowLimit,
  'hot-row': hotRow,
};
