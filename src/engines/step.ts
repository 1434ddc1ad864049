import { untilAborted } from '../abort.js';
import { DatabaseError, errorMessage, RigError } from '../errors.js';

/**
 * One step of an engine's set-up or verification: it gives up as soon as the run is aborted, and
 * a database error becomes one clear DatabaseError that says which step failed.
 */
export function runStep<T>(what: string, action: () => Promise<T>, signal: AbortSignal): Promise<T> {
  return untilAborted(action(), signal).catch((error: unknown) => {
    throw error instanceof RigError ? error : new DatabaseError(`${what} failed: ${errorMessage(error)}`, { cause: error });
  });
}
