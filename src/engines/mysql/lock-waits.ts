import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { LockWait } from '../../protocol.js';

/**
 * MariaDB serves INNODB_TRX and INNODB_LOCK_WAITS from a cache it refreshes only when nobody has
 * read it for 100 ms (trx0i_s.cc: the time since the last *read*, not the last refresh): polled
 * every few milliseconds it never refreshes at all. So reads are spaced a little more than that,
 * which makes every read a fresh one.
 */
const INNODB_CACHE_REFRESH_MS = 101;

/** Process-list states of a connection waiting for a lock outside InnoDB's rows (GET_LOCK, a table's metadata). */
export const WAITING_STATES = ['User lock', 'Waiting for table metadata lock'];

/** Each waiting connection with a connection that holds it up, by CONNECTION_ID(). */
const ROW_LOCK_WAITS = {
  mariadb: `SELECT r.trx_mysql_thread_id AS waiter, b.trx_mysql_thread_id AS blocker
              FROM information_schema.INNODB_TRX r
              LEFT JOIN information_schema.INNODB_LOCK_WAITS w ON w.requested_lock_id = r.trx_requested_lock_id
              LEFT JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
             WHERE r.trx_state = 'LOCK WAIT'`,
  mysql: `SELECT r.PROCESSLIST_ID AS waiter, b.PROCESSLIST_ID AS blocker
            FROM performance_schema.data_lock_waits w
            JOIN performance_schema.threads r ON r.THREAD_ID = w.REQUESTING_THREAD_ID
            JOIN performance_schema.threads b ON b.THREAD_ID = w.BLOCKING_THREAD_ID`,
} as const;

/**
 * Who waits for whom among the run's connections, for `explore`: InnoDB row-lock waits with
 * their blockers, and named-lock (GET_LOCK) and metadata-lock waits from the process list
 * (blockers unknown). Connection ids are CONNECTION_ID()s.
 */
export class InnodbLockWaits {
  private lastReadAt = 0;

  /** `mariadb`: InnoDB's information_schema tables; `mysql` (8 and later): performance_schema.data_lock_waits, which is live. */
  constructor(
    private readonly connection: Connection,
    private readonly flavour: 'mariadb' | 'mysql',
  ) {}

  async lockWaits(ids: readonly number[], among: readonly number[]): Promise<LockWait[]> {
    const wait = this.lastReadAt + INNODB_CACHE_REFRESH_MS - performance.now();
    if (this.flavour === 'mariadb' && wait > 0) await sleep(wait);
    const [rows] = await this.connection.query<RowDataPacket[]>(`${ROW_LOCK_WAITS[this.flavour]} UNION ALL SELECT ID, NULL FROM information_schema.PROCESSLIST WHERE STATE IN (?)`, [WAITING_STATES]);
    this.lastReadAt = performance.now();
    return ids.map((id) => {
      const mine = rows.filter((row) => Number(row.waiter) === id);
      const blockers = [...new Set(mine.map((row) => Number(row.blocker)).filter((blocker) => among.includes(blocker) && blocker !== id))];
      return { blocked: mine.length > 0, blockers };
    });
  }
}
