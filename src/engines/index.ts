import { EMBEDDED_HEADROOM, startEmbedded } from './embedded.js';
import { useExternal } from './external.js';
import type { Database } from './types.js';

/** The server for a run: the one at `db`, or a fresh embedded one sized for the workers. */
export async function openDatabase({ db, workers, log }: { db: string | null; workers: number; log?: (line: string) => void }): Promise<Database> {
  if (db !== null) return useExternal(db);
  return startEmbedded({ maxConnections: workers + EMBEDDED_HEADROOM, log });
}

export type { Database, EngineName } from './types.js';
