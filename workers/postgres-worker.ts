import pg from 'pg';
import { classifyPostgresError, sqlstateOf } from '../src/db/sqlstate.js';
import { GATE_LOCK_SQL, GATE_SLEEP_SQL } from '../src/gate.js';
import type { ErrorClassifier, PostgresTarget, WorkerTask } from '../src/protocol.js';
import { findMode } from '../src/scenarios/index.js';
import { loadScenario } from '../src/scenarios/load.js';
import { StatementRunner } from '../src/scenarios/statements.js';
import { TimelineRecorder } from '../src/timeline/recorder.js';
import type { EngineWorker } from './engine-worker.js';

/** The worker's session settings, as the connection's `options` (like libpq's PGOPTIONS). */
function sessionOptions({ schema, settings }: PostgresTarget): string {
  return [
    `-c search_path=${schema}`,
    ...(settings.lockTimeoutMs > 0 ? [`-c lock_timeout=${settings.lockTimeoutMs}`] : []),
    ...(settings.statementTimeoutMs > 0 ? [`-c statement_timeout=${settings.statementTimeoutMs}`] : []),
  ].join(' ');
}

/**
 * The error that broke the connection, when the driver reported it between queries: the next
 * query then only says the client is "not queryable", and the recorded error is the real cause.
 */
export function postgresClassifier(connectionError: () => unknown): ErrorClassifier {
  return (thrown) => classifyPostgresError(sqlstateOf(thrown) === null ? (connectionError() ?? thrown) : thrown);
}

/** A worker on PostgreSQL: its own pg client in the run's schema, the scenario's session on it. */
export async function openPostgresWorker(task: WorkerTask, target: PostgresTarget): Promise<EngineWorker> {
  const scenario = await loadScenario(task.scenario);
  const mode = findMode(scenario, task.mode);
  if (!mode) throw new Error(`scenario ${scenario.name} has no mode '${task.mode}'`);

  const client = new pg.Client({
    ...target.connection,
    application_name: `race-rig worker ${task.index} ${target.schema}`,
    options: sessionOptions(target),
    // Behind the gate, the first critical statement must be on the wire before the gate opens.
    pipeline: target.gate !== null,
  });
  // Without a listener, a connection dropped between queries would crash the thread.
  let connectionError: unknown;
  client.on('error', (error) => {
    connectionError ??= error;
  });
  let gateError: unknown;
  try {
    await client.connect();
    const timeline = task.timeline ? new TimelineRecorder(task.index) : null;
    const sql = new StatementRunner(client, timeline);
    const session = await scenario.worker({
      mode: mode.name,
      workers: task.workers,
      iterations: task.operations,
      params: task.params,
      worker: task.index,
      client,
      sql,
    });
    await session.warmUp?.();
    sql.resetServerTime();
    return {
      session,
      retries: mode.retries,
      timeline,
      classify: postgresClassifier(() => connectionError),
      rollback: () => client.query('ROLLBACK').then(
        () => undefined,
        () => undefined,
      ),
      firstStatementAtMs: () => sql.firstServerTimeMs(),
      released: () => {
        if (!target.gate) return;
        // Not awaited (see src/gate.ts): the first critical statement is sent right behind these
        // and waits in the backend's socket buffer until the gate opens.
        const onGateError = (error: unknown) => {
          gateError ??= error;
        };
        client.query(GATE_LOCK_SQL, [target.gate.namespace, target.gate.key]).catch(onGateError);
        client.query(GATE_SLEEP_SQL).catch(onGateError);
      },
      check: () => {
        if (gateError !== undefined) throw new Error(`the server gate failed: ${gateError instanceof Error ? gateError.message : String(gateError)}`);
      },
      close: () => client.end().catch(() => undefined),
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
