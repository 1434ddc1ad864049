import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { abortReason, runSignal, throwIfAborted, untilAborted } from './abort.js';
import { checkConnectionCapacity } from './db/capacity.js';
import { connectCoordinator } from './db/connect.js';
import { prepareRunSchema } from './db/schema.js';
import { sqlstateOf } from './db/sqlstate.js';
import { openDatabase } from './engines/index.js';
import type { Database } from './engines/types.js';
import { DatabaseError, errorMessage, RigError } from './errors.js';
import { closeGate, GATE_WORKER_NICENESS, newGateKey, openGateWhenFull } from './gate.js';
import { resolveOptions } from './options.js';
import type { RaceOptions, RaceStage, ResolvedOptions } from './options.js';
import { startWorkerPool } from './race-workers.js';
import { aggregateResults } from './report/aggregate.js';
import { buildResult } from './result.js';
import type { RaceResult } from './result.js';
import { tearDown } from './teardown.js';
import type { RunResources } from './teardown.js';

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

async function race(resolved: ResolvedOptions, resources: RunResources, signal: AbortSignal, stage: (stage: RaceStage) => void): Promise<RaceResult> {
  const { scenario, mode } = resolved;
  const startedAt = performance.now();
  const step = <T>(what: string, action: () => Promise<T>): Promise<T> =>
    untilAborted(action(), signal).catch((error: unknown) => {
      throw explainStepFailure(what, error, resources.admin);
    });
  const niceness = resolved.gate ? GATE_WORKER_NICENESS : 0;

  stage('database');
  // The threads boot while an embedded server starts; a server given with --db is checked for
  // room first, so that no thread starts for a run it cannot take.
  if (resolved.db === null) resources.pool = startWorkerPool(resolved.workers, niceness);
  // Not abortable half-way: a server left starting in the background would outlive the run.
  const database = await openDatabase({ db: resolved.db, workers: resolved.workers });
  resources.database = database;
  throwIfAborted(signal);
  const admin = await connectCoordinator(database);
  resources.admin = admin;
  await step('checking the server', () => checkConnectionCapacity(admin, resolved.workers));
  const pool = (resources.pool ??= startWorkerPool(resolved.workers, niceness));
  const serverVersion = await step('reading the server version', async () => {
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  });

  stage('setup');
  const schema = await step('creating the run schema', () => prepareRunSchema(admin, { name: resolved.schema, reuse: resolved.reuseSchema }));
  resources.schema = schema;
  await step(`setting up ${scenario.name}`, () => scenario.setup(admin));
  const gate = resolved.gate ? newGateKey() : null;
  if (gate) await step('closing the server gate', () => closeGate(admin, gate));

  stage('race');
  const outcome = await pool.race({
    scenario: scenario.name,
    mode: mode.name,
    operations: resolved.increments,
    maxRetries: resolved.maxRetries,
    backoffMs: resolved.backoffMs,
    connection: database.connection,
    schema: schema.name,
    settings: { lockTimeoutMs: resolved.lockTimeoutMs, statementTimeoutMs: resolved.statementTimeoutMs },
    barrierTimeoutMs: resolved.barrierTimeoutMs,
    gate,
    ...(gate ? { afterRelease: () => openGateWhenFull(admin, gate, resolved.workers, resolved.barrierTimeoutMs) } : {}),
    signal,
  });

  stage('verify');
  const totals = aggregateResults(outcome.results);
  const verification = await step('verifying the result', () =>
    scenario.verify(admin, { mode: mode.name, succeeded: totals.succeeded, inDoubt: totals.inDoubt }),
  );
  throwIfAborted(signal);

  return buildResult({
    options: resolved,
    totals,
    verification,
    setupMs: outcome.releasedAt - startedAt,
    elapsedMs: outcome.elapsedMs,
    database: { engine: database.engine, url: database.displayUrl, serverVersion, schema: schema.name, schemaKept: resolved.keep },
  });
}

/**
 * Runs one race: opens the database (embedded unless `db` is given), creates the run's schema
 * and the scenario's tables, races the workers, and reads the truth back from the database.
 * Prints nothing; returns the result `--json` prints. Everything it started or created (the
 * embedded server, its directory, the schema, the threads) is gone when it settles, also when
 * it fails, is aborted, or runs past `timeoutMs`.
 */
export async function runRace(options: RaceOptions = {}): Promise<RaceResult> {
  const resolved = resolveOptions(options);
  const { signal, dispose } = runSignal(options.signal, resolved.timeoutMs);
  const stage = (name: RaceStage) => options.onStage?.(name);
  const resources: RunResources = {};
  let result: RaceResult | undefined;
  let failure: unknown;
  try {
    throwIfAborted(signal);
    result = await race(resolved, resources, signal, stage);
  } catch (error) {
    // Once interrupted, whatever broke next (a server that got the terminal's Ctrl-C too, say)
    // is a consequence: the interruption is the news.
    failure = signal.aborted ? abortReason(signal) : explainFailure(error, resources.database);
  }
  stage('cleanup');
  const leftovers = await tearDown(resources, { keepSchema: resolved.keep });
  dispose();
  if (result === undefined) throw withLeftovers(failure, leftovers);
  return leftovers.length === 0 ? result : { ...result, warnings: [...result.warnings, ...leftovers] };
}
