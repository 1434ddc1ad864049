import type pg from 'pg';
import { runSignal, untilAborted } from '../abort.js';
import type { PostgresSettings } from '../engines/postgres/options.js';
import { openPostgresSession } from '../engines/postgres/session.js';
import type { PostgresSession } from '../engines/postgres/session.js';
import { DatabaseError, errorMessage } from '../errors.js';
import { LEVELS } from './levels.js';
import type { LevelName } from './levels.js';
import { SpecSetup } from './spec-setup.js';
import { PermutationRun } from './schedule.js';
import type { PermutationOutcome } from './outcome.js';
import { SessionThread } from './session-thread.js';
import { TesterSession, Transcript } from './tester-session.js';
import { permutationLabel } from './format-spec.js';
import type { PermutationStep, Spec } from './spec.js';

export interface SpecRunOptions {
  /** `postgres://…` URL of an existing server; without it an embedded PostgreSQL is started. */
  readonly db?: string;
  /** How long a step may run before it is cancelled (default 10 s). */
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

/** Permutations of one spec, run one after the other on the same sessions. */
export interface SpecRun {
  readonly permutations: readonly PermutationOutcome[];
  /** What the tester would say on standard error: a teardown that failed. */
  readonly warnings: readonly string[];
}

export interface SpecDatabase {
  readonly serverVersion: string;
  /**
   * Runs permutations of a spec as the tester does: in a new schema, with a thread and connection
   * per session (at `level`, or the server's default) kept for all of them; each permutation runs
   * the spec's setup, the sessions' setup, the steps, and the teardowns. The schema is dropped after.
   */
  run(spec: Spec, permutations: readonly (readonly PermutationStep[])[], level: LevelName | null): Promise<SpecRun>;
}

function specSettings(db: string | undefined): PostgresSettings {
  return { db: db ?? null, gate: false, schema: null, reuseSchema: false, statementTimeoutMs: 0, timeline: false, lockTimeoutMs: 0, keep: false };
}

/** Every SQL text a session runs, by index: its steps first, then its setup, then its teardown. */
function scriptsOf(session: Spec['sessions'][number]): string[] {
  return [...session.steps.map((step) => step.sql), ...session.setup, ...session.teardown];
}

async function startSessions(session: PostgresSession, spec: Spec, schema: string, level: LevelName | null, signal: AbortSignal, threads: SessionThread[]): Promise<void> {
  const starting = await untilAborted(
    Promise.allSettled(
      spec.sessions.map((specSession) =>
        SessionThread.start({ name: specSession.name, connection: session.server.connection, schema, isolation: level ? LEVELS[level] : null, scripts: scriptsOf(specSession) }, SESSION_START_TIMEOUT_MS),
      ),
    ),
    signal,
  );
  threads.push(...starting.flatMap((settled) => (settled.status === 'fulfilled' ? [settled.value] : [])));
  const failed = starting.find((settled) => settled.status === 'rejected');
  if (failed) throw new DatabaseError(`a spec session could not start: ${errorMessage(failed.reason)}`);
}

async function runPermutation(spec: Spec, permutation: readonly PermutationStep[], control: pg.ClientBase, sessions: ReadonlyMap<string, TesterSession>, transcript: Transcript, stepTimeoutMs: number): Promise<PermutationOutcome> {
  const started = transcript.text.length;
  transcript.print(`starting permutation:${permutationLabel(permutation)}\n`);
  const setup = new SpecSetup(spec, control, sessions, transcript, stepTimeoutMs);
  await setup.setUp();
  const steps = await new PermutationRun({ spec, sessions, control, transcript, stepTimeoutMs }).run(permutation);
  await setup.tearDown();
  return { permutation, steps, output: transcript.text.slice(started) };
}

async function runOnSessions(session: PostgresSession, spec: Spec, permutations: readonly (readonly PermutationStep[])[], level: LevelName | null, signal: AbortSignal, stepTimeoutMs: number): Promise<SpecRun> {
  const fresh = await session.freshSchema(signal);
  const threads: SessionThread[] = [];
  try {
    // A teardown that waits for a lock a session's open transaction holds would wait for ever (the tester's does).
    await session.admin.query(`SET lock_timeout = ${stepTimeoutMs}`);
    await startSessions(session, spec, fresh.schema.name, level, signal, threads);
    const transcript = new Transcript();
    const sessions = new Map(threads.map((thread) => [thread.name, new TesterSession(thread, transcript)]));
    const outcomes: PermutationOutcome[] = [];
    for (const permutation of permutations) {
      outcomes.push(await untilAborted(runPermutation(spec, permutation, session.admin, sessions, transcript, stepTimeoutMs), signal));
    }
    return { permutations: outcomes, warnings: transcript.warnings };
  } finally {
    await Promise.all(threads.map((thread) => thread.stop()));
    await session.admin.query('RESET lock_timeout').catch(() => undefined);
    await fresh.drop();
  }
}

/**
 * Opens a PostgreSQL engine session (embedded unless `db` is given) for a series of spec runs,
 * and closes it at the end, also on error, abort or timeout.
 */
export async function withSpecDatabase<T>(options: SpecRunOptions, use: (database: SpecDatabase) => Promise<T>): Promise<T> {
  const { signal, dispose } = runSignal(options.signal, options.timeoutMs ?? 600_000);
  const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  let session: PostgresSession | undefined;
  try {
    session = await openPostgresSession({ settings: specSettings(options.db), signal, log: (line) => options.onLog?.(line), threadsMayStart: () => {}, clients: MAX_SESSIONS });
    const open = session;
    return await use({ serverVersion: open.serverVersion, run: (spec, permutations, level) => runOnSessions(open, spec, permutations, level, signal, stepTimeoutMs) });
  } finally {
    await session?.close();
    dispose();
  }
}
