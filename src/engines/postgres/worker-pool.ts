import type pg from 'pg';

/**
 * What a query builder or ORM on node-postgres needs of a pool, over the worker's own client, so
 * that a scenario's kysely, drizzle-orm or knex instance uses the one connection the rig opened
 * for the worker (under `explore`, the scheduled one: its statements are scheduling points too).
 * `connect()` hands out that client with a `release()` that keeps it open; `query()` runs on it.
 * A worker runs one operation at a time, so one connection is enough: a second checkout while a
 * transaction is open would share it, so keep one transaction at a time per worker.
 */
export interface WorkerPool {
  connect(): Promise<pg.PoolClient>;
  query: pg.ClientBase['query'];
  /** The pool's clients end with the worker, not with the library: a no-op. */
  end(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): WorkerPool;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export function workerPool(client: pg.ClientBase): WorkerPool {
  const pooled = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'release') return () => {};
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as pg.PoolClient;
  const pool: WorkerPool = {
    connect: async () => pooled,
    query: ((...args: Parameters<pg.ClientBase['query']>) => (client.query as (...a: unknown[]) => unknown)(...args)) as pg.ClientBase['query'],
    end: async () => {},
    on: () => pool,
    totalCount: 1,
    idleCount: 1,
    waitingCount: 0,
  };
  return pool;
}
