import type { Connection } from 'mysql2/promise';

type Callback<T> = (error: Error | null, result?: T) => void;

/** The worker's one connection as a library's callback-style connection (mysql2's own). */
export interface PooledMysqlConnection {
  query(sql: string, values: unknown, callback: Callback<unknown>): void;
  release(): void;
}

/**
 * What a query builder on mysql2 needs of a pool (kysely's MysqlDialect: `getConnection`, then
 * `query(sql, values, callback)` and `release()`), over the worker's own connection: its
 * statements run there, and under `explore` are scheduling points like the rest. One
 * connection: keep one transaction at a time per worker.
 */
export interface MysqlWorkerPool {
  getConnection(callback: Callback<PooledMysqlConnection>): void;
  /** The connection ends with the worker, not with the library: a no-op. */
  end(callback?: Callback<void>): void;
  on(event: string, listener: (...args: unknown[]) => void): MysqlWorkerPool;
}

export function mysqlWorkerPool(connection: Connection): MysqlWorkerPool {
  const pooled: PooledMysqlConnection = {
    query: (sql, values, callback) => {
      connection.query(sql, values as never).then(
        ([result]) => callback(null, result),
        (error: Error) => callback(error),
      );
    },
    release: () => {},
  };
  const pool: MysqlWorkerPool = {
    getConnection: (callback) => callback(null, pooled),
    end: (callback) => callback?.(null),
    on: () => pool,
  };
  return pool;
}
