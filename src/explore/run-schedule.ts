import { performance } from 'node:perf_hooks';
import type { PreparedRun, RecordedScript } from '../engines/types.js';
import type { PipelineContext } from '../pipeline/run-races.js';
import { dropPrepared, prepareRace, raceOnPrepared } from '../pipeline/race-once.js';
import { startThreadPool } from '../pool/threads.js';
import type { RaceRequest, RaceSchedule, WorkerPool } from '../pool/types.js';
import type { ResolvedRace } from '../race/resolve.js';
import type { RaceResult } from '../result/types.js';
import { createScheduleBuffer } from '../sync/schedule.js';
import { ScheduleDriver } from './driver.js';
import { scheduleId } from './schedule-id.js';
import type { Chooser, TraceStep } from './types.js';

/** What a schedule showed: the invariant broken, or held after a deadlock, a serialization failure, a busy SQLite, or cleanly. */
export type ScheduleKind = 'broken' | 'deadlock' | 'serialization' | 'busy' | 'held';

/** One schedule as it ran: its ID, its steps, and the race result the scenario's verify gave it. */
export interface ScheduleRun {
  readonly id: string;
  readonly race: ResolvedRace;
  readonly steps: readonly TraceStep[];
  readonly result: RaceResult;
  readonly kind: ScheduleKind;
  readonly script: RecordedScript | null;
}

export function kindOf(result: RaceResult): ScheduleKind {
  if (result.verdict === 'RACE') return 'broken';
  const seen = (cause: 'deadlock' | 'serialization' | 'busy') => result.retriesByCause[cause] + result.failures[cause] > 0;
  if (seen('deadlock')) return 'deadlock';
  if (seen('serialization')) return 'serialization';
  return seen('busy') ? 'busy' : 'held';
}

/**
 * The pool explore runs on: the ordinary thread pool, each race of which is driven by a
 * ScheduleDriver with the chooser of the schedule at hand.
 */
export class Scheduler {
  private chooser: Chooser | null = null;
  private driver: ScheduleDriver | null = null;
  /** The data the last schedule ran on, with the race it was set up for, while it can be reset and reused. */
  private data: { readonly race: ResolvedRace; readonly prepared: PreparedRun } | null = null;
  /** Set-ups that could not be reused (no reset, or one that did not restore the same state). */
  freshSetups = 0;

  constructor(private readonly stepTimeoutMs: number) {}

  readonly startPool = (workers: number): WorkerPool => startThreadPool(workers, { schedule: (request) => this.scheduleFor(request, workers) });

  /** Runs one schedule on fresh data through the one race pipeline, and judges it. */
  async run(race: ResolvedRace, context: PipelineContext, chooser: Chooser): Promise<ScheduleRun> {
    this.chooser = chooser;
    const startedAt = performance.now();
    const prepared = await this.freshData(race, context);
    const result = await raceOnPrepared(race, context, prepared, startedAt);
    const steps = this.driver?.steps ?? [];
    return { id: scheduleId(steps.map((step) => step.worker)), race, steps, result, kind: kindOf(result), script: prepared.script ?? null };
  }

  /** Drops the data of the last schedule; returns what could not be removed. */
  async finish(context: PipelineContext): Promise<string[]> {
    const data = this.data;
    this.data = null;
    return data ? dropPrepared(data.prepared, context) : [];
  }

  /**
   * The data a schedule starts from: the last schedule's, reset to what the set-up made, when
   * the race is the same and the engine can prove the reset state equal; else a fresh set-up.
   */
  private async freshData(race: ResolvedRace, context: PipelineContext): Promise<PreparedRun> {
    const data = this.data;
    if (data?.race === race && data.prepared.reset && (await data.prepared.reset())) return data.prepared;
    const leftovers = await this.finish(context);
    if (leftovers.length > 0) throw new Error(leftovers.join('; '));
    this.freshSetups += 1;
    const prepared = await prepareRace(race, context, { explore: true });
    this.data = { race, prepared };
    return prepared;
  }

  private scheduleFor(request: RaceRequest, workers: number): RaceSchedule {
    if (!this.chooser) throw new Error('a scheduled race needs a chooser');
    const buffer = createScheduleBuffer(workers);
    const driver = new ScheduleDriver(buffer, workers, this.chooser, request.lockWaits, this.stepTimeoutMs);
    this.driver = driver;
    return { buffer, drive: () => driver.drive(), stop: () => driver.stop() };
  }
}
