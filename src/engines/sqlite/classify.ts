import type { ClassifiedError } from '../../protocol.js';

/**
 * A SQLite error for the operation loop. SQLITE_BUSY (and its extended codes, such as
 * SQLITE_BUSY_SNAPSHOT in WAL mode) and SQLITE_LOCKED mean another connection holds the lock:
 * retryable in modes that retry. A mutex or file lock not granted in time is a lock timeout.
 */
export function classifySqliteError(error: unknown): ClassifiedError {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== null && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
    return { code, message, kind: 'busy', retryCause: 'busy', connectionLost: false };
  }
  if (code === 'RIG_LOCK_TIMEOUT') return { code, message, kind: 'lockTimeout', retryCause: null, connectionLost: false };
  return { code, message, kind: 'other', retryCause: null, connectionLost: false };
}
