import type pg from 'pg';
import type { PostgresSettings } from '../../engines/postgres/options.js';
import { openPostgresSession } from '../../engines/postgres/session.js';
import type { PostgresSession } from '../../engines/postgres/session.js';
import type { SpecControl, SpecEngine, SpecSpace } from '../spec-engine.js';
import { POSTGRES_DIALECT } from './dialect.js';
import { runScript } from './simple-query.js';

function specSettings(db: string | null): PostgresSettings {
  return { db, gate: false, schema: null, reuseSchema: false, statementTimeoutMs: 0, timeline: false, lockTimeoutMs: 0, keep: false };
}

/** The tester's control connection: the spec's setup and teardown, and the function PostgreSQL made for the tester to ask whether a session waits. */
function postgresControl(admin: pg.ClientBase): SpecControl {
  return {
    run: (sql) => runScript(admin, sql),
    isBlocked: async (pid, among) => {
      const { rows } = await admin.query<{ blocked: boolean }>('SELECT pg_catalog.pg_isolation_test_session_is_blocked($1, $2) AS blocked', [pid, among]);
      return rows[0]?.blocked === true;
    },
    holders: async (pid, among) => {
      const { rows } = await admin.query<{ holders: number[] }>('SELECT pg_catalog.pg_blocking_pids($1) AS holders', [pid]);
      return (rows[0]?.holders ?? []).filter((holder) => among.includes(holder));
    },
    cancel: async (pid) => {
      await admin.query('SELECT pg_cancel_backend($1)', [pid]);
    },
  };
}

/** A new schema for a spec run, the coordinator's search_path on it. */
async function freshSpace(session: PostgresSession, signal: AbortSignal, stepTimeoutMs: number): Promise<SpecSpace> {
  const fresh = await session.freshSchema(signal);
  const { admin } = session;
  try {
    // A teardown that waits for a lock a session's open transaction holds would wait for ever (the tester's does).
    await admin.query(`SET lock_timeout = ${stepTimeoutMs}`);
  } catch (error) {
    await fresh.drop();
    throw error;
  }
  return {
    control: postgresControl(admin),
    target: { engine: 'postgres', connection: session.server.connection, schema: fresh.schema.name },
    drop: async () => {
      await admin.query('RESET lock_timeout').catch(() => undefined);
      await fresh.drop();
    },
  };
}

/** Specs on PostgreSQL: the embedded server unless --db, as for races. */
export const postgresSpecEngine: SpecEngine = {
  dialect: POSTGRES_DIALECT,
  open: async ({ db, signal, log, sessions }) => {
    const session = await openPostgresSession({ settings: specSettings(db), signal, log, threadsMayStart: () => {}, clients: sessions });
    return {
      serverVersion: session.serverVersion,
      freshSpace: (spaceSignal, stepTimeoutMs) => freshSpace(session, spaceSignal, stepTimeoutMs),
      close: async () => {
        await session.close();
      },
    };
  },
};
