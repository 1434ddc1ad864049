import type { Connection, RowDataPacket } from 'mysql2/promise';
import { newHold } from '../gate-opening.js';
import type { GateServer } from '../gate-opening.js';
import type { MysqlGate } from './types.js';

/**
 * MySQL's server-side start gate, on the steps of gate-opening.ts. The coordinator holds an
 * exclusive lock on the gate table's one row in an open transaction. Each worker, once released
 * from the barrier, sends GATE_SQL and its first critical statement as one query: the shared
 * lock waits for the coordinator; once granted, the statement sleeps until the instant the
 * coordinator wrote into the row (SYSDATE(6) is read after the lock was granted; NOW(6) would be
 * the statement's start), and then the critical statement runs, already in the server's hands.
 * The coordinator opens by writing the instant and committing: InnoDB grants every waiting
 * shared lock at once. The gate's `t`, read after the sleep, is the start of a first statement
 * that selects no clock of its own (an UPDATE).
 */
export const GATE_SQL =
  'SELECT SLEEP(COALESCE(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, SYSDATE(6), opens_at)), 0) / 1000000) AS slept, ' +
  'UNIX_TIMESTAMP(SYSDATE(6)) * 1000 AS t FROM race_rig_gate LOCK IN SHARE MODE';

export function newMysqlGate(): MysqlGate {
  return { hold: newHold() };
}

/** Creates the gate table in the run's database and closes the gate (`gateConnection` keeps the lock until it opens). */
export async function closeMysqlGate(admin: Connection, gateConnection: Connection): Promise<void> {
  await admin.query('CREATE TABLE race_rig_gate (opens_at DATETIME(6) NULL) ENGINE=InnoDB; INSERT INTO race_rig_gate VALUES (NULL)');
  await gateConnection.query('START TRANSACTION');
  await gateConnection.query('SELECT opens_at FROM race_rig_gate FOR UPDATE');
  // Seeing other users' connections needs the PROCESS privilege: find out now, while the barrier alone can still be used instead.
  await waitingAtGate(gateConnection);
}

/**
 * The run's connections inside GATE_SQL. Counted from the process list, not from INNODB_TRX's
 * lock waits: MariaDB serves those from a cache that lagged seconds behind here, with every
 * worker long queued. A connection counted a moment before its lock request is queued still
 * meets the gate: it reads the opening instant and sleeps until it.
 */
async function waitingAtGate(connection: Connection): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE '%FROM race_rig_gate LOCK IN SHARE MODE%'",
  );
  return Number(rows[0]?.waiting ?? 0);
}

/** The gate as gate-opening.ts opens it. */
export function mysqlGate(gateConnection: Connection): GateServer {
  return {
    waiting: () => waitingAtGate(gateConnection),
    open: async (marginMs) => {
      if (marginMs !== null) await gateConnection.query('UPDATE race_rig_gate SET opens_at = NOW(6) + INTERVAL ? MICROSECOND', [Math.round(marginMs * 1000)]);
      await gateConnection.query('COMMIT');
    },
  };
}
