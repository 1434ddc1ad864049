import type { Connection } from 'mysql2/promise';
import type { WorkerTask } from '../../protocol.js';
import { findMode, loadScenario } from '../../scenarios/load.js';
import { baseWorkerContext, workerOf } from '../../scenarios/worker-context.js';
import { holdStill } from '../gate-opening.js';
import type { ScheduleGate } from '../../sync/schedule.js';
import { TimelineRecorder } from '../../timeline/recorder.js';
import type { OpenWorker } from '../types.js';
import { connectMysql } from './connect.js';
import { classifyMysqlError } from './errors.js';
import { GATE_SQL } from './gate.js';
import { GateCarry, gatedConnection } from './gate-carry.js';
import { MYSQL_SCENARIOS } from './scenarios/index.js';
import { scheduledConnection } from './scheduled.js';
import { MysqlStatements } from './statements.js';
import { mysqlWorkerPool } from './worker-pool.js';
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
/** Under explore: every statement waits for its turn and is recorded; InnoDB checks for deadlocks as a wait begins, so no delay is needed for it. */
function scheduled(connection: Connection, task: WorkerTask, schedule: ScheduleGate | null) {
  if (!schedule) return { scenarioConnection: connection, timeline: null };
  schedule.setPid(connection.threadId ?? -1);
  schedule.setDeadlockCheckMs(0);
  const timeline = new TimelineRecorder(task.index, Number.POSITIVE_INFINITY);
  return { scenarioConnection: scheduledConnection(connection, schedule, timeline), timeline };
}

export const openWorker: OpenWorker = async (task: WorkerTask, schedule: ScheduleGate | null) => {
  const target = task.target as MysqlTarget;
  const scenario = (await loadScenario(task.scenario, { name: 'mysql', scenarios: MYSQL_SCENARIOS })) as unknown as MysqlScenario;
  const mode = findMode(scenario, task.mode);
  if (!mode) throw new Error(`${scenario.name} on MySQL has no mode '${task.mode}'`);
  const connection = await connectMysql(target.connection, 'the run database', target.database);
  try {
    await connection.query(`SET SESSION innodb_lock_wait_timeout = ${lockWaitSeconds(target.lockTimeoutMs)}`);
    const carry = target.gate ? new GateCarry() : null;
    const { scenarioConnection, timeline } = scheduled(carry ? gatedConnection(connection, carry) : connection, task, schedule);
    const sql = new MysqlStatements(scenarioConnection, carry);
    const session = await workerOf(scenario)({ ...baseWorkerContext(task, mode.name), connection: scenarioConnection, sql, pool: mysqlWorkerPool(scenarioConnection) });
    await session.warmUp?.();
    sql.resetServerTime();
    const { gate } = target;
    return {
      session,
      retries: mode.retries,
      timeline,
      classify: classifyMysqlError,
      rollback: () => scenarioConnection.query('ROLLBACK').then(
        () => undefined,
        () => undefined,
      ),
      // A first statement sent past the rig's `sql` (a library's) selects no clock: the gate's row says when it began.
      firstStatementAtMs: () => sql.firstServerTimeMs() ?? carry?.gateTimeMs ?? null,
      // The gate travels with the first critical statement (see gate.ts); the thread holds still once both are sent.
      released: () => {
        if (gate) carry?.arm(GATE_SQL, () => holdStill(gate.hold));
      },
      check: () => {},
      close: () => close(connection),
    };
  } catch (error) {
    connection.destroy();
    throw error;
  }
};
