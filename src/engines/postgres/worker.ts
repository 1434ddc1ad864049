import pg from 'pg';
import type { ErrorClassifier, WorkerTask } from '../../protocol.js';
import { findMode, loadScenario } from '../../scenarios/load.js';
import { baseWorkerContext, workerOf } from '../../scenarios/worker-context.js';
import { TimelineRecorder } from '../../timeline/recorder.js';
import { TIMELINE_WORKERS } from '../../timeline/types.js';
import type { ScheduleGate } from '../../sync/schedule.js';
import type { EngineWorker, OpenWorker } from '../types.js';
import { holdStill } from '../gate-opening.js';
import { GATE_LOCK_SQL, GATE_SLEEP_SQL } from './gate.js';
import { SCENARIOS } from './scenarios/index.js';
import type { Scenario } from './scenarios/types.js';
import { scheduledClient } from './scheduled-client.js';
import { classifyPostgresError, sqlstateOf } from './sqlstate.js';
import { StatementRunner } from './statements.js';
import { libraryConnection, workerConnection } from './worker-connection.js';
import { workerPool } from './worker-pool.js';
import type { PostgresTarget } from './types.js';

/**
 * The error that broke the connection, when the driver reported it between queries: the next
 * query then only says the client is "not queryable", and the recorded error is the real cause.
 */
export function postgresClassifier(connectionError: () => unknown): ErrorClassifier {
  return (thrown) => classifyPostgresError(sqlstateOf(thrown) === null ? (connectionError() ?? thrown) : thrown);
}

/**
 * Queues the worker at the server gate (see gate.ts). Not awaited: the first critical statement
 * is sent right behind these and waits in the backend's socket buffer until the gate opens.
 */
function gateHooks(client: pg.Client, target: PostgresTarget): Pick<EngineWorker, 'released' | 'check'> {
  let gateError: unknown;
  const onGateError = (error: unknown) => {
    gateError ??= error;
  };
  return {
    released: () => {
      if (!target.gate) return;
      client.query(GATE_LOCK_SQL, [target.gate.namespace, target.gate.key]).catch(onGateError);
      client.query(GATE_SLEEP_SQL).catch(onGateError);
    },
    check: () => {
      if (gateError !== undefined) throw new Error(`the server gate failed: ${gateError instanceof Error ? gateError.message : String(gateError)}`);
    },
  };
}

/**
 * Under explore each worker's server runs its deadlock check soon after a lock wait begins, and
 * the coordinator lets that check run before it grants the next step (twice this, and 10 ms
 * more). So the only wait that can find a cycle is the one that closed it: the same statement
 * fails with 40P01 in every run of the schedule, whatever the machine's speed. Only a superuser
 * may set it; elsewhere the session's own value is waited for (1 s by default).
 */
const EXPLORE_DEADLOCK_TIMEOUT_MS = 5;

async function useExploreDeadlockTimeout(client: pg.Client, schedule: ScheduleGate): Promise<void> {
  await client.query(`SET deadlock_timeout = '${EXPLORE_DEADLOCK_TIMEOUT_MS}ms'`).catch(() => undefined);
  const { rows } = await client.query<{ ms: number }>("SELECT extract(epoch FROM current_setting('deadlock_timeout')::interval) * 1000 AS ms");
  schedule.setDeadlockCheckMs(Number(rows[0]?.ms ?? 1000));
}

/** The client the scenario and the rig use, and the worker's recorder: under `explore`, every statement is scheduled and recorded. */
function clientFor(client: pg.Client, task: WorkerTask, target: PostgresTarget, schedule: ScheduleGate | null) {
  if (schedule) {
    schedule.setPid((client as unknown as { processID: number }).processID);
    const recorder = new TimelineRecorder(task.index, Number.POSITIVE_INFINITY);
    const scheduled = scheduledClient(client, schedule, recorder);
    return { client: scheduled, timeline: recorder, sql: new StatementRunner(scheduled) };
  }
  const timeline = target.timeline && task.index < TIMELINE_WORKERS ? new TimelineRecorder(task.index) : null;
  return { client, timeline, sql: new StatementRunner(client, timeline) };
}

/** A worker on PostgreSQL: its own pg client in the run's schema, the scenario's session on it. */
export const openWorker: OpenWorker = async (task: WorkerTask, schedule: ScheduleGate | null) => {
  const target = task.target as PostgresTarget;
  const scenario = (await loadScenario(task.scenario, { name: 'postgres', scenarios: SCENARIOS })) as unknown as Scenario;
  const mode = findMode(scenario, task.mode);
  if (!mode) throw new Error(`scenario ${scenario.name} has no mode '${task.mode}'`);
  const connection = await workerConnection(task, target, schedule !== null);
  const { client } = connection;
  try {
    const { client: scenarioClient, timeline, sql } = clientFor(client, task, target, schedule);
    const session = await workerOf(scenario)({
      ...baseWorkerContext(task, mode.name),
      ...{ client: scenarioClient, sql, pool: workerPool(scenarioClient), connectionConfig: libraryConnection(target), schema: target.schema },
    });
    await session.warmUp?.();
    if (schedule) await useExploreDeadlockTimeout(client, schedule);
    sql.resetServerTime();
    const gate = target.gate;
    if (gate) sql.holdAfterNextSend(() => holdStill(gate.hold));
    return {
      session,
      retries: mode.retries,
      timeline,
      classify: postgresClassifier(() => connection.brokenBy()),
      rollback: () => scenarioClient.query('ROLLBACK').then(
        () => undefined,
        () => undefined,
      ),
      firstStatementAtMs: () => sql.firstServerTimeMs(),
      ...gateHooks(client, target),
      close: () => connection.release(),
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
};
