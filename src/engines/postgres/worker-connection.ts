import pg from 'pg';
import type { WorkerTask } from '../../protocol.js';
import type { PostgresTarget } from './types.js';

/** A worker's own pg client, the error that broke it (if one did), and how the worker lets it go. */
export interface WorkerConnection {
  readonly client: pg.Client;
  brokenBy(): unknown;
  release(): Promise<void>;
}

/** The worker's session settings, as the connection's `options` (like libpq's PGOPTIONS). */
function sessionOptions({ schema, lockTimeoutMs, statementTimeoutMs }: PostgresTarget): string {
  return [
    `-c search_path=${schema}`,
    ...(lockTimeoutMs > 0 ? [`-c lock_timeout=${lockTimeoutMs}`] : []),
    ...(statementTimeoutMs > 0 ? [`-c statement_timeout=${statementTimeoutMs}`] : []),
  ].join(' ');
}

/** Connection settings for a library that connects by itself: the run's server, schema and timeouts. */
export function libraryConnection(target: PostgresTarget): pg.ClientConfig {
  return { ...target.connection, options: sessionOptions(target) } as pg.ClientConfig;
}

interface Opened {
  readonly key: string;
  readonly client: pg.Client;
  readonly error: { value: unknown };
}

async function open(task: WorkerTask, target: PostgresTarget, key: string): Promise<Opened> {
  const client = new pg.Client({
    ...target.connection,
    application_name: `race-rig worker ${task.index} ${target.schema}`,
    options: sessionOptions(target),
    // Behind the gate, the first critical statement must be on the wire before the gate opens;
    // and a transaction's BEGIN and COMMIT travel with its statements (see StatementRunner).
    pipeline: true,
  } as pg.ClientConfig);
  const error: { value: unknown } = { value: undefined };
  // Without a listener, a connection dropped between queries would crash the thread.
  client.on('error', (cause) => {
    error.value ??= cause;
  });
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => undefined);
    throw cause;
  }
  return { key, client, error };
}

/**
 * The connection explore's last schedule left in this thread, kept for the next one on the same
 * data: opening two connections was the largest part of a schedule. Reused only when nothing
 * broke it, after ROLLBACK and DISCARD ALL put the session back as it was opened.
 */
let kept: Opened | null = null;

/**
 * node-postgres remembers on the connection which named statements it prepared, and then sends
 * only Bind and Execute for them; after DISCARD ALL the server has none, so the client's list goes too.
 */
function forgetPreparedStatements(client: pg.Client): void {
  const connection = (client as unknown as { connection: { parsedStatements: object; submittedNamedStatements: object } }).connection;
  connection.parsedStatements = {};
  connection.submittedNamedStatements = {};
}

async function reused(key: string): Promise<Opened | null> {
  const candidate = kept;
  kept = null;
  if (!candidate) return null;
  if (candidate.key === key && candidate.error.value === undefined) {
    try {
      await candidate.client.query('ROLLBACK');
      await candidate.client.query('DISCARD ALL');
      forgetPreparedStatements(candidate.client);
      return candidate;
    } catch {
      // Not reusable after all: open afresh.
    }
  }
  await candidate.client.end().catch(() => undefined);
  return null;
}

/**
 * The worker's connection. A race opens one and ends it; explore (`keep`) takes the one this
 * thread kept from the last schedule when it reaches the same data, and keeps it again at the end.
 */
export async function workerConnection(task: WorkerTask, target: PostgresTarget, keep: boolean): Promise<WorkerConnection> {
  const key = JSON.stringify([target.connection, target.schema, sessionOptions(target)]);
  const opened = (keep ? await reused(key) : null) ?? (await open(task, target, key));
  return {
    client: opened.client,
    brokenBy: () => opened.error.value,
    release: async () => {
      if (keep && opened.error.value === undefined) kept = opened;
      else await opened.client.end().catch(() => undefined);
    },
  };
}
