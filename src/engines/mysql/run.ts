import { randomBytes } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { DatabaseError, errorMessage } from '../../errors.js';
import type { VerifyContext } from '../../scenarios/types.js';
import { openGateWhenFull } from '../gate-opening.js';
import { runStep } from '../step.js';
import type { PlannedRun, PreparedRun } from '../types.js';
import { connectMysql, connectionOptions } from './connect.js';
import { errnoOf } from './errors.js';
import { closeMysqlGate, mysqlGate, newMysqlGate } from './gate.js';
import { lockWaits } from './lock-waits.js';
import type { MysqlSettings } from './options.js';
import type { MysqlGate, MysqlScenario, MysqlServer, MysqlTarget } from './types.js';

export interface SessionParts {
  readonly server: MysqlServer;
  readonly admin: Connection;
  readonly settings: MysqlSettings;
  readonly log: (line: string) => void;
}

/** Access denied to a database, and to an operation that needs a privilege the user lacks. */
const ER_DBACCESS_DENIED = 1044;
const ER_SPECIFIC_ACCESS_DENIED = 1227;

/** Clean-up must never hang: it gives up on a metadata lock it cannot get within this. */
const CLEANUP_LOCK_WAIT_S = 5;

/** Ends the run's connections still there (a worker cut off mid-statement; not the coordinator's, `keep`), then drops its database. */
export async function dropDatabase(server: MysqlServer, database: string, keep: number | undefined): Promise<string[]> {
  try {
    const db = await connectMysql(server.connection, server.displayUrl);
    try {
      await db.query(`SET SESSION lock_wait_timeout = ${CLEANUP_LOCK_WAIT_S}`);
      const [rows] = await db.query<RowDataPacket[]>('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID NOT IN (CONNECTION_ID(), ?)', [database, keep ?? 0]);
      for (const { id } of rows) await db.query(`KILL ${Number(id)}`).catch(() => undefined);
      await db.query(`DROP DATABASE IF EXISTS \`${database}\``);
    } finally {
      await db.end().catch(() => db.destroy());
    }
    return [];
  } catch (error) {
    // A throwaway server is deleted whole when the session closes.
    if (server.kind === 'embedded') return [];
    return [`database ${database} could not be dropped (${errorMessage(error)}); drop it by hand`];
  }
}

export async function createDatabase(admin: Connection, signal: AbortSignal): Promise<string> {
  const database = `race_rig_${randomBytes(5).toString('hex')}`;
  try {
    await runStep('creating the run database', () => admin.query(`CREATE DATABASE \`${database}\``), signal);
  } catch (error) {
    const denied = [ER_DBACCESS_DENIED, ER_SPECIFIC_ACCESS_DENIED].includes(errnoOf((error as Error).cause) ?? 0);
    throw denied ? new DatabaseError(`${errorMessage(error)}; the user in --db needs the CREATE privilege (GRANT CREATE ON *.* …): each run works in a database of its own`) : error;
  }
  await admin.query(`USE \`${database}\``);
  return database;
}

interface OpenGate {
  readonly gate: MysqlGate;
  readonly connection: Connection;
}

/** Closes the gate, or, when the server does not allow it (no PROCESS privilege to count the waiters, say), leaves the start to the barrier. */
async function closeGateOrFallBack(parts: SessionParts, database: string, signal: AbortSignal): Promise<{ open: OpenGate | null; warnings: string[] }> {
  if (!parts.settings.gate) return { open: null, warnings: [] };
  const connection = await connectMysql(parts.server.connection, parts.server.displayUrl, database);
  try {
    await runStep('closing the server gate', () => closeMysqlGate(parts.admin, connection), signal);
    return { open: { gate: newMysqlGate(), connection }, warnings: [] };
  } catch (error) {
    connection.destroy();
    if (signal.aborted) throw error;
    await parts.admin.query('DROP TABLE IF EXISTS race_rig_gate').catch(() => undefined);
    const reason = error instanceof Error && error.cause !== undefined ? error.cause : error;
    return { open: null, warnings: [`the server gate could not be closed (${errorMessage(reason)}); the workers started at the barrier alone`] };
  }
}

async function verifyRun(scenario: MysqlScenario, admin: Connection, run: PlannedRun, context: VerifyContext, open: OpenGate | null) {
  if (open) {
    open.connection.destroy();
    await runStep('removing the server gate', () => admin.query('DROP TABLE IF EXISTS race_rig_gate'), run.signal);
  }
  const verification = await runStep('verifying the result', async () => scenario.verify(admin, context), run.signal);
  if (scenario.teardown) await runStep(`tearing down ${scenario.name}`, async () => scenario.teardown?.(admin, run.context), run.signal);
  return verification;
}

/** One run's own database, the scenario's tables in it, and the gate closed: ready for the workers. */
export async function prepareMysqlRun(parts: SessionParts, run: PlannedRun): Promise<PreparedRun> {
  const { server, admin, settings } = parts;
  const scenario = run.scenario as unknown as MysqlScenario;
  const database = await createDatabase(admin, run.signal);
  parts.log(`run database ${database}`);
  let open: OpenGate | null = null;
  const drop = () => {
    open?.connection.destroy();
    return run.keep ? Promise.resolve([]) : dropDatabase(server, database, admin.threadId ?? undefined);
  };
  try {
    await runStep(`setting up ${scenario.name}`, async () => scenario.setup(admin, run.context), run.signal);
    const closed = await closeGateOrFallBack(parts, database, run.signal);
    open = closed.open;
    const gate = open;
    const target: MysqlTarget = { engine: 'mysql', connection: server.connection, database, lockTimeoutMs: settings.lockTimeoutMs, gate: gate?.gate ?? null };
    return {
      target,
      start: gate ? 'gate' : 'barrier',
      connection: { ...connectionOptions(server.connection, database) },
      warnings: closed.warnings,
      schema: database,
      kept: run.keep,
      ...(gate ? { afterRelease: () => openGateWhenFull(mysqlGate(gate.connection), gate.gate.hold, run.context.workers, run.barrierTimeoutMs) } : {}),
      verify: (context) => verifyRun(scenario, admin, run, context, gate),
      lockWaits: (ids) => lockWaits(admin, ids),
      drop,
    };
  } catch (error) {
    await drop();
    throw error;
  }
}
