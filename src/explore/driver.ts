import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RigError } from '../errors.js';
import { GRANT, STATE, ScheduleControl } from '../sync/schedule.js';
import type { PendingStatement } from '../sync/schedule.js';
import type { Chooser, TraceStep } from './types.js';

/** How long the coordinator lets a granted statement run before it asks the server whether it waits for a lock. */
const QUIET_MS = 2;
/** How often it asks the server, when every worker waits for a lock (a deadlock the server has yet to break). */
const DEADLOCK_POLL_MS = 20;

export type LockWaits = (pids: readonly number[], among: readonly number[]) => Promise<boolean[]>;

export class ExploreStuckError extends RigError {
  override readonly code = 'RIG_EXPLORE_STUCK';
}

/**
 * Runs one schedule: the workers park before every statement; at each step the chooser picks
 * one of the parked workers, which sends its statement; the driver then waits, as PostgreSQL's
 * isolation tester does after each step, until that statement has completed or waits for a lock
 * (asked of the server), and until every statement that was waiting has completed or still waits.
 * Only then is the next step chosen, so the interleaving is the chooser's alone.
 */
export class ScheduleDriver {
  readonly steps: TraceStep[] = [];
  private readonly control: ScheduleControl;
  private readonly waitingForLock = new Set<number>();
  private readonly inFlight = new Map<number, TraceStep>();
  private stopped = false;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly workers: number,
    private readonly chooser: Chooser,
    private readonly lockWaits: LockWaits | undefined,
    private readonly stepTimeoutMs: number,
  ) {
    this.control = new ScheduleControl(buffer, workers);
  }

  stop(): void {
    this.stopped = true;
    this.control.stopAll();
  }

  async drive(): Promise<void> {
    await this.settle(this.all());
    for (;;) {
      if (this.stopped) return;
      const parked = this.all().filter((worker) => this.control.state(worker) === STATE.parked);
      if (parked.length === 0) {
        if (this.all().every((worker) => this.control.state(worker) === STATE.finished)) return;
        await this.breakStalemate();
        continue;
      }
      const candidates = parked.map((worker) => ({ worker, statement: this.control.statement(worker) }));
      const worker = this.chooser.choose(this.steps.length, candidates);
      const statement = candidates.find((candidate) => candidate.worker === worker)?.statement as PendingStatement;
      this.grant(worker, statement);
      await this.settle([worker, ...this.waitingForLock]);
      await this.retryBlocked();
    }
  }

  private all(): number[] {
    return Array.from({ length: this.workers }, (_, worker) => worker);
  }

  private grant(worker: number, statement: PendingStatement): void {
    const step: TraceStep = { worker, statement, completedAt: null, waited: false };
    this.steps.push(step);
    this.inFlight.set(worker, step);
    this.control.grant(worker, GRANT.go);
  }

  /** Waits until none of `workers` is running: each parked again, finished, blocked, or waiting for a lock. */
  private async settle(workers: readonly number[]): Promise<void> {
    let pending = [...new Set(workers)];
    const deadline = performance.now() + this.stepTimeoutMs;
    while (pending.length > 0) {
      if (this.stopped) return;
      await this.control.waitWhileRunning(pending[0] as number, QUIET_MS);
      pending = pending.filter((worker) => this.stillRunning(worker));
      if (pending.length > 0 && this.lockWaits) {
        const waits = await this.lockWaits(pending.map((worker) => this.control.pid(worker)), this.pids());
        pending = pending.filter((worker, index) => {
          if (!waits[index]) return true;
          this.waitingForLock.add(worker);
          const step = this.inFlight.get(worker);
          if (step) step.waited = true;
          return false;
        });
      }
      if (pending.length > 0 && performance.now() > deadline) {
        throw new ExploreStuckError(`worker ${pending.join(', ')} neither finished its statement nor waited for a lock within ${this.stepTimeoutMs} ms`);
      }
    }
  }

  /** Whether the worker is still between statements; if not, its statement in flight is done. */
  private stillRunning(worker: number): boolean {
    if (this.control.state(worker) === STATE.running) return true;
    this.waitingForLock.delete(worker);
    const step = this.inFlight.get(worker);
    if (step) step.completedAt = this.steps.length;
    this.inFlight.delete(worker);
    return false;
  }

  private pids(): number[] {
    return this.all().map((worker) => this.control.pid(worker));
  }

  /** A statement that found SQLite busy is tried again after every step, in worker order. */
  private async retryBlocked(): Promise<void> {
    for (const worker of this.all()) {
      if (this.control.state(worker) !== STATE.blocked) continue;
      this.control.grant(worker, GRANT.go);
      await this.settle([worker]);
    }
  }

  /**
   * Nobody can take a step: every worker left waits for a lock or is blocked. On PostgreSQL that
   * is a deadlock, which the server breaks (deadlock_timeout) by failing one statement; a busy
   * SQLite has no such detector, so the first blocked worker gets its busy error, as its
   * busy_timeout would have given it.
   */
  private async breakStalemate(): Promise<void> {
    const blocked = this.all().find((worker) => this.control.state(worker) === STATE.blocked);
    if (blocked !== undefined) {
      this.control.grant(blocked, GRANT.fail);
      await this.settle([blocked]);
      return;
    }
    const deadline = performance.now() + this.stepTimeoutMs;
    while (!this.stopped) {
      await sleep(DEADLOCK_POLL_MS);
      const waiting = [...this.waitingForLock];
      const waits = this.lockWaits ? await this.lockWaits(waiting.map((worker) => this.control.pid(worker)), this.pids()) : [];
      const freed = waiting.filter((_, index) => !waits[index]);
      if (freed.length > 0 || waiting.length === 0) {
        await this.settle(freed);
        return;
      }
      if (performance.now() > deadline) throw new ExploreStuckError(`workers ${waiting.join(', ')} waited for each other's locks for ${this.stepTimeoutMs} ms and the server broke no deadlock`);
    }
  }
}
