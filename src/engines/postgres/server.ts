import { EMBEDDED_HEADROOM } from './embedded.js';
import { startEmbedded } from './embedded-server.js';
import { useExternal } from './external.js';
import type { PostgresServer } from './types.js';

/** The server for a session: the one at `db`, or a fresh embedded one sized for `workers`. */
export async function openServer({ db, workers, log }: { db: string | null; workers: number; log: (line: string) => void }): Promise<PostgresServer> {
  if (db !== null) return useExternal(db);
  return startEmbedded({ maxConnections: workers + EMBEDDED_HEADROOM, log });
}
