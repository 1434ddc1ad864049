import type { MysqlScenario } from '../types.js';
import { mysqlCounter } from './counter.js';
import { mysqlDeposit } from './deposit.js';
import { mysqlHotRow } from './hot-row.js';
import { mysqlRowLimit } from './row-limit.js';
import { mysqlTransfer } from './transfer.js';
import { mysqlWithdraw } from './withdraw.js';

/** The built-in MySQL scenarios, by name. Adding one is one module and one line here. */
export const MYSQL_SCENARIOS: Readonly<Record<string, MysqlScenario>> = {
  counter: mysqlCounter,
  withdraw: mysqlWithdraw,
  transfer: mysqlTransfer,
  deposit: mysqlDeposit,
  'row-limit': mysqlRowLimit,
  'hot-row': mysqlHotRow,
};
