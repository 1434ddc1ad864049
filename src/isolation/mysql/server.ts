import type { Connection, RowDataPacket } from 'mysql2/promise';
import { throwIfAborted } from '../../abort.js';
import { connectMysql } from '../../engines/mysql/connect.js';
import { createDatabase, dropDatabase } from '../../engines/mysql/run.js';
import { startThrowawayMysql } from '../../engines/mysql/throwaway.js';
import type { MysqlServer } from '../../engines/mysql/types.js';
import { useExternalMysql } from '../../engines/mysql/url.js';
import type { SpecControl, SpecEngine, SpecSpace } from '../spec-engine.js';
import { MYSQL_DIALECT } from './dialect.js';
import { checkLockWaitsVisible, connectionsWaiting } from '../../engines/mysql/lock-waits.js';
import { callbackConnectionOf, runMysqlScript } from './script.js';

/** Connections of a throwaway server beyond the sessions: the coordinator's, the control's, a curious client. */
const THROWAWAY_HEADROOM = 10;

/**
 * The control connection. Any lock wait counts as blocked, whoever holds the lock: the spec runs
 * in a database of its own, and InnoDB's status does not name the holder.
 */
function mysqlControl(control: Connection): SpecControl {
  const callbacks = callbackConnectionOf(control);
  return {
    run: (sql) => runMysqlScript(callbacks, sql),
    isBlocked: async (pid) => (await connectionsWaiting(control)).has(pid),
    holders: async () => null,
    cancel: async (pid) => {
      await control.query(`KILL QUERY ${Number(pid)}`);
    },
  };
}

/** A new database for a spec run, and a control connection in it (its default database). */
async function freshSpace(server: MysqlServer, signal: AbortSignal, stepTimeoutMs: number): Promise<SpecSpace> {
  const control = await connectMysql(server.connection, server.displayUrl);
  let database: string | undefined;
  try {
    database = await createDatabase(control, signal);
    // A setup or teardown that waits for a lock a session's open transaction holds gives up, as on PostgreSQL (InnoDB counts whole seconds).
    const waitS = Math.max(1, Math.ceil(stepTimeoutMs / 1000));
    await control.query(`SET SESSION lock_wait_timeout = ${waitS}, SESSION innodb_lock_wait_timeout = ${waitS}`);
    await checkLockWaitsVisible(control);
  } catch (error) {
    control.destroy();
    if (database !== undefined) await dropDatabase(server, database, undefined);
    throw error;
  }
  const created = database;
  return {
    control: mysqlControl(control),
    target: { engine: 'mysql', connection: server.connection, database: created },
    drop: async () => {
      await control.end().catch(() => control.destroy());
      await dropDatabase(server, created, undefined);
    },
  };
}

async function serverVersion(server: MysqlServer): Promise<string> {
  const connection = await connectMysql(server.connection, server.displayUrl);
  try {
    const [rows] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS version');
    return String(rows[0]?.version ?? 'unknown');
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/** Specs on InnoDB: a throwaway MariaDB from the installed binary unless --db, as for races. */
export const mysqlSpecEngine: SpecEngine = {
  dialect: MYSQL_DIALECT,
  open: async ({ db, signal, log, sessions }) => {
    const server = db !== null ? useExternalMysql(db) : await startThrowawayMysql({ maxConnections: sessions + THROWAWAY_HEADROOM, log });
    try {
      throwIfAborted(signal);
      const version = await serverVersion(server);
      log(`${version} at ${server.displayUrl}`);
      return { serverVersion: version, freshSpace: (spaceSignal, stepTimeoutMs) => freshSpace(server, spaceSignal, stepTimeoutMs), close: () => server.stop() };
    } catch (error) {
      await server.stop().catch(() => undefined);
      throw error;
    }
  },
};
