import type { ConnectionSpec } from '../engines/postgres/types.js';

/**
 * The coordinator drives each session thread through a SharedArrayBuffer, as the start barrier
 * does: it writes a command and notifies; the session thread sleeps in Atomics.wait until then,
 * runs the command on its own connection, and posts the result back.
 */
export const SLOT = { command: 0, argument: 1 } as const;
export const COMMAND = { none: 0, runStep: 1, exit: 2 } as const;

export interface SessionWorkerData {
  readonly name: string;
  readonly connection: ConnectionSpec;
  readonly schema: string;
  /** `default_transaction_isolation` for the session, or null for the server's default. */
  readonly isolation: string | null;
  readonly setup: readonly string[];
  /** The SQL of the session's steps, by index. */
  readonly steps: readonly string[];
  /** Run on the session's connection before it closes. */
  readonly teardown: readonly string[];
  readonly control: SharedArrayBuffer;
}

/** One statement's result, as the tester prints it. */
export interface StatementOutput {
  readonly fields: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export interface StepError {
  readonly code: string | null;
  readonly message: string;
}

export type SessionMessage =
  | { readonly kind: 'ready'; readonly pid: number }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'step'; readonly step: number; readonly outputs: readonly StatementOutput[]; readonly error: StepError | null; readonly notices: readonly string[] };
