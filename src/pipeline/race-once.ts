import { performance } from 'node:perf_hooks';
import { throwIfAborted } from '../abort.js';
import type { EngineSession, PreparedRun } from '../engines/types.js';
import type { RaceOptions, RaceStage } from '../race/options.js';
import type { ResolvedRace } from '../race/resolve.js';
import type { WorkerPool } from '../pool/types.js';
import { startApp } from './app.js';
import { aggregateResults } from '../result/aggregate.js';
import { buildResult, runContextOf, verifyContextOf } from '../result/build.js';
import type { RaceResult } from '../result/types.js';

export interface RaceContext {
  readonly session: EngineSession;
  readonly pool: WorkerPool;
  readonly options: RaceOptions;
  readonly signal: AbortSignal;
  readonly stage: (stage: RaceStage) => void;
  /** Holds the prepared run until its data is dropped, so that a failure can drop it after the threads are gone. */
  readonly current: { prepared?: PreparedRun };
}

function progressCallback(race: ResolvedRace, options: RaceOptions): ((done: number, elapsedMs: number) => void) | undefined {
  const { onProgress } = options;
  if (!onProgress) return undefined;
  const total = race.common.workers * race.common.increments;
  return (done, elapsedMs) => onProgress({ scenario: race.scenario.name, mode: race.mode.name, done, total, elapsedMs });
}

/** Fresh data for a race: the engine's preparation, held in `current` until it is dropped. */
export async function prepareRace(race: ResolvedRace, context: RaceContext, options: { readonly explore?: boolean } = {}): Promise<PreparedRun> {
  context.stage('setup');
  const prepared = await context.session.prepare({
    scenario: race.scenario,
    context: runContextOf(race),
    keep: race.common.keep,
    barrierTimeoutMs: race.common.barrierTimeoutMs,
    signal: context.signal,
    ...(options.explore ? { explore: true } : {}),
    ...(race.common.shard ? { shard: race.common.shard } : {}),
  });
  context.current.prepared = prepared;
  return prepared;
}

/** Drops a prepared run's data; returns what could not be removed. */
export async function dropPrepared(prepared: PreparedRun, context: RaceContext): Promise<string[]> {
  if (context.current.prepared === prepared) context.current.prepared = undefined;
  return prepared.drop();
}

/** Races the workers on prepared data and verifies against the database; the data stays. */
export async function raceOnPrepared(race: ResolvedRace, context: RaceContext, prepared: PreparedRun, startedAt: number, leftovers: () => Promise<string[]> = async () => []): Promise<RaceResult> {
  const { session, pool, signal, stage } = context;
  stage('race');
  const onProgress = progressCallback(race, context.options);
  const app = await startApp(race, prepared, signal);
  const appWarnings: string[] = [];
  const outcome = await pool.race({
    task: {
      scenario: race.scenarioRef,
      mode: race.mode.name,
      workers: runContextOf(race).workers,
      operations: race.common.increments,
      params: race.common.params,
      maxRetries: race.common.maxRetries,
      backoffMs: race.common.backoffMs,
      target: prepared.target,
      appUrl: app.url,
    },
    concurrency: race.common.concurrency,
    firstIndex: (race.common.shard?.index ?? 0) * race.common.workers,
    barrierTimeoutMs: race.common.barrierTimeoutMs,
    ...(onProgress ? { onProgress } : {}),
    afterRelease: async () => {
      context.options.onLog?.(`race: all ${race.common.workers} workers released`);
      await prepared.afterRelease?.();
    },
    ...(prepared.lockWaits ? { lockWaits: prepared.lockWaits.bind(prepared) } : {}),
    signal,
  }).finally(async () => appWarnings.push(...(await app.close())));
  stage('verify');
  // A shard of a run on several machines hands its results over and gets every shard's back.
  const results = prepared.gather ? await prepared.gather(outcome.results) : outcome.results;
  const totals = aggregateResults(results);
  const verification = await prepared.verify(verifyContextOf(race, totals));
  throwIfAborted(signal);
  const dropped = await leftovers();
  return buildResult({
    race,
    totals,
    verification,
    setupMs: outcome.releasedAt - startedAt,
    elapsedMs: outcome.elapsedMs,
    database: { engine: session.kind, url: session.url, serverVersion: session.serverVersion, schema: prepared.schema, schemaKept: prepared.kept },
    start: outcome.start ?? prepared.start,
    ...(outcome.peakRssMb ? { workerProcessesRssMb: outcome.peakRssMb } : {}),
    warnings: [...prepared.warnings, ...appWarnings, ...dropped],
  });
}

/**
 * One race on fresh data: prepare, release the workers, verify against the database, drop the
 * data. `startedAt` (performance.now()) is where its set-up time counts from: the start of the
 * command for the first run, its own preparation for the next.
 */
export async function raceOnce(race: ResolvedRace, context: RaceContext, startedAt = performance.now()): Promise<RaceResult> {
  const prepared = await prepareRace(race, context);
  return raceOnPrepared(race, context, prepared, startedAt, () => dropPrepared(prepared, context));
}
