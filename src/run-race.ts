import { performance } from 'node:perf_hooks';
import { checkConnectionCapacity } from './db/capacity.js';
import { connectCoordinator } from './db/connect.js';
import { createRunSchema, dropRunSchema } from './db/schema.js';
import { openDatabase } from './engines/index.js';
import { AbortedError, DatabaseError, errorMessage, RigError } from './errors.js';
import { resolveOptions } from './options.js';
import type { RaceOptions } from './options.js';
import { closeGate, GATE_WORKER_NICENESS, newGateKey, openGateWhenFull } from './gate.js';
import { startWorkerPool } from './race-workers.js';
import { aggregateResults } from './report/aggregate.js';
import { buildResult } from './result.js';
import type { RaceResult } from './result.js';

type Cleanup = () => Promise<unknown>;

/** Runs clean-ups last-in first-out; every one runs even when an earlier one fails. */
async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch(() => undefined);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  throw reason instanceof AbortedError ? reason : new AbortedError(typeof reason === 'string' ? reason : 'an abort signal');
}

/** Database errors outside the race (set-up, verification) become one clear DatabaseError. */
async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof RigError) throw error;
    throw new DatabaseError(`${what} failed: ${errorMessage(error)}`);
  }
}

/**
 * Runs one race: opens the database (embedded unless `db` is given), creates the run's schema
 * and the scenario's tables, races the workers, and reads the truth back from the database.
 * Prints nothing; returns the result `--json` prints. Everything it started or created (the
 * embedded server, its directory, the schema, the threads) is gone when it settles.
 */
export async function runRace(options: RaceOptions = {}): Promise<RaceResult> {
  const resolved = resolveOptions(options);
  const { signal } = options;
  const { scenario, mode } = resolved;
  const cleanups: Cleanup[] = [];
  const startedAt = performance.now();
  try {
    throwIfAborted(signal);
    const pool = startWorkerPool(resolved.workers, resolved.gate ? GATE_WORKER_NICENESS : 0);
    cleanups.push(() => pool.destroy());
    const database = await openDatabase({ db: resolved.db, workers: resolved.workers });
    cleanups.push(() => database.stop());
    throwIfAborted(signal);

    const admin = await connectCoordinator(database);
    cleanups.push(() => admin.end());
    await step('checking the server', () => checkConnectionCapacity(admin, resolved.workers));
    const serverVersion = await step('reading the server version', async () => {
      const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
      return rows[0]?.server_version ?? 'unknown';
    });

    const schema = await step('creating the run schema', () => createRunSchema(admin));
    if (!resolved.keep) cleanups.push(() => dropRunSchema(admin, schema));
    await step(`setting up ${scenario.name}`, () => scenario.setup(admin));
    throwIfAborted(signal);

    const gate = resolved.gate ? newGateKey() : null;
    if (gate) await step('closing the server gate', () => closeGate(admin, gate));
    const race = await pool.race({
      scenario: scenario.name,
      mode: mode.name,
      operations: resolved.increments,
      maxRetries: resolved.maxRetries,
      connection: database.connection,
      schema,
      barrierTimeoutMs: resolved.barrierTimeoutMs,
      gate,
      backoffMs: resolved.backoffMs,
      ...(gate ? { afterRelease: () => openGateWhenFull(admin, gate, resolved.workers, resolved.barrierTimeoutMs) } : {}),
      ...(signal ? { signal } : {}),
    });

    const totals = aggregateResults(race.results);
    const verification = await step('verifying the result', () =>
      scenario.verify(admin, { mode: mode.name, succeeded: totals.succeeded, inDoubt: totals.inDoubt }),
    );
    throwIfAborted(signal);

    return buildResult({
      options: resolved,
      totals,
      verification,
      setupMs: race.releasedAt - startedAt,
      elapsedMs: race.elapsedMs,
      database: { engine: database.engine, url: database.displayUrl, serverVersion, schema, schemaKept: resolved.keep },
    });
  } finally {
    await runCleanups(cleanups);
  }
}
