import type pg from 'pg';
import { runSignal, throwIfAborted, untilAborted } from '../abort.js';
import { connectCoordinator } from '../db/connect.js';
import { prepareRunSchema } from '../db/schema.js';
import { openDatabase } from '../engines/index.js';
import type { Database } from '../engines/types.js';
import { DatabaseError, errorMessage, RigError } from '../errors.js';
import { tearDown, tearDownSchema } from '../teardown.js';
import type { RunResources } from '../teardown.js';
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
}

export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
const SESSION_START_TIMEOUT_MS = 30_000;
/** Sessions per spec the embedded server is sized for. */
const MAX_SESSIONS = 20;

export interface SpecDatabase {
  readonly database: Database;
  readonly serverVersion: string;
  /**
   * One permutation on fresh data: a new schema, the spec's setup, a thread and connection per
   * session (at `level`, or the server's default), the steps, then teardown and the schema dropped.
   */
  run(spec: Spec, permutation: readonly PermutationStep[], level: LevelName | null): Promise<PermutationOutcome>;
}

/**
 * Opens the database (embedded unless `db` is given) for a series of permutations and removes
 * everything at the end, also on error, abort or timeout.
 */
export async function withSpecDatabase<T>(options: SpecRunOptions, use: (database: SpecDatabase) => Promise<T>): Promise<T> {
  const { signal, dispose } = runSignal(options.signal, options.timeoutMs ?? 600_000);
  const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const resources: RunResources = {};
  const sessions: SessionThread[] = [];
  try {
    const database = await openDatabase({ db: options.db ?? null, workers: MAX_SESSIONS });
    resources.database = database;
    throwIfAborted(signal);
    const admin = await connectCoordinator(database);
    resources.admin = admin;
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    const serverVersion = rows[0]?.server_version ?? 'unknown';

    const run = async (spec: Spec, permutation: readonly PermutationStep[], level: LevelName | null) => {
      const schema = await prepareRunSchema(admin, { name: null, reuse: false });
      resources.schema = schema;
      try {
        await step(`the spec's setup`, admin, spec.setup, signal);
        const starting = await untilAborted(
          Promise.allSettled(
            spec.sessions.map((session) =>
              SessionThread.start(
                {
                  name: session.name,
                  connection: database.connection,
                  schema: schema.name,
                  isolation: level ? LEVELS[level] : null,
                  setup: session.setup,
                  steps: session.steps.map((s) => s.sql),
                  teardown: session.teardown,
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
        const outcome = await untilAborted(runPermutation(spec, permutation, new Map(started.map((thread) => [thread.name, thread])), admin, stepTimeoutMs), signal);
        await stopSessions(sessions);
        await step(`the spec's teardown`, admin, spec.teardown, signal);
        return outcome;
      } finally {
        await stopSessions(sessions);
        await tearDownSchema(resources, { keepSchema: false, always: true });
      }
    };
    return await use({ database, serverVersion, run });
  } finally {
    await stopSessions(sessions);
    await tearDown(resources, { keepSchema: false });
    dispose();
  }
}

async function step(what: string, admin: pg.ClientBase, statements: readonly string[], signal: AbortSignal): Promise<void> {
  for (const sql of statements) {
    try {
      await untilAborted(admin.query(sql), signal);
    } catch (error) {
      throw error instanceof RigError ? error : new DatabaseError(`${what} failed: ${errorMessage(error)}`);
    }
  }
}

async function stopSessions(sessions: SessionThread[]): Promise<void> {
  await Promise.all(sessions.splice(0).map((session) => session.stop()));
}
