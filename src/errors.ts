/**
 * The rig's own failures. Each has a stable `code` so that callers (and the CLI boundary)
 * can tell them apart with `instanceof` or by code, never by parsing the message, and each
 * message is one line that names the cause and, where there is one, the fix.
 */
export class RigError extends Error {
  readonly code: string = 'RIG_ERROR';
  /** Exit code the CLI uses for this failure. */
  readonly exitCode: number = 2;
}

/** A flag or option value that the rig cannot run with. */
export class InvalidOptionError extends RigError {
  override readonly code = 'RIG_INVALID_OPTION';
}

/** Not every worker reached the start barrier in time, or one failed before it. */
export class BarrierError extends RigError {
  override readonly code = 'RIG_BARRIER';
  constructor(
    message: string,
    readonly arrived: number,
    readonly parties: number,
  ) {
    super(message);
  }
}

/** The database could not be started, reached, or used for this run. */
export class DatabaseError extends RigError {
  override readonly code = 'RIG_DATABASE';
}

/** The server has fewer free connections than the run needs. */
export class CapacityError extends RigError {
  override readonly code = 'RIG_CAPACITY';
}

/** A worker thread failed in a way that is not a counted failure of one operation. */
export class WorkerError extends RigError {
  override readonly code = 'RIG_WORKER';
}

/** The whole run took longer than --timeout. */
export class RunTimeoutError extends RigError {
  override readonly code = 'RIG_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(
      `the run did not finish within --timeout ${timeoutMs} ms and was stopped; raise --timeout, ` +
        'or look for a lock that never comes (--lock-timeout, --statement-timeout)',
    );
  }
}

/** The run was interrupted (Ctrl-C, SIGTERM, or an aborted signal). */
export class AbortedError extends RigError {
  override readonly code = 'RIG_ABORTED';
  override readonly exitCode: number;
  constructor(readonly reason: string) {
    super(`interrupted by ${reason}; cleaned up`);
    this.exitCode = reason === 'SIGTERM' ? 143 : 130;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
