import type { Connection, RowDataPacket } from 'mysql2/promise';
import { DatabaseError, errorMessage } from '../../errors.js';
import type { LockWait } from '../../protocol.js';

/**
 * Which connections wait for a lock at this moment, as `explore` and the spec runner ask after
 * each step. Row locks come from SHOW ENGINE INNODB STATUS, named and metadata locks (GET_LOCK,
 * DDL) from the process list's state; both are read live, in one round trip (about 0.5 ms here).
 * Not information_schema.INNODB_TRX or INNODB_LOCK_WAITS: MariaDB serves those from a cache it
 * refreshes only when nobody has read it for 100 ms (trx0i_s.cc), so polled every few
 * milliseconds they never change (measured on MariaDB 10.11: a lock wait still listed 3 s after
 * it ended). The status does not name the holder; InnoDB breaks a deadlock the moment the wait
 * that closes it begins, so nothing waits on a cycle for the caller to see.
 */

/** Process-list states of a connection waiting for a lock outside InnoDB's rows (GET_LOCK, a table's metadata). */
const WAITING_STATES = ['User lock', 'Waiting for table metadata lock'];

/** Where SHOW ENGINE INNODB STATUS lists the transactions (MariaDB and MySQL alike). */
const TRANSACTIONS = '\nLIST OF TRANSACTIONS FOR EACH SESSION:';
const AFTER_TRANSACTIONS = '\n--------\nFILE I/O';

/**
 * The connections whose transaction waits for a row lock, from SHOW ENGINE INNODB STATUS: each
 * `---TRANSACTION` entry of the list that says `LOCK WAIT` names its connection as `MariaDB
 * thread id N,` (MySQL: `MySQL thread id N,`). The deadlock section above the list is not read.
 */
export function lockWaitingConnections(status: string): Set<number> {
  const start = status.indexOf(TRANSACTIONS);
  if (start < 0) return new Set();
  const end = status.indexOf(AFTER_TRANSACTIONS, start);
  const waiting = new Set<number>();
  for (const transaction of status.slice(start, end < 0 ? undefined : end).split(/^---TRANSACTION /m).slice(1)) {
    const connection = /^\S+ thread id (\d+),/m.exec(transaction);
    if (connection && /^LOCK WAIT /m.test(transaction)) waiting.add(Number(connection[1]));
  }
  return waiting;
}

async function readLockState(connection: Connection): Promise<{ waitingStates: number[]; status: string }> {
  const [results] = await connection.query<RowDataPacket[][]>('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE STATE IN (?); SHOW ENGINE INNODB STATUS', [WAITING_STATES]);
  return { waitingStates: (results[0] ?? []).map((row) => Number(row.id)), status: String(results[1]?.[0]?.Status ?? '') };
}

/** The connections (CONNECTION_ID()s) that wait for a lock now. */
export async function connectionsWaiting(connection: Connection): Promise<Set<number>> {
  const { waitingStates, status } = await readLockState(connection);
  return new Set([...waitingStates, ...lockWaitingConnections(status)]);
}

/** For `explore`: whether each of `ids` waits for a lock (the holders are not named: see above). */
export async function lockWaits(connection: Connection, ids: readonly number[]): Promise<LockWait[]> {
  const waiting = await connectionsWaiting(connection);
  return ids.map((id) => ({ blocked: waiting.has(id), blockers: [] }));
}

/** Fails with one line when the server will not show its lock waits to this user (SHOW ENGINE INNODB STATUS needs PROCESS). */
export async function checkLockWaitsVisible(connection: Connection): Promise<void> {
  let status: string;
  try {
    status = (await readLockState(connection)).status;
  } catch (error) {
    throw new DatabaseError(`race-rig cannot see the server's lock waits (${errorMessage(error)}); the user in --db needs the PROCESS privilege (GRANT PROCESS ON *.* TO …)`);
  }
  if (!status.includes(TRANSACTIONS)) throw new DatabaseError('race-rig cannot read the lock waits from SHOW ENGINE INNODB STATUS on this server: is InnoDB its storage engine?');
}
