import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { StatementOutput, StepError } from './protocol.js';
import type { SessionThread, StepMessage } from './session-thread.js';
import type { PermutationStep, Spec, SpecStep } from './spec.js';

/** What one step of a permutation did. */
export interface StepOutcome {
  readonly step: string;
  readonly session: string;
  readonly sql: string;
  /** The server reported it blocked (or a marker said to treat it so) before it completed. */
  readonly blocked: boolean;
  readonly outputs: readonly StatementOutput[];
  readonly error: StepError | null;
  readonly notices: readonly string[];
  /** It was still blocked at the end of the permutation after the step timeout, and was cancelled. */
  readonly timedOut: boolean;
}

/** The order things were seen in, for the tester-style output. */
export type ScheduleEvent =
  | { readonly kind: 'started'; readonly step: string; readonly waiting: boolean }
  | { readonly kind: 'completed'; readonly step: string }
  | { readonly kind: 'invalid'; readonly message: string };

export interface PermutationOutcome {
  readonly permutation: readonly PermutationStep[];
  readonly steps: readonly StepOutcome[];
  readonly events: readonly ScheduleEvent[];
}

const POLL_MS = 5;
/** How long a cancelled step has to report back before the permutation ends without it. */
const CANCEL_WAIT_MS = 5_000;

interface Running {
  readonly spec: SpecStep;
  readonly marker: PermutationStep;
  readonly session: SessionThread;
  result: StepMessage | null;
  /** When the result arrived, to report completions in the order they happened. */
  arrivedAt: number;
  blocked: boolean;
}

/**
 * One permutation in progress: each step is handed to its session's thread in turn. A step that
 * does not complete is asked about, as PostgreSQL's isolation tester does, with
 * pg_isolation_test_session_is_blocked(pid, the sessions' pids) from the control connection; once
 * the server says it waits for a lock, it is marked waiting and the next step goes. After each
 * step, the waiting steps that have completed since are reported, in the order they completed. A
 * step for a session that is still waiting first waits for that session. Whatever stays blocked
 * longer than `stepTimeoutMs` is cancelled (pg_cancel_backend), never waited for for ever.
 */
class PermutationRun {
  private readonly events: ScheduleEvent[] = [];
  private readonly finished: Running[] = [];
  private readonly waiting: Running[] = [];
  private readonly completed = new Set<string>();
  private readonly timedOut = new Set<string>();
  private readonly steps: Map<string, { readonly step: SpecStep; readonly index: number }>;
  private readonly pids: number[];

  constructor(
    spec: Spec,
    private readonly sessions: ReadonlyMap<string, SessionThread>,
    private readonly control: pg.ClientBase,
    private readonly stepTimeoutMs: number,
  ) {
    this.steps = new Map(spec.sessions.flatMap((session) => session.steps.map((step, index) => [step.name, { step, index }] as const)));
    this.pids = [...sessions.values()].map((session) => session.pid);
  }

  async run(permutation: readonly PermutationStep[]): Promise<PermutationOutcome> {
    for (const marker of permutation) {
      if (!(await this.runStep(marker))) break;
    }
    await this.finish();
    const byStep = new Map(this.finished.map((running) => [running.spec.name, running]));
    return {
      permutation,
      events: this.events,
      steps: permutation.flatMap(({ step }) => {
        const running = byStep.get(step);
        if (!running?.result) return [];
        const { outputs, error, notices } = running.result;
        return [{ step, session: running.spec.session, sql: running.spec.sql, blocked: running.blocked, outputs, error, notices, timedOut: this.timedOut.has(step) }];
      }),
    };
  }

  private async isBlocked(running: Running): Promise<boolean> {
    const { rows } = await this.control.query<{ blocked: boolean }>('SELECT pg_catalog.pg_isolation_test_session_is_blocked($1, $2) AS blocked', [running.session.pid, this.pids]);
    return rows[0]?.blocked === true;
  }

  private blockersDone(running: Running): boolean {
    return running.marker.blockers.every((blocker) => this.completed.has(blocker));
  }

  private isDone(running: Running): boolean {
    return running.result !== null && this.blockersDone(running);
  }

  /** Still to be counted as waiting: the server says so, or a marker does. */
  private async stillWaiting(running: Running): Promise<boolean> {
    if (running.marker.blockedAtOnce && running.result === null) return true;
    if (running.result !== null) return !this.blockersDone(running);
    return this.isBlocked(running);
  }

  private complete(running: Running): void {
    this.completed.add(running.spec.name);
    this.finished.push(running);
  }

  /** Reports the waiting steps that completed, in order; false once nothing more can complete now. */
  private collect(): boolean {
    const done = this.waiting.filter((running) => this.isDone(running)).sort((a, b) => a.arrivedAt - b.arrivedAt);
    for (const running of done) {
      this.waiting.splice(this.waiting.indexOf(running), 1);
      this.events.push({ kind: 'completed', step: running.spec.name });
      this.complete(running);
    }
    return done.length > 0;
  }

  /** Lets waiting steps complete until all that remain wait for a lock, or `until` says stop. */
  private async drain(deadline: number, until: () => boolean = () => false): Promise<void> {
    for (;;) {
      if (this.collect()) continue;
      if (until() || Date.now() > deadline) return;
      let anyRunning = false;
      for (const running of this.waiting) if (!(await this.stillWaiting(running))) anyRunning = true;
      if (!anyRunning && !until()) return;
      await sleep(POLL_MS);
    }
  }

  private async cancel(running: Running): Promise<void> {
    this.timedOut.add(running.spec.name);
    await this.control.query('SELECT pg_cancel_backend($1)', [running.session.pid]);
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (running.result === null && Date.now() < deadline) await sleep(POLL_MS);
  }

  /** Waits for `running` to leave the waiting list, up to the step timeout, then cancels it. */
  private async waitOut(running: Running): Promise<void> {
    const deadline = Date.now() + this.stepTimeoutMs;
    while (this.waiting.includes(running) && Date.now() < deadline) {
      await this.drain(deadline, () => !this.waiting.includes(running));
      if (this.waiting.includes(running)) await sleep(POLL_MS);
    }
    if (this.waiting.includes(running)) {
      await this.cancel(running);
      this.collect();
    }
  }

  /** Sends one step and sees whether it completes or waits; false when the permutation cannot go on. */
  private async runStep(marker: PermutationStep): Promise<boolean> {
    const found = this.steps.get(marker.step);
    const session = found ? this.sessions.get(found.step.session) : undefined;
    if (!found || !session) throw new Error(`unknown step ${marker.step}`);
    // As the tester does: a session still waiting on an earlier step is waited for first.
    const busy = this.waiting.find((running) => running.session === session);
    if (busy) await this.waitOut(busy);
    if (busy && this.waiting.includes(busy)) {
      this.events.push({ kind: 'invalid', message: `step ${marker.step}: session ${session.name} is still waiting for ${busy.spec.name}; this permutation cannot go on` });
      return false;
    }
    const running: Running = { spec: found.step, marker, session, result: null, arrivedAt: 0, blocked: false };
    void session.run(found.index).then((message) => {
      running.result = message;
      running.arrivedAt = performance.now();
    });
    await this.settle(running);
    this.events.push({ kind: 'started', step: marker.step, waiting: running.blocked });
    if (running.blocked) this.waiting.push(running);
    else this.complete(running);
    await this.drain(Date.now() + this.stepTimeoutMs);
    return true;
  }

  /** Waits until the step completes or is seen waiting; one that does neither in time is cancelled. */
  private async settle(running: Running): Promise<void> {
    const deadline = Date.now() + this.stepTimeoutMs;
    for (;;) {
      if (this.isDone(running)) return;
      if (await this.stillWaiting(running)) {
        running.blocked = true;
        return;
      }
      if (Date.now() > deadline) {
        await this.cancel(running);
        return;
      }
      await sleep(POLL_MS);
    }
  }

  /** The permutation is over: what still waits gets the step timeout, then is cancelled. */
  private async finish(): Promise<void> {
    const deadline = Date.now() + this.stepTimeoutMs;
    while (this.waiting.length > 0 && Date.now() < deadline) {
      await this.drain(deadline, () => this.waiting.length === 0);
      if (this.waiting.length > 0) await sleep(POLL_MS);
    }
    for (const running of [...this.waiting]) await this.cancel(running);
    this.collect();
    for (const running of this.waiting.splice(0)) {
      this.events.push({ kind: 'completed', step: running.spec.name });
      this.complete(running);
    }
  }
}

/** Runs one permutation of the spec on the sessions' threads (see PermutationRun). */
export function runPermutation(
  spec: Spec,
  permutation: readonly PermutationStep[],
  sessions: ReadonlyMap<string, SessionThread>,
  control: pg.ClientBase,
  stepTimeoutMs: number,
): Promise<PermutationOutcome> {
  return new PermutationRun(spec, sessions, control, stepTimeoutMs).run(permutation);
}
