import { startEmbedded } from './embedded-server.js';

/**
 * Connections beyond the workers: the coordinator, a pool of an application under test (a
 * scenario's app(), pg's default of 10, started beside the workers' own), and room for a curious psql.
 */
export const EMBEDDED_HEADROOM = 30;

export interface EmbeddedServer {
  /** postgres:// URL of the server, password included: pass it as `db`, never print it. */
  readonly url: string;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL to share between several runs (each run still works in its own
 * schema): `runRace({ db: server.url, … })`. The same server the rig starts when no `db` is
 * given, durability off; `durable: true` keeps fsync and synchronous commit on.
 */
export async function startEmbeddedPostgres({ maxConnections = 100 + EMBEDDED_HEADROOM, durable = false }: { maxConnections?: number; durable?: boolean } = {}): Promise<EmbeddedServer> {
  const { tcpUrl, stop } = await startEmbedded({ maxConnections, durable });
  return { url: tcpUrl, stop };
}
