import { runSignal, untilAborted } from '../abort.js';
import { DatabaseError, errorMessage } from '../errors.js';
import { LEVELS } from './levels.js';
import type { LevelName } from './levels.js';
import { SpecSetup } from './spec-setup.js';
import { PermutationRun } from './schedule.js';
import type { StepContext } from './schedule.js';
import type { PermutationOutcome } from './outcome.js';
import type { SessionTarget } from './protocol.js';
import { SessionThread } from './session-thread.js';
import type { SpecDialect, SpecEngineName, SpecServer } from './spec-engine.js';
import { specEngineNamed } from './spec-engines.js';
import { TesterSession, Transcript } from './tester-session.js';
import { permutationLabel } from './format-spec.js';
import type { PermutationStep, Spec } from './spec.js';

export interface SpecRunOptions {
  /** `postgres` (the default) or `mysql` (InnoDB: MySQL ≥ 8, MariaDB ≥ 10.6). */
  readonly engine?: SpecEngineName;
  /** URL of an existing server (`postgres://…`, `mysql://…`); without it the rig starts a throwaway one. */
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
export const MAX_SESSIONS = 20;

/** Permutations of one spec, run one after the other on the same sessions. */
export interface SpecRun {
  readonly permutations: readonly PermutationOutcome[];
  /** What the tester would say on standard error: a teardown that failed. */
  readonly warnings: readonly string[];
}

export interface SpecDatabase {
  readonly serverVersion: string;
  readonly dialect: SpecDialect;
  /**
   * Runs permutations of a spec as the tester does: in a new schema (a new database on MySQL),
   * with a thread and connection per session (at `level`, or the server's default) kept for all
   * of them; each permutation runs the spec's setup, the sessions' setup, the steps, and the
   * teardowns. The schema is dropped after.
   */
  run(spec: Spec, permutations: readonly (readonly PermutationStep[])[], level: LevelName | null): Promise<SpecRun>;
}

/** Every SQL text a session runs, by index: its steps first, then its setup, then its teardown. */
function scriptsOf(session: Spec['sessions'][number]): string[] {
  return [...session.steps.map((step) => step.sql), ...session.setup, ...session.teardown];
}

async function startSessions(target: SessionTarget, spec: Spec, level: LevelName | null, signal: AbortSignal, threads: SessionThread[]): Promise<void> {
  const starting = await untilAborted(
    Promise.allSettled(
      spec.sessions.map((specSession) =>
        SessionThread.start({ name: specSession.name, target, isolation: level ? LEVELS[level] : null, scripts: scriptsOf(specSession) }, SESSION_START_TIMEOUT_MS),
      ),
    ),
    signal,
  );
  threads.push(...starting.flatMap((settled) => (settled.status === 'fulfilled' ? [settled.value] : [])));
  const failed = starting.find((settled) => settled.status === 'rejected');
  if (failed) throw new DatabaseError(`a spec session could not start: ${errorMessage(failed.reason)}`);
}

async function runPermutation(context: StepContext, permutation: readonly PermutationStep[]): Promise<PermutationOutcome> {
  const { transcript } = context;
  const started = transcript.text.length;
  transcript.print(`starting permutation:${permutationLabel(permutation)}\n`);
  const setup = new SpecSetup(context);
  await setup.setUp();
  const steps = await new PermutationRun(context).run(permutation);
  await setup.tearDown();
  return { permutation, steps, output: transcript.text.slice(started) };
}

interface SpecRunRequest {
  readonly spec: Spec;
  readonly permutations: readonly (readonly PermutationStep[])[];
  readonly level: LevelName | null;
  readonly signal: AbortSignal;
  readonly stepTimeoutMs: number;
}

/** A spec's sessions, each on its thread and connection, in a fresh place; `close` stops them and drops the place. */
export interface OpenSessions {
  readonly context: StepContext;
  /** The schema (MySQL: the database) they work in. */
  readonly place: string;
  close(): Promise<void>;
}

export async function openSessions(server: SpecServer, dialect: SpecDialect, { spec, level, signal, stepTimeoutMs }: Omit<SpecRunRequest, 'permutations'>): Promise<OpenSessions> {
  const space = await server.freshSpace(signal, stepTimeoutMs);
  const threads: SessionThread[] = [];
  const close = async () => {
    await Promise.all(threads.map((thread) => thread.stop()));
    await space.drop();
  };
  try {
    await startSessions(space.target, spec, level, signal, threads);
  } catch (error) {
    await close();
    throw error;
  }
  const transcript = new Transcript();
  const sessions = new Map(threads.map((thread) => [thread.name, new TesterSession(thread, transcript)]));
  const place = space.target.engine === 'postgres' ? space.target.schema : space.target.database;
  return { context: { spec, sessions, control: space.control, dialect, transcript, stepTimeoutMs }, place, close };
}

async function runOnSessions(server: SpecServer, dialect: SpecDialect, request: SpecRunRequest): Promise<SpecRun> {
  const { context, close } = await openSessions(server, dialect, request);
  try {
    const outcomes: PermutationOutcome[] = [];
    for (const permutation of request.permutations) outcomes.push(await untilAborted(runPermutation(context, permutation), request.signal));
    return { permutations: outcomes, warnings: context.transcript.warnings };
  } finally {
    await close();
  }
}

/**
 * Opens the engine's server (a throwaway one unless `db` is given) for a series of spec runs,
 * and closes it at the end, also on error, abort or timeout.
 */
export async function withSpecDatabase<T>(options: SpecRunOptions, use: (database: SpecDatabase) => Promise<T>): Promise<T> {
  const engine = specEngineNamed(options.engine ?? 'postgres');
  const { signal, dispose } = runSignal(options.signal, options.timeoutMs ?? 600_000);
  const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  let server: SpecServer | undefined;
  try {
    server = await engine.open({ db: options.db ?? null, signal, log: (line) => options.onLog?.(line), sessions: MAX_SESSIONS });
    const open = server;
    return await use({
      serverVersion: open.serverVersion,
      dialect: engine.dialect,
      run: (spec, permutations, level) => runOnSessions(open, engine.dialect, { spec, permutations, level, signal, stepTimeoutMs }),
    });
  } finally {
    await server?.close();
    dispose();
  }
}
