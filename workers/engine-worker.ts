import type { ErrorClassifier } from '../src/protocol.js';
import type { WorkerSession } from '../src/scenarios/types.js';
import type { TimelineRecorder } from '../src/timeline/recorder.js';

/** What the worker thread needs from an engine, whichever it is. */
export interface EngineWorker {
  readonly session: WorkerSession;
  /** Whether the mode retries conflicts, serialization failures, deadlocks, busy errors. */
  readonly retries: boolean;
  readonly classify: ErrorClassifier;
  /** The worker's statement recorder for `--timeline`, or null. */
  readonly timeline: TimelineRecorder | null;
  /** Ends the transaction a failed attempt left open. */
  rollback(): Promise<void>;
  /** Clock (epoch ms) at the first critical statement, or null. */
  firstStatementAtMs(): number | null;
  /** Called the instant the barrier released the worker (the PostgreSQL gate queues here). */
  released(): void;
  /** Throws when something around the operations failed (the gate). */
  check(): void;
  close(): Promise<void>;
}
