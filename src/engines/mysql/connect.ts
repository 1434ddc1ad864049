import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { DatabaseError, errorMessage } from '../../errors.js';
import type { MysqlConnectionSpec } from './types.js';

const CONNECT_TIMEOUT_MS = 10_000;

/** The driver's reason a connection failed, with the likely fix. */
function connectFailureReason(error: unknown): string {
  const message = errorMessage(error);
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : null;
  switch (code) {
    case 'ECONNREFUSED':
      return `${message} (is the server running and listening there?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${message})`;
    case 'ER_ACCESS_DENIED_ERROR':
      return `${message} (check the user and password in --db)`;
    case 'ER_BAD_DB_ERROR':
      return `${message} (create it, or name another database in --db)`;
    case 'ER_CON_COUNT_ERROR':
      return `${message} (the server has no connection left)`;
    default:
      return /timeout/i.test(message) ? `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (${message})` : message;
  }
}

/**
 * One connection with the settings every part of the rig uses: numbers as numbers (a DECIMAL
 * such as UNIX_TIMESTAMP(NOW(6)) too), and several statements per query for set-up scripts.
 */
export function connectionOptions(spec: MysqlConnectionSpec, database: string | undefined): ConnectionOptions {
  const { database: _urlDatabase, ...where } = spec;
  return { ...where, ...(database ? { database } : {}), connectTimeout: CONNECT_TIMEOUT_MS, decimalNumbers: true, multipleStatements: true, supportBigNumbers: true };
}

/** Connects, or fails with one line that says where and why (`displayUrl` has no password). */
export async function connectMysql(spec: MysqlConnectionSpec, displayUrl: string, database?: string): Promise<Connection> {
  let connection: Connection | undefined;
  try {
    connection = await mysql.createConnection(connectionOptions(spec, database));
    // A dropped connection surfaces on the next query; without a listener it would crash the process.
    connection.on('error', () => {});
    return connection;
  } catch (error) {
    connection?.destroy();
    throw new DatabaseError(`cannot connect to ${displayUrl}: ${connectFailureReason(error)}`);
  }
}
