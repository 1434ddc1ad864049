import type { Connection, RowDataPacket } from 'mysql2/promise';
import { WAITING_STATES } from '../../engines/mysql/lock-waits.js';
import { DatabaseError, errorMessage } from '../../errors.js';

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

async function readLockState(control: Connection, pid: number): Promise<{ state: string; status: string }> {
  const [results] = await control.query<RowDataPacket[][]>(`SELECT STATE AS state FROM information_schema.PROCESSLIST WHERE ID = ${Number(pid)}; SHOW ENGINE INNODB STATUS`);
  return { state: String(results[0]?.[0]?.state ?? ''), status: String(results[1]?.[0]?.Status ?? '') };
}

/**
 * Whether connection `pid` waits for a lock, as the server holds it at this moment: a row lock
 * from InnoDB's status, a named or metadata lock (GET_LOCK, DDL) from the process list. Not
 * information_schema.INNODB_TRX or INNODB_LOCK_WAITS, which explore reads (lock-waits.ts in the
 * engine): InnoDB serves those from a cache it refreshes only when nobody has read it for 100 ms,
 * so polled every 10 ms, as the tester polls, they never change (measured on MariaDB 10.11: a
 * lock wait still listed 3 s after it ended), and read every 101 ms they tell a wait up to 100 ms
 * late. The status and the process list are read live: a wait shows within one poll.
 */
export async function waitsForLock(control: Connection, pid: number): Promise<boolean> {
  const { state, status } = await readLockState(control, pid);
  return WAITING_STATES.includes(state) || lockWaitingConnections(status).has(pid);
}

/** Fails with one line when the server will not show its lock waits to this user (SHOW ENGINE INNODB STATUS needs PROCESS). */
export async function checkLockWaitsVisible(control: Connection): Promise<void> {
  let status: string;
  try {
    status = (await readLockState(control, 0)).status;
  } catch (error) {
    throw new DatabaseError(`race-rig cannot see the server's lock waits (${errorMessage(error)}); the user in --db needs the PROCESS privilege (GRANT PROCESS ON *.* TO …)`);
  }
  if (!status.includes(TRANSACTIONS)) throw new DatabaseError('race-rig cannot read the lock waits from SHOW ENGINE INNODB STATUS on this server: is InnoDB its storage engine?');
}
