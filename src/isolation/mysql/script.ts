import type { Connection as CallbackConnection, FieldPacket } from 'mysql2';
import type { Connection } from 'mysql2/promise';
import { classifyMysqlError } from '../../engines/mysql/errors.js';
import type { ScriptResult, StepError } from '../protocol.js';

/** mysql2/promise wraps a callback connection and keeps it here; only its query events give the results that came before an error. */
export function callbackConnectionOf(connection: Connection): CallbackConnection {
  return (connection as unknown as { connection: CallbackConnection }).connection;
}

/** A MySQL error as a step's error: the number and SQLSTATE as the rig shows them everywhere, `1213 (40001)`. */
export function mysqlStepError(error: unknown): StepError {
  const { code, message } = classifyMysqlError(error);
  return { severity: 'ERROR', code, message };
}

/** Every value in the server's own text (`1.50`, `2026-01-31 10:00:00`, NULL as null), every row as an array. */
const AS_TEXT = { rowsAsArray: true, typeCast: (field: { string(): string | null }) => field.string() };

interface Statement {
  readonly fields: string[];
  readonly rows: (string | null)[][];
}

/**
 * A query string of one or more statements (the connection allows several), as a spec step
 * sends it: each statement's result as it comes, a command's without columns, and those before
 * an error kept. Never rejects: a server error ends the result.
 */
export function runMysqlScript(connection: CallbackConnection, sql: string): Promise<ScriptResult> {
  // The server refuses an empty query (1065); the tester sends an empty step and gets no result.
  if (sql.trim() === '') return Promise.resolve({ statements: [], error: null });
  return new Promise((resolve) => {
    const statements: Statement[] = [];
    const settle = (error: unknown) => {
      connection.off('error', settle);
      resolve({ statements, error: error === null ? null : mysqlStepError(error) });
    };
    // A connection already lost reports a new query's failure on the connection, not on the query.
    connection.on('error', settle);
    const query = connection.query({ sql, ...AS_TEXT });
    query.on('fields', (fields: FieldPacket[] | undefined) => statements.push({ fields: (fields ?? []).map((field) => field.name), rows: [] }));
    query.on('result', (row: unknown) => {
      const current = statements.at(-1);
      // A command's result (an OK packet) comes as a 'result' of its own: it has no columns.
      if (current && current.fields.length > 0 && Array.isArray(row)) current.rows.push(row as (string | null)[]);
    });
    query.on('error', settle);
    query.on('end', () => settle(null));
  });
}
