import type pg from 'pg';
import { runSignal, untilAborted } from '../abort.js';
import type { PostgresSettings } from '../engines/postgres/options.js';
import { openPostgresSession } from '../engines/postgres/session.js';
import type { PostgresSession } from '../engines/postgres/session.js';
import { runStep } from '../engines/step.js';
import { DatabaseError, errorMessage } from '../errors.js';
import { LEVELS } from './levels.js';
import type { LevelName } from './levels.js';
import { runPermutation } from './schedule.js';
import type { PermutationOutcome } from './schedule.js';
import { SessionThread } from './session-thread.js';
import type { PermutationStep, Spec } from './spec.js';

export interface SpecRunOptions {
  /** `postgres://…` URL of an existing server; without it an embedded PostgreSQL is started. */
  readonly db?: string;
  /** How long a step may stay blocked at the end of a permutation before it is cancelled (default 10 s). */
  readonly stepTimeoutMs?: number;
  /** The whole command's limit in ms (default 600000). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Told what the rig is doing, a line at a time (the CLI prints them with --verbose). */
  readonly onLog?: (line: string) => void;
}

export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
const SESSION_START_TIMEOUT_MS = 30_000;
/** Sessions per spec the server must have room for. */
const MAX_SESSIONS = 20;

export interface SpecDatabase {
  readonly serverVersion: string;
  /**
   * One permutation on fresh data: a new schema, the spec's setup, a thread and connection per
   * session (at `level`, or the server's default), the steps, then teardown and the schema dropped.
   */
  run(spec: Spec, permutation: readonly PermutationStep[], level: LevelName | null): Promise<PermutationOutcome>;
}

function specSettings(db: string | undefined): PostgresSettings {
  return { db: db ?? null, gate: false, schema: null, reuseSchema: false, statementTimeoutMs: 0, timeline: false, lockTimeoutMs: 0, keep: false };
}

async function runSql(what: string, admin: pg.ClientBase, statements: readonly string[], signal: AbortSignal): Promise<void> {
  for (const sql of statements) await runStep(what, () => admin.query(sql), signal);
}

async function stopSessions(sessions: SessionThread[]): Promise<void> {
  await Promise.all(sessions.splice(0).map((session) => session.stop()));
}

async function startSessions(session: PostgresSession, spec: Spec, schema: string, level: LevelName | null, signal: AbortSignal, sessions: SessionThread[]): Promise<Map<string, SessionThread>> {
  const starting = await untilAborted(
    Promise.allSettled(
      spec.sessions.map((specSession) =>
        SessionThread.start(
          {
            name: specSession.name,
            connection: session.server.connection,
            schema,
            isolation: level ? LEVELS[level] : null,
            setup: specSession.setup,
            steps: specSession.steps.map((step) => step.sql),
            teardown: specSession.teardown,
          },
          SESSION_START_TIMEOUT_MS,
        ),
      ),
    ),
    signal,
  );
  const started = starting.flatMap((settled) => (settled.status === 'fulfilled' ? [settled.value] : []));
  sessions.push(...started);
  const failed = starting.find((settled) => settled.status === 'rejected');
  if (failed) throw new DatabaseError(`a spec session could not start: ${errorMessage(failed.reason)}`);
  return new Map(started.map((thread) => [thread.name, thread]));
}

async function runOnFreshData(session: PostgresSession, spec: Spec, permutation: readonly PermutationStep[], level: LevelName | null, signal: AbortSignal, stepTimeoutMs: number): Promise<PermutationOutcome> {
  const fresh = await session.freshSchema(signal);
  const sessions: SessionThread[] = [];
  try {
    await runSql(`the spec's setup`, session.admin, spec.setup, signal);
    const threads = await startSessions(session, spec, fresh.schema.name, level, signal, sessions);
    const outcome = await untilAborted(runPermutation(spec, permutation, threads, session.admin, stepTimeoutMs), signal);
    await stopSessions(sessions);
    await runSql(`the spec's teardown`, session.admin, spec.teardown, signal);
    return outcome;
  } finally {
    await stopSessions(sessions);
    await fresh.drop();
  }
}

/**
 * Opens a PostgreSQL engine session (embedded unless `db` is given) for a series of permutations,
 * and closes it at the end, also on error, abort or timeout.
 */
export async function withSpecDatabase<T>(options: SpecRunOptions, use: (database: SpecDatabase) => Promise<T>): Promise<T> {
  const { signal, dispose } = runSignal(options.signal, options.timeoutMs ?? 600_000);
  const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  let session: PostgresSession | undefined;
  try {
    session = await openPostgresSession({ settings: specSettings(options.db), signal, log: (line) => options.onLog?.(line), threadsMayStart: () => {}, clients: MAX_SESSIONS });
    const open = session;
    return await use({ serverVersion: open.serverVersion, run: (spec, permutation, level) => runOnFreshData(open, spec, permutation, level, signal, stepTimeoutMs) });
  } finally {
    await session?.close();
    dispose();
  }
}
