import './skip-cloudflare-probe.js';
import pg from 'pg';
import { threadId } from 'node:worker_threads';
import { arriveAndWait, isBarrierBroken } from '../src/barrier.js';
import { GATE_LOCK_SQL, GATE_SLEEP_SQL } from '../src/gate.js';
import type { WorkerResult, WorkerTask } from '../src/protocol.js';
import { findMode } from '../src/scenarios/index.js';
import { loadScenario } from '../src/scenarios/load.js';
import { StatementRunner } from '../src/scenarios/statements.js';
import { SharedSemaphore } from '../src/semaphore.js';
import { runOperations } from './operation-loop.js';

/** The worker's session settings, as the connection's `options` (like libpq's PGOPTIONS). */
function sessionOptions({ schema, settings }: WorkerTask): string {
  return [
    `-c search_path=${schema}`,
    ...(settings.lockTimeoutMs > 0 ? [`-c lock_timeout=${settings.lockTimeoutMs}`] : []),
    ...(settings.statementTimeoutMs > 0 ? [`-c statement_timeout=${settings.statementTimeoutMs}`] : []),
  ].join(' ');
}

/**
 * One worker thread's whole run: its own connection, warmed up before the start barrier so that
 * connecting and preparing are never inside the race, then the critical section in a loop.
 */
export default async function raceWorker(task: WorkerTask): Promise<WorkerResult> {
  const scenario = await loadScenario(task.scenario);
  const mode = findMode(scenario, task.mode);
  if (!mode) throw new Error(`scenario ${scenario.name} has no mode '${task.mode}'`);

  const client = new pg.Client({
    ...task.connection,
    application_name: `race-rig worker ${task.index} ${task.schema}`,
    options: sessionOptions(task),
    // Behind the gate, the first critical statement must be on the wire before the gate opens.
    pipeline: task.gate !== null,
  });
  // Without a listener, a connection dropped between queries would crash the thread; the next
  // query fails, and the operation loop reports this error as the cause.
  let connectionError: unknown;
  client.on('error', (error) => {
    connectionError ??= error;
  });

  try {
    await client.connect();
    const sql = new StatementRunner(client);
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

    const arrival = arriveAndWait(task.barrier, task.barrierTimeoutMs);
    if (arrival === 'broken') throw new Error('the start barrier was broken by the coordinator');
    if (arrival === 'timed-out') throw new Error(`not released within ${task.barrierTimeoutMs} ms`);

    let gateError: unknown;
    if (task.gate) {
      // Not awaited (see src/gate.ts): the first critical statement is sent right behind these
      // and waits in the backend's socket buffer until the gate opens.
      const onGateError = (error: unknown) => {
        gateError ??= error;
      };
      client.query(GATE_LOCK_SQL, [task.gate.namespace, task.gate.key]).catch(onGateError);
      client.query(GATE_SLEEP_SQL).catch(onGateError);
    }
    const semaphore = task.semaphore ? new SharedSemaphore(task.semaphore) : null;
    const tally = await runOperations(session, {
      worker: task.index,
      operations: task.operations,
      maxRetries: task.maxRetries,
      retries: mode.retries,
      backoffMs: task.backoffMs,
      connectionError: () => connectionError,
      rollback: () => client.query('ROLLBACK').then(
        () => undefined,
        () => undefined,
      ),
      enter: () => semaphore?.acquire(() => isBarrierBroken(task.barrier)) ?? true,
      leave: () => semaphore?.release(),
      firstStatementAtMs: () => sql.firstServerTimeMs(),
    });
    if (gateError !== undefined) throw new Error(`the server gate failed: ${gateError instanceof Error ? gateError.message : String(gateError)}`);
    return { index: task.index, threadId, ...tally };
  } finally {
    await client.end().catch(() => undefined);
  }
}
