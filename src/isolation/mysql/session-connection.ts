import { connectMysql } from '../../engines/mysql/connect.js';
import type { SessionConnection, SessionTarget, SessionWorkerData } from '../protocol.js';
import { callbackConnectionOf, runMysqlScript } from './script.js';

/**
 * A session's MySQL connection, in its thread: the spec run's database is the handshake's, its id
 * the handshake's too. The isolation level is set for the session before any step: a SET starts
 * no transaction and takes no snapshot.
 */
export async function openMysqlSessionConnection(data: SessionWorkerData, target: Extract<SessionTarget, { engine: 'mysql' }>): Promise<SessionConnection> {
  const connection = await connectMysql(target.connection, 'the spec database', target.database);
  try {
    if (data.isolation) await connection.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${data.isolation.toUpperCase()}`);
  } catch (error) {
    connection.destroy();
    throw error;
  }
  const callbacks = callbackConnectionOf(connection);
  return {
    pid: connection.threadId,
    run: (sql) => runMysqlScript(callbacks, sql),
    close: () => connection.end().catch(() => connection.destroy()),
  };
}
