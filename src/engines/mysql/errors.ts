import type { ClassifiedError, FailureKind } from '../../protocol.js';

/**
 * The server error numbers the rig tells apart (the same on MySQL and MariaDB):
 * https://mariadb.com/kb/en/mariadb-error-codes/
 */
export const ER = {
  /** ER_LOCK_DEADLOCK, SQLSTATE 40001: InnoDB chose this transaction as the deadlock's victim and rolled it back. */
  deadlock: 1213,
  /** ER_LOCK_WAIT_TIMEOUT: innodb_lock_wait_timeout expired (only the statement is rolled back). */
  lockWaitTimeout: 1205,
  /** ER_CHECKREAD: MariaDB's innodb_snapshot_isolation found the row changed since the snapshot. */
  snapshotConflict: 1020,
  /** ER_QUERY_INTERRUPTED / max_statement_time (MariaDB 1969, MySQL 3024). */
  queryInterrupted: 1317,
  statementTimeMariadb: 1969,
  statementTimeMysql: 3024,
  /** ER_DUP_ENTRY, SQLSTATE 23000: a unique key already holds the value (a scenario's outcome, not retried). */
  duplicateKey: 1062,
  /** ER_SIGNAL_EXCEPTION: SIGNAL SQLSTATE '45000', a trigger's own refusal (a scenario's outcome). */
  signalException: 1644,
} as const;

interface DriverError {
  readonly errno?: number;
  readonly sqlState?: string;
  readonly fatal?: boolean;
  readonly code?: string;
}

function driverError(error: unknown): DriverError {
  return typeof error === 'object' && error !== null ? (error as DriverError) : {};
}

/** The server's error number of a driver error, or null (a socket error has none). */
export function errnoOf(error: unknown): number | null {
  const { errno, sqlState } = driverError(error);
  // Socket errors carry a negative errno and no SQLSTATE.
  return typeof errno === 'number' && errno > 0 && typeof sqlState === 'string' ? errno : null;
}

function failureKindOf(errno: number | null): Exclude<FailureKind, 'maxRetries'> {
  switch (errno) {
    case ER.deadlock:
      return 'deadlock';
    case ER.snapshotConflict:
      return 'serialization';
    case ER.lockWaitTimeout:
      return 'lockTimeout';
    case ER.queryInterrupted:
    case ER.statementTimeMariadb:
    case ER.statementTimeMysql:
      return 'statementTimeout';
    default:
      return 'other';
  }
}

/**
 * A MySQL error for the operation loop, by the server's error number, never by message: a
 * deadlock (1213) and MariaDB's snapshot conflict (1020) are retryable. The code shown is the
 * number and its SQLSTATE, `1213 (40001)`. A fatal driver error means the connection is gone.
 */
export function classifyMysqlError(error: unknown): ClassifiedError {
  const { sqlState, fatal, code: driverCode } = driverError(error);
  const errno = errnoOf(error);
  const kind = failureKindOf(errno);
  return {
    code: errno === null ? (driverCode ?? null) : `${errno} (${sqlState})`,
    message: error instanceof Error ? error.message : String(error),
    kind,
    retryCause: kind === 'serialization' || kind === 'deadlock' ? kind : null,
    connectionLost: fatal === true || errno === null,
  };
}
