import type { ClassifiedError, FailureKind } from '../../protocol.js';

/** SQLSTATEs the rig tells apart; see https://www.postgresql.org/docs/current/errcodes-appendix.html */
export const SQLSTATE = {
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  lockNotAvailable: '55P03',
  queryCanceled: '57014',
} as const;

/** The SQLSTATE of a driver error, if it carries one (pg's DatabaseError puts it in `code`). */
export function sqlstateOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  const { code } = error as { code: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** Whether an error is the database's with this SQLSTATE (a business outcome, not a failure). */
export function hasSqlstate(error: unknown, code: string): boolean {
  return sqlstateOf(error) === code;
}

/** Which failure kind a database error is, by SQLSTATE, never by message. */
export function failureKindOf(sqlstate: string | null): Exclude<FailureKind, 'maxRetries'> {
  switch (sqlstate) {
    case SQLSTATE.serializationFailure:
      return 'serialization';
    case SQLSTATE.deadlockDetected:
      return 'deadlock';
    // lock_timeout expired
    case SQLSTATE.lockNotAvailable:
      return 'lockTimeout';
    // statement_timeout expired (or someone ran pg_cancel_backend)
    case SQLSTATE.queryCanceled:
      return 'statementTimeout';
    default:
      return 'other';
  }
}


/**
 * Whether the worker's connection can still be used after this error. Class 08 is a
 * connection exception, 57P0x an operator intervention (the backend was terminated or the
 * server is shutting down); an error without a SQLSTATE came from the socket, not the server.
 */
export function isConnectionLost(sqlstate: string | null): boolean {
  return sqlstate === null || sqlstate.startsWith('08') || /^57P0[1-4]$/.test(sqlstate);
}

/** A PostgreSQL error for the operation loop: serialization failures and deadlocks are retryable. */
export function classifyPostgresError(error: unknown): ClassifiedError {
  const code = sqlstateOf(error);
  const kind = failureKindOf(code);
  return {
    code,
    message: error instanceof Error ? error.message : String(error),
    kind,
    retryCause: kind === 'serialization' || kind === 'deadlock' ? kind : null,
    connectionLost: isConnectionLost(code),
  };
}
