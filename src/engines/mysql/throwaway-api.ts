import { startThrowawayMysql } from './throwaway.js';

export interface ThrowawayMysql {
  /** mysql:// URL of the server over loopback TCP, password included: pass it as `db`, never print it. */
  readonly url: string;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

/**
 * A throwaway MariaDB (or MySQL) from the installed server binary, to share between several runs
 * (each run still works in a database of its own): `runRace({ engine: 'mysql', db: server.url, … })`.
 * The server the rig starts when no `db` is given; throws a DatabaseError when none is installed.
 */
export async function startThrowawayMysqlServer({ maxConnections = 110 }: { maxConnections?: number } = {}): Promise<ThrowawayMysql> {
  const { tcpUrl, stop } = await startThrowawayMysql({ maxConnections });
  return { url: tcpUrl, stop };
}
