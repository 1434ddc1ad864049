import { performance } from 'node:perf_hooks';
import { abortReason, runSignal, throwIfAborted } from '../abort.js';
import type { EngineSession } from '../engines/types.js';
import { DatabaseError, InvalidOptionError } from '../errors.js';
import type { RaceOptions } from '../race/options.js';
import type { ResolvedRace } from '../race/resolve.js';
import { poolFor } from '../pool/registry.js';
import type { StartPool, WorkerPool } from '../pool/types.js';
import { planRaces } from './plan.js';
import type { RunShape } from './plan.js';
import { raceOnce } from './race-once.js';
import { stageReporter } from './trace.js';
import type { RaceContext } from './race-once.js';
import type { RaceResult } from '../result/types.js';

/** What the pipeline started so far; each is undone at the end, whatever happened. */
interface Started {
  pool?: WorkerPool;
  session?: EngineSession;
  readonly current: RaceContext['current'];
}

/** A failure caused by a server the rig started dying says so, whatever broke first. */
function explainFailure(error: unknown, session: EngineSession | undefined): unknown {
  const trouble = session?.trouble();
  return trouble ? new DatabaseError(trouble) : error;
}

function withLeftovers(error: unknown, leftovers: readonly string[]): unknown {
  if (leftovers.length === 0 || !(error instanceof Error)) return error;
  error.message = `${error.message}; also, ${leftovers.join('; ')}`;
  return error;
}

/** Undoes what was started, in an order that cannot deadlock: threads, then the run's data, then the session. */
async function tearDown(started: Started): Promise<string[]> {
  await started.pool?.destroy().catch(() => undefined);
  const leftovers = (await started.current.prepared?.drop().catch(() => [])) ?? [];
  started.current.prepared = undefined;
  return [...leftovers, ...((await started.session?.close()) ?? [])];
}

/** Opens the engine's session; the threads start when the engine says they may. */
async function openSession(first: ResolvedRace, started: Started, signal: AbortSignal, options: RaceOptions, startPool: StartPool): Promise<EngineSession> {
  const session = await first.engine.open({
    settings: first.settings,
    common: first.common,
    signal,
    threadsMayStart: () => {
      started.pool ??= startPool(first.common.workers);
    },
    log: (line) => options.onLog?.(line),
  });
  started.session = session;
  started.pool ??= startPool(first.common.workers);
  throwIfAborted(signal);
  return session;
}

/** What a pipeline's body gets: the open session and pool, and when the command started. */
export interface PipelineContext extends RaceContext {
  readonly startedAt: number;
  /** Replaces the pool with one of `workers` threads (explore's shrinking runs fewer workers). */
  resizePool(workers: number): Promise<WorkerPool>;
}

/**
 * The one race pipeline's frame, for every engine and every way of running races: open the
 * engine's session once, hand it to `body` (which prepares, races, verifies and drops runs), and
 * at the end, or on failure, abort or --timeout, tear everything down. Returns what `body`
 * returned and what could not be cleaned up.
 */
export async function withPipeline<T>(
  first: ResolvedRace,
  options: RaceOptions,
  startPool: StartPool,
  body: (context: PipelineContext) => Promise<T>,
): Promise<{ value: T; leftovers: string[] }> {
  const startedAt = performance.now();
  const { signal, dispose } = runSignal(options.signal, first.common.timeoutMs);
  const stage = stageReporter(options);
  const started: Started = { current: {} };
  let value: T | undefined;
  let failure: unknown;
  try {
    throwIfAborted(signal);
    stage('database');
    const session = await openSession(first, started, signal, options, startPool);
    const context: PipelineContext = {
      session,
      // The pool of the moment: resizePool replaces it, and the teardown ends whichever it is.
      get pool() {
        return started.pool as WorkerPool;
      },
      options,
      signal,
      stage,
      current: started.current,
      startedAt,
      resizePool: async (workers) => {
        await started.pool?.destroy();
        started.pool = startPool(workers);
        return started.pool;
      },
    };
    value = await body(context);
  } catch (error) {
    // Once interrupted, whatever broke next (a server that got the terminal's Ctrl-C too, say) is a consequence.
    failure = signal.aborted ? abortReason(signal) : explainFailure(error, started.session);
  }
  stage('cleanup');
  const leftovers = await tearDown(started);
  dispose();
  if (failure !== undefined) throw withLeftovers(failure, leftovers);
  return { value: value as T, leftovers };
}

/** A caller that wants each run's result as it is known (a comparison's modes one by one, each run of --repeat). */
export interface ResultListener {
  readonly onResult?: (result: RaceResult) => void;
}

/** Plans every run (checking every option before anything starts), then races them one after another on fresh data. */
export async function runRaces(options: RaceOptions & ResultListener, shape: RunShape, startPool?: StartPool): Promise<RaceResult[]> {
  const plan = await planRaces(options, shape);
  const first = plan[0];
  if (!first) throw new InvalidOptionError('there is nothing to run');
  const { value: results, leftovers } = await withPipeline(first, options, startPool ?? poolFor(first, (line) => options.onLog?.(line)), async (context) => {
    const done: RaceResult[] = [];
    for (const race of plan) {
      const result = await raceOnce(race, context, done.length === 0 ? context.startedAt : undefined);
      done.push(result);
      options.onResult?.(result);
    }
    return done;
  });
  const last = results.length - 1;
  return results.map((result, index) => (index === last && leftovers.length > 0 ? { ...result, warnings: [...result.warnings, ...leftovers] } : result));
}
