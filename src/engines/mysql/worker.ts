import type { Connection } from 'mysql2/promise';
import type { WorkerTask } from '../../protocol.js';
import { findMode, loadScenario } from '../../scenarios/load.js';
import { holdStill } from '../gate-opening.js';
import type { OpenWorker } from '../types.js';
import { connectMysql } from './connect.js';
import { classifyMysqlError } from './errors.js';
import { GATE_SQL } from './gate.js';
import { MYSQL_SCENARIOS } from './scenarios/index.js';
import { MysqlStatements } from './statements.js';
import type { MysqlScenario, MysqlTarget } from './types.js';

/** innodb_lock_wait_timeout's largest value, in seconds: what `--lock-timeout 0` (for ever) means here. */
const LOCK_WAIT_FOREVER_S = 1_073_741_824;

/** --lock-timeout in whole seconds, as InnoDB counts it (at least 1). */
function lockWaitSeconds(lockTimeoutMs: number): number {
  return lockTimeoutMs === 0 ? LOCK_WAIT_FOREVER_S : Math.max(1, Math.ceil(lockTimeoutMs / 1000));
}

async function close(connection: Connection): Promise<void> {
  await connection.end().catch(() => connection.destroy());
}

/** A worker on MySQL: its own connection to the run's database, the scenario's session on it. */
export const openWorker: OpenWorker = async (task: WorkerTask) => {
  const target = task.target as MysqlTarget;
  const scenario = (await loadScenario(task.scenario, { name: 'mysql', scenarios: MYSQL_SCENARIOS })) as unknown as MysqlScenario;
  const mode = findMode(scenario, task.mode);
  if (!mode) throw new Error(`${scenario.name} on MySQL has no mode '${task.mode}'`);
  const connection = await connectMysql(target.connection, 'the run database', target.database);
  try {
    await connection.query(`SET SESSION innodb_lock_wait_timeout = ${lockWaitSeconds(target.lockTimeoutMs)}`);
    const sql = new MysqlStatements(connection);
    const session = await scenario.worker({ mode: mode.name, workers: task.workers, iterations: task.operations, params: task.params, worker: task.index, connection, sql });
    await session.warmUp?.();
    sql.resetServerTime();
    const { gate } = target;
    return {
      session,
      retries: mode.retries,
      timeline: null,
      classify: classifyMysqlError,
      rollback: () => connection.query('ROLLBACK').then(
        () => undefined,
        () => undefined,
      ),
      firstStatementAtMs: () => sql.firstServerTimeMs(),
      // The gate travels with the first critical statement (see gate.ts); the thread holds still once both are sent.
      released: () => {
        if (gate) sql.carry(GATE_SQL, () => holdStill(gate.hold));
      },
      check: () => {},
      close: () => close(connection),
    };
  } catch (error) {
    connection.destroy();
    throw error;
  }
};
