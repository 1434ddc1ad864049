import type { Connection, RowDataPacket } from 'mysql2/promise';
import { throwIfAborted } from '../../abort.js';
import { CapacityError, errorMessage } from '../../errors.js';
import { runStep } from '../step.js';
import type { EngineSession, SessionRequest } from '../types.js';
import { connectMysql } from './connect.js';
import type { MysqlSettings } from './options.js';
import { prepareMysqlRun } from './run.js';
import { startThrowawayMysql } from './throwaway.js';
import type { MysqlServer } from './types.js';
import { useExternalMysql } from './url.js';

/** Connections beyond the workers: the coordinator, the gate's, and room for a curious client. */
const THROWAWAY_HEADROOM = 10;
/** The coordinator's and the gate's. */
const RIG_CONNECTIONS = 2;

async function openServer(settings: MysqlSettings, workers: number, log: (line: string) => void): Promise<MysqlServer> {
  if (settings.db !== null) return useExternalMysql(settings.db);
  return startThrowawayMysql({ maxConnections: workers + THROWAWAY_HEADROOM, log });
}

/** Checks, before any thread starts, that the server has a connection for every worker and the gate. */
async function checkCapacity(admin: Connection, workers: number): Promise<void> {
  // SHOW, not information_schema.GLOBAL_STATUS, which MySQL 8 no longer has.
  const [limit] = await admin.query<RowDataPacket[]>('SELECT @@max_connections AS max');
  const [status] = await admin.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Threads_connected'");
  const max = Number(limit[0]?.max ?? 0);
  const used = Number(status[0]?.Value ?? 0);
  const free = max - used;
  const needed = workers + RIG_CONNECTIONS - 1;
  if (free < needed) {
    throw new CapacityError(`the server has max_connections=${max} (${used} in use), so ${free} are free; this run needs ${needed}, one per worker and one for the gate. Lower --workers or raise max_connections.`);
  }
}

/**
 * A MySQL session: the server (a throwaway MariaDB from the installed binary unless --db) and the
 * coordinator's connection. Each run works in a database of its own, dropped afterwards.
 */
export async function openMysqlSession(request: SessionRequest<MysqlSettings>): Promise<EngineSession> {
  const { settings, signal, log } = request;
  if (settings.db === null) request.threadsMayStart();
  const server = await openServer(settings, request.common.workers, log);
  let admin: Connection | undefined;
  try {
    throwIfAborted(signal);
    admin = await connectMysql(server.connection, server.displayUrl);
    const connected = admin;
    await runStep('checking the server', () => checkCapacity(connected, request.common.workers), signal);
    request.threadsMayStart();
    const [rows] = await runStep('reading the server version', () => connected.query<RowDataPacket[]>('SELECT VERSION() AS version'), signal);
    const version = String(rows[0]?.version ?? 'unknown');
    log(`${version} at ${server.displayUrl}`);
    return {
      kind: server.kind,
      url: server.displayUrl,
      serverVersion: version,
      prepare: (run) => prepareMysqlRun({ server, admin: connected, settings, log }, run),
      trouble: () => server.trouble(),
      close: async () => {
        await connected.end().catch(() => connected.destroy());
        try {
          await server.stop();
          return [];
        } catch (error) {
          return [`the throwaway MariaDB did not stop cleanly: ${errorMessage(error)}`];
        }
      },
    };
  } catch (error) {
    admin?.destroy();
    await server.stop().catch(() => undefined);
    throw error;
  }
}
