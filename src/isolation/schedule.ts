import { DatabaseError } from '../errors.js';
import { formatResults } from './format-spec.js';
import type { StepOutcome } from './outcome.js';
import type { SpecControl, SpecDialect } from './spec-engine.js';
import type { Running, TesterSession, Transcript } from './tester-session.js';
import type { PermutationStep, Spec, SpecStep } from './spec.js';

/** The tester's flags: NONBLOCK returns as soon as the step waits for a lock; RETRY polls a step already reported. */
const NONBLOCK = 1;
const RETRY = 2;
/** The tester checks for a lock wait after 10 ms without input. */
const POLL_MS = 10;

export interface StepContext {
  readonly spec: Spec;
  readonly sessions: ReadonlyMap<string, TesterSession>;
  readonly control: SpecControl;
  readonly dialect: SpecDialect;
  readonly transcript: Transcript;
  readonly stepTimeoutMs: number;
}

/**
 * The steps of one permutation, sent and reported exactly as PostgreSQL's isolationtester does
 * (run_permutation, try_complete_step and try_complete_steps in its isolationtester.c): each step
 * is sent, then polled until it completes or the server says it waits for a lock (the engine's
 * control connection asks: pg_isolation_test_session_is_blocked, InnoDB's status); then every
 * step already waiting is polled, in the order they began to wait. Markers hold a finished step
 * back. A step still running after the step timeout is cancelled, with the line the tester
 * prints for that.
 */
export class PermutationRun {
  private readonly steps = new Map<string, { readonly spec: SpecStep; readonly index: number }>();
  private readonly completed: StepOutcome[] = [];
  private readonly pids: number[];

  constructor(private readonly context: StepContext) {
    for (const session of context.spec.sessions) session.steps.forEach((spec, index) => this.steps.set(spec.name, { spec, index }));
    this.pids = [...context.sessions.values()].map((session) => session.thread.pid);
  }

  /** Runs the steps; the caller prints `starting permutation:` and runs setup and teardown around it. */
  async run(permutation: readonly PermutationStep[]): Promise<StepOutcome[]> {
    const waiting: Running[] = [];
    for (const marker of permutation) await this.next(marker, waiting);
    await this.finish(waiting);
    return this.completed;
  }

  /** The steps completed so far, in the order they completed. */
  get outcomes(): readonly StepOutcome[] {
    return this.completed;
  }

  /** Sends one step (after its session's earlier one completes) and polls every step that waits; `waiting` keeps those still waiting. */
  async next(marker: PermutationStep, waiting: Running[]): Promise<void> {
    const running = this.running(marker);
    await this.waitForSession(running.session, waiting);
    this.launch(running);
    const mustWait = await this.tryComplete(running, NONBLOCK);
    await this.tryCompleteAll(waiting, NONBLOCK | RETRY);
    if (mustWait) waiting.push(running);
  }

  /** Polls the steps that wait once, without waiting for them: those whose lock was released complete. */
  async pollWaiting(waiting: Running[]): Promise<void> {
    await this.tryCompleteAll(waiting, NONBLOCK | RETRY);
  }

  /** Waits for the steps still waiting, as the tester does at the end of a permutation. */
  async finish(waiting: Running[]): Promise<void> {
    await this.tryCompleteAll(waiting, RETRY);
    if (waiting.length > 0) throw new DatabaseError(`failed to complete permutation due to mutually-blocking steps (${waiting.map((running) => running.spec.name).join(', ')})`);
  }

  private sessionOf(step: string): TesterSession {
    const found = this.steps.get(step);
    const session = found ? this.context.sessions.get(found.spec.session) : undefined;
    if (!session) throw new Error(`unknown step ${step}`);
    return session;
  }

  private running(marker: PermutationStep): Running {
    const spec = this.steps.get(marker.step)?.spec;
    if (!spec) throw new Error(`unknown step ${marker.step}`);
    return { marker, spec, session: this.sessionOf(marker.step), noticeTargets: new Map(), notices: [], reportedWaiting: false, cancelled: false };
  }

  private launch(running: Running): void {
    running.session.send(this.steps.get(running.spec.name)?.index ?? 0);
    running.session.active = running;
    running.marker.blockers.forEach((blocker, at) => {
      if (blocker.kind === 'notices') running.noticeTargets.set(at, blocker.count + this.sessionOf(blocker.step).totalNotices);
    });
  }

  /** A session still busy with an earlier step is waited for first, as the tester does. */
  private async waitForSession(session: TesterSession, waiting: Running[]): Promise<void> {
    const started = Date.now();
    while (session.active !== null) {
      const earlier = session.active;
      if (!(await this.tryComplete(earlier, RETRY))) waiting.splice(waiting.indexOf(earlier), 1);
      await this.tryCompleteAll(waiting, NONBLOCK | RETRY);
      if (session.active !== null && Date.now() - started > 2 * this.context.stepTimeoutMs) {
        throw new DatabaseError(`step ${session.active.spec.name} timed out after ${Math.floor((Date.now() - started) / 1000)} seconds`);
      }
    }
  }

  /** try_complete_steps: polls the waiting steps in order, again while markers may have been released. */
  private async tryCompleteAll(waiting: Running[], flags: number): Promise<void> {
    let before: number;
    let anyMarked: boolean;
    do {
      this.context.transcript.newNotice = false;
      before = waiting.length;
      anyMarked = false;
      for (let at = 0; at < waiting.length; ) {
        const running = waiting[at] as Running;
        if (await this.tryComplete(running, flags)) {
          if (running.marker.blockers.length > 0) anyMarked = true;
          at++;
        } else waiting.splice(at, 1);
      }
    } while (anyMarked && (waiting.length < before || this.context.transcript.newNotice));
  }

  private isBlocked(session: TesterSession): Promise<boolean> {
    return this.context.control.isBlocked(session.thread.pid, this.pids);
  }

  private hasBlocker(running: Running): boolean {
    return running.marker.blockers.some((blocker, at) => {
      if (blocker.kind === 'once') return false;
      const other = this.sessionOf(blocker.step);
      if (blocker.kind === 'step') return other.active?.spec.name === blocker.step;
      return other.totalNotices < (running.noticeTargets.get(at) ?? 0);
    });
  }

  private reportWaiting(running: Running, flags: number): true {
    if (!(flags & RETRY)) this.context.transcript.print(`step ${running.spec.name}: ${running.spec.sql} <waiting ...>\n`);
    running.reportedWaiting = true;
    return true;
  }

  /** try_complete_step: true while the step is not complete (it waits for a lock, or a marker holds it). */
  private async tryComplete(running: Running, flags: number): Promise<boolean> {
    if (!(flags & RETRY) && running.marker.blockers.some((blocker) => blocker.kind === 'once')) return this.reportWaiting(running, flags);
    const { session } = running;
    const started = Date.now();
    while (!session.consume()) {
      if (await session.thread.waitForInput(POLL_MS)) continue;
      if (flags & NONBLOCK && (await this.isBlocked(session))) {
        if (session.consume()) break;
        return this.reportWaiting(running, flags);
      }
      await this.cancelIfOverdue(running, Date.now() - started);
    }
    if (this.hasBlocker(running)) return this.reportWaiting(running, flags);
    this.complete(running, flags);
    return false;
  }

  private async cancelIfOverdue(running: Running, elapsedMs: number): Promise<void> {
    const { stepTimeoutMs, control, transcript } = this.context;
    if (elapsedMs > stepTimeoutMs && !running.cancelled) {
      await control.cancel(running.session.thread.pid);
      transcript.print(`isolationtester: canceling step ${running.spec.name} after ${Math.floor(elapsedMs / 1000)} seconds\n`);
      running.cancelled = true;
    }
    if (elapsedMs > 2 * stepTimeoutMs) throw new DatabaseError(`step ${running.spec.name} timed out after ${Math.floor(elapsedMs / 1000)} seconds`);
  }

  private complete(running: Running, flags: number): void {
    const { transcript, sessions, dialect } = this.context;
    const { statements, error } = running.session.takeResult();
    transcript.print(flags & RETRY ? `step ${running.spec.name}: <... completed>\n` : `step ${running.spec.name}: ${running.spec.sql}\n`);
    transcript.print(formatResults(statements) + (error ? dialect.errorLine(error) : ''));
    const senderOf = (pid: number) => [...sessions.values()].find((session) => session.thread.pid === pid)?.name ?? `PID ${pid}`;
    for (const line of running.session.notificationLines(senderOf)) transcript.print(line);
    this.completed.push({
      step: running.spec.name,
      session: running.session.name,
      sql: running.spec.sql,
      blocked: running.reportedWaiting,
      outputs: statements.filter((statement) => statement.fields.length > 0),
      error,
      notices: running.notices,
      timedOut: running.cancelled,
    });
  }
}
