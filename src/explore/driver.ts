import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RigError } from '../errors.js';
import type { LockWait } from '../protocol.js';
import { GRANT, STATE, ScheduleControl } from '../sync/schedule.js';
import type { PendingStatement } from '../sync/schedule.js';
import type { Chooser, TraceStep } from './types.js';
import { deadlockCycle } from './wait-for.js';

/** How long the coordinator lets a granted statement run before it asks the server whether it waits for a lock. */
const QUIET_MS = 2;
/** How often it asks the server while a deadlock waits for the server's detector. */
const DEADLOCK_POLL_MS = 20;

export type LockWaits = (pids: readonly number[], among: readonly number[]) => Promise<LockWait[]>;

export class ExploreStuckError extends RigError {
  override readonly code = 'RIG_EXPLORE_STUCK';
}

/**
 * Runs one schedule: the workers park before every statement; at each step the chooser picks
 * one of the parked workers, which sends its statement; the driver then waits, as PostgreSQL's
 * isolation tester does after each step, until that statement has completed or waits for a lock
 * (asked of the server), and until every statement that was waiting has completed or still waits.
 * A deadlock is left to the server to break before the next step. Only then is the next step
 * chosen, so the interleaving is the chooser's alone.
 */
export class ScheduleDriver {
  readonly steps: TraceStep[] = [];
  private readonly control: ScheduleControl;
  /** Each worker whose statement waits for a lock, and the workers it waits for. */
  private readonly waiting = new Map<number, number[]>();
  /** When a wait was first seen (or its blockers changed), for the waits whose deadlock check may not have run yet. */
  private readonly newWaits = new Map<number, number>();
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
      // The step first, then the waits: only once it has completed are the locks it released free.
      await this.settle([worker]);
      await this.settle([...this.waiting.keys()]);
      await this.letDeadlockChecksRun();
      await this.awaitDeadlockBroken();
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
    while (pending.length > 0 && !this.stopped) {
      await this.control.waitWhileRunning(pending[0] as number, QUIET_MS);
      pending = pending.filter((worker) => this.stillRunning(worker));
      if (pending.length > 0) pending = await this.withoutLockWaits(pending);
      if (pending.length > 0 && performance.now() > deadline) {
        throw new ExploreStuckError(`worker ${pending.join(', ')} neither finished its statement nor waited for a lock within ${this.stepTimeoutMs} ms`);
      }
    }
  }

  /** Whether the worker is still between statements; if not, its statement in flight is done. */
  private stillRunning(worker: number): boolean {
    if (this.control.state(worker) === STATE.running) return true;
    this.waiting.delete(worker);
    const step = this.inFlight.get(worker);
    if (step) step.completedAt = this.steps.length;
    this.inFlight.delete(worker);
    return false;
  }

  /** The running workers the server does not see waiting for another worker's lock; the others are noted as waiting. */
  private async withoutLockWaits(running: readonly number[]): Promise<number[]> {
    if (!this.lockWaits) return [...running];
    const pids = this.all().map((worker) => this.control.pid(worker));
    const waits = await this.lockWaits(running.map((worker) => this.control.pid(worker)), pids);
    return running.filter((worker, index) => {
      const wait = waits[index];
      if (!wait?.blocked) return true;
      const blockers = wait.blockers.map((pid) => pids.indexOf(pid)).filter((blocker) => blocker >= 0);
      if (this.waiting.get(worker)?.join() !== blockers.join()) this.newWaits.set(worker, performance.now());
      this.waiting.set(worker, blockers);
      const step = this.inFlight.get(worker);
      if (step) step.waited = true;
      return false;
    });
  }

  /**
   * A lock wait that just began has its server's deadlock check still to come; the next step
   * waits until it has run (twice the check's delay, and 10 ms more), so a check never sees a
   * cycle that a later step closed: only the wait that closes a cycle finds it.
   */
  private async letDeadlockChecksRun(): Promise<void> {
    const until = Math.max(0, ...[...this.newWaits].map(([worker, since]) => since + 2 * this.control.deadlockCheckMs(worker) + 10));
    this.newWaits.clear();
    const left = until - performance.now();
    if (left > 0) await sleep(left);
  }

  /**
   * When the waits form a cycle, the server's deadlock detector fails one statement of it
   * (deadlock_timeout after that one began to wait). Waiting for it here, before the next step,
   * puts the failure at the same point of every run of the schedule, whatever the machine's speed.
   */
  private async awaitDeadlockBroken(): Promise<void> {
    await this.pollWaits(
      () => deadlockCycle(this.waiting),
      (cycle) => `workers ${cycle.join(', ')} waited for each other's locks for ${this.stepTimeoutMs} ms and the server broke no deadlock`,
    );
  }

  /** Asks again about the workers `waiters` names, every DEADLOCK_POLL_MS, until it names none (or the step timeout). */
  private async pollWaits(waiters: () => number[], stuck: (workers: readonly number[]) => string): Promise<void> {
    const deadline = performance.now() + this.stepTimeoutMs;
    for (let workers = waiters(); workers.length > 0 && !this.stopped; workers = waiters()) {
      if (performance.now() > deadline) throw new ExploreStuckError(stuck(workers));
      await sleep(DEADLOCK_POLL_MS);
      await this.settle(workers);
    }
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
   * Nobody can take a step: every worker left is blocked or waits for a lock held outside a
   * cycle the driver can see. A busy SQLite has no deadlock detector, so the first blocked worker
   * gets its busy error, as its busy_timeout would have given it; on PostgreSQL the waits are
   * asked again until one ends.
   */
  private async breakStalemate(): Promise<void> {
    const blocked = this.all().find((worker) => this.control.state(worker) === STATE.blocked);
    if (blocked !== undefined) {
      this.control.grant(blocked, GRANT.fail);
      await this.settle([blocked]);
      return;
    }
    const before = this.waiting.size;
    if (before === 0) throw new ExploreStuckError('no worker can take a step, and none waits for a lock');
    await this.pollWaits(
      () => (this.waiting.size === before ? [...this.waiting.keys()] : []),
      (workers) => `workers ${workers.join(', ')} waited for locks for ${this.stepTimeoutMs} ms and none was released`,
    );
  }
}
