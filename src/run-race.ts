import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { abortReason, runSignal, throwIfAborted, untilAborted } from './abort.js';
import { checkConnectionCapacity } from './db/capacity.js';
import { connectCoordinator } from './db/connect.js';
import { prepareRunSchema } from './db/schema.js';
import { sqlstateOf } from './db/sqlstate.js';
import { openDatabase } from './engines/index.js';
import type { Database } from './engines/types.js';
import { DatabaseError, errorMessage, InvalidOptionError, RigError } from './errors.js';
import { closeGate, GATE_WORKER_NICENESS, newGateKey, openGateWhenFull } from './gate.js';
import { comparisonRunOptions, progressCallback, resolveEngine, resolveOptions } from './options.js';
import { runSqliteRaces } from './engines/sqlite/run.js';
import type { RaceOptions, RaceStage, ResolvedOptions } from './options.js';
import { raceSettingsOf, startWorkerPool } from './race-workers.js';
import { aggregateResults } from './report/aggregate.js';
import { summarizeRepeats } from './report/repeat.js';
import type { RepeatedResult } from './report/repeat.js';
import { buildResult, runContextOf, verifyContextOf } from './result.js';
import type { RaceResult } from './result.js';
import { loadScenario, scenarioRef } from './scenarios/load.js';
import type { ScenarioRef } from './scenarios/load.js';
import type { ModeSpec, Scenario, ScenarioInfo } from './scenarios/types.js';
import { tearDown, tearDownSchema } from './teardown.js';
import type { RunResources } from './teardown.js';
import { stageReporter } from './trace.js';

type Step = <T>(what: string, action: () => Promise<T>) => Promise<T>;

/** Database errors outside the race (set-up, verification) become one clear DatabaseError. */
function explainStepFailure(what: string, error: unknown, admin: pg.ClientBase | undefined): RigError {
  if (error instanceof RigError) return error;
  if (sqlstateOf(error) === '42501' && what === 'creating the run schema') {
    const user = (admin as { user?: string } | undefined)?.user ?? 'this user';
    return new DatabaseError(
      `user ${user} may not create a schema here (${errorMessage(error)}); GRANT CREATE ON DATABASE to it, ` +
        'or run in a schema it may use with --schema NAME --reuse-schema',
    );
  }
  return new DatabaseError(`${what} failed: ${errorMessage(error)}`);
}

/** A run that failed because the server it started died says so, whatever broke first. */
function explainFailure(error: unknown, database: Database | undefined): unknown {
  const trouble = database?.trouble();
  return trouble ? new DatabaseError(trouble) : error;
}

function withLeftovers(error: unknown, leftovers: readonly string[]): unknown {
  if (leftovers.length === 0 || !(error instanceof Error)) return error;
  error.message = `${error.message}; also, ${leftovers.join('; ')}`;
  return error;
}

interface Session {
  readonly database: Database;
  readonly admin: pg.Client;
  readonly serverVersion: string;
}

/** The database, the coordinator's connection and, for an embedded server, the threads booting meanwhile. */
async function openSession(resolved: ResolvedOptions, resources: RunResources, signal: AbortSignal, step: Step, log?: (line: string) => void): Promise<Session> {
  const niceness = resolved.gate ? GATE_WORKER_NICENESS : 0;
  // The threads boot while an embedded server starts; a server given with --db is checked for
  // room first, so that no thread starts for a run it cannot take.
  if (resolved.db === null) resources.pool = startWorkerPool(resolved.workers, niceness);
  // Not abortable half-way: a server left starting in the background would outlive the run.
  const database = await openDatabase({ db: resolved.db, workers: resolved.workers, log });
  resources.database = database;
  throwIfAborted(signal);
  const admin = await connectCoordinator(database);
  resources.admin = admin;
  await step('checking the server', () => checkConnectionCapacity(admin, resolved.workers));
  resources.pool ??= startWorkerPool(resolved.workers, niceness);
  const serverVersion = await step('reading the server version', async () => {
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  });
  return { database, admin, serverVersion };
}

/** One race on fresh data: the schema and tables, the workers, and the verdict. */
async function raceOnce(
  options: RaceOptions,
  resolved: ResolvedOptions,
  scenario: Scenario,
  session: Session,
  resources: RunResources,
  signal: AbortSignal,
  step: Step,
  stage: (stage: RaceStage) => void,
): Promise<RaceResult> {
  const { admin, database } = session;
  const startedAt = performance.now();
  const context = runContextOf(resolved);

  stage('setup');
  const schema = await step('creating the run schema', () => prepareRunSchema(admin, { name: resolved.schema, reuse: resolved.reuseSchema }));
  resources.schema = schema;
  await step(`setting up ${scenario.name}`, () => scenario.setup(admin, context));
  const gate = resolved.gate ? newGateKey() : null;
  if (gate) await step('closing the server gate', () => closeGate(admin, gate));

  stage('race');
  const pool = resources.pool;
  if (!pool) throw new Error('the worker pool was not started');
  const outcome = await pool.race({
    ...raceSettingsOf(resolved),
    target: {
      engine: 'postgres',
      connection: database.connection,
      schema: schema.name,
      settings: { lockTimeoutMs: resolved.lockTimeoutMs, statementTimeoutMs: resolved.statementTimeoutMs },
      gate,
    },
    onProgress: progressCallback(options, resolved),
    afterRelease: async () => {
      options.onLog?.(`race: all ${resolved.workers} workers released`);
      if (gate) await openGateWhenFull(admin, gate, resolved.workers, resolved.barrierTimeoutMs);
    },
    signal,
  });

  stage('verify');
  const totals = aggregateResults(outcome.results);
  const verification = await step('verifying the result', () => scenario.verify(admin, verifyContextOf(resolved, totals)));
  if (scenario.teardown) await step(`tearing down ${scenario.name}`, () => scenario.teardown?.(admin, context) ?? Promise.resolve());
  throwIfAborted(signal);

  return buildResult({
    options: resolved,
    totals,
    verification,
    setupMs: outcome.releasedAt - startedAt,
    elapsedMs: outcome.elapsedMs,
    database: { engine: database.engine, url: database.displayUrl, serverVersion: session.serverVersion, schema: schema.name, schemaKept: resolved.keep },
  });
}

/**
 * The options of each run in turn: the same race `repeat` times, or (with `modes`) each mode once,
 * the retry flags passed only to the modes that retry.
 */
function planRuns(options: RaceOptions, repeat: number, modes: readonly ModeSpec[] | undefined, scenario: ScenarioInfo, ref: ScenarioRef): ResolvedOptions[] {
  if (!modes) return Array.from({ length: repeat }, () => resolveOptions(options, scenario, ref));
  return modes.map((mode) => resolveOptions(comparisonRunOptions(options, mode), scenario, ref));
}

/**
 * Runs the races of a plan (see planRuns) one after another on one database, each on fresh data
 * in a fresh schema, and tears everything down at the end (also when it fails, is aborted or runs
 * past `timeoutMs`).
 */
export async function runRaces(options: RaceOptions, repeat: number, modes?: readonly ModeSpec[]): Promise<RaceResult[]> {
  if (resolveEngine(options) === 'sqlite') return runSqliteRaces(options, repeat, modes);
  const ref = scenarioRef(options.scenario ?? 'counter');
  const scenario = await loadScenario(ref);
  const plan = planRuns(options, repeat, modes, scenario, ref);
  const first = plan[0];
  if (!first) throw new InvalidOptionError('there is nothing to run');
  const { signal, dispose } = runSignal(options.signal, first.timeoutMs);
  const stage = stageReporter(options);
  const step: Step = (what, action) =>
    untilAborted(action(), signal).catch((error: unknown) => {
      throw explainStepFailure(what, error, resources.admin);
    });
  const resources: RunResources = {};
  const results: RaceResult[] = [];
  let failure: unknown;
  try {
    throwIfAborted(signal);
    stage('database');
    const session = await openSession(first, resources, signal, step, options.onLog);
    for (const [run, resolved] of plan.entries()) {
      results.push(await raceOnce(options, resolved, scenario, session, resources, signal, step, stage));
      // Between runs, each run's schema goes (the last one with the rest, below).
      if (run < plan.length - 1) await tearDownSchema(resources, { keepSchema: resolved.keep, always: true });
    }
  } catch (error) {
    // Once interrupted, whatever broke next (a server that got the terminal's Ctrl-C too, say)
    // is a consequence: the interruption is the news.
    failure = signal.aborted ? abortReason(signal) : explainFailure(error, resources.database);
  }
  stage('cleanup');
  const leftovers = await tearDown(resources, { keepSchema: first.keep });
  dispose();
  if (failure !== undefined) throw withLeftovers(failure, leftovers);
  const last = results.length - 1;
  return results.map((result, index) => (index === last && leftovers.length > 0 ? { ...result, warnings: [...result.warnings, ...leftovers] } : result));
}

/**
 * Runs one race: opens the database (embedded unless `db` is given), creates the run's schema
 * and the scenario's tables, races the workers, and reads the truth back from the database.
 * Prints nothing; returns the result `--json` prints. Everything it started or created (the
 * embedded server, its directory, the schema, the threads) is gone when it settles, also when
 * it fails, is aborted, or runs past `timeoutMs`.
 */
export async function runRace(options: RaceOptions = {}): Promise<RaceResult> {
  const [result] = await runRaces(options, 1);
  if (!result) throw new Error('a run produced no result');
  return result;
}

/** `--repeat`: the whole race `repeat` times on fresh data, and how often it reproduced. */
export async function runRepeatedRace(options: RaceOptions & { readonly repeat: number }): Promise<RepeatedResult> {
  const { repeat } = options;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) {
    throw new InvalidOptionError(`--repeat must be a whole number from 1 to 1000 (got ${String(repeat)})`);
  }
  return summarizeRepeats(await runRaces(options, repeat));
}
