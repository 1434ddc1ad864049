import type { ConnectionSpec } from '../protocol.js';

/** Where the data lives: an embedded or an external PostgreSQL, or a SQLite file. */
export type EngineName = 'embedded' | 'external' | 'sqlite';

/** A PostgreSQL server the run can use, however it came to be. */
export interface Database {
  readonly engine: EngineName;
  /** How workers and the coordinator connect (may hold a password: never print it). */
  readonly connection: ConnectionSpec;
  /** Where the server is, safe to print. */
  readonly displayUrl: string;
  /** Stops what the engine started; a no-op for a server the rig did not start. */
  stop(): Promise<void>;
  /** What went wrong with a server the rig started (it exited, say), or null while it is fine. */
  trouble(): string | null;
}
