import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, inject } from 'vitest';

/** The suite's MySQL server (see test/mysql-server.ts), or null when the machine has none. */
export function testMysqlUrl(): string | null {
  return inject('mysqlUrl');
}

/** A describe that runs on a machine with a MySQL server; without one the suite has said so in one line at start. */
export const describeOnMysql = describe.runIf(testMysqlUrl() !== null);

/** Runs `use` with a fresh connection to the suite's server, closing it afterwards. */
export async function withMysql<T>(use: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: testMysqlUrl() ?? '', multipleStatements: true });
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

/** The rows of a query, on a fresh connection. */
export async function mysqlRows(sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
  return withMysql(async (connection) => (await connection.query<RowDataPacket[]>(sql, values))[0]);
}

/** Whether a database of that exact name exists on the suite's server. */
export async function mysqlDatabaseExists(name: string): Promise<boolean> {
  return (await mysqlRows('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])).length === 1;
}

/** One number a kept run database holds, and the database dropped after. */
export async function readAndDropDatabase(database: string, sql: string): Promise<number> {
  return withMysql(async (connection) => {
    const [rows] = await connection.query<RowDataPacket[]>(`SELECT (${sql}) AS n FROM DUAL`.replaceAll('{db}', `\`${database}\``));
    await connection.query(`DROP DATABASE \`${database}\``);
    return Number(rows[0]?.n);
  });
}
