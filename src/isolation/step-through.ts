import { untilAborted } from '../abort.js';
import { InvalidOptionError } from '../errors.js';
import type { LevelName } from './levels.js';
import type { PermutationOutcome, StepOutcome } from './outcome.js';
import { MAX_SESSIONS, openSessions } from './run-spec.js';
import type { OpenSessions, SpecRunOptions } from './run-spec.js';
import { PermutationRun } from './schedule.js';
import { SpecSetup } from './spec-setup.js';
import { specEngineNamed } from './spec-engines.js';
import type { SpecServer } from './spec-engine.js';
import type { Running } from './tester-session.js';
import type { PermutationStep, Spec } from './spec.js';

/** One session as the page shows it: its steps, how many were sent, and the one waiting for a lock. */
export interface SteppedSession {
  readonly name: string;
  readonly steps: readonly { readonly name: string; readonly sql: string }[];
  /** Steps sent so far; the next click sends `steps[sent]`. */
  readonly sent: number;
  /** The step sent and not yet complete: it waits for a lock (or for a marker). */
  readonly waiting: string | null;
  /** The sessions holding the lock it waits for; null where the server does not say (InnoDB). */
  readonly waitsFor: readonly string[] | null;
}

/** Where a step-through is: what every session did and waits for, and once every step ran, the outcome. */
export interface StepThroughState {
  readonly level: LevelName | null;
  /** The schema (MySQL: the database) the sessions work in, dropped when the step-through closes. */
  readonly place: string;
  readonly sessions: readonly SteppedSession[];
  /** Every completed step, in the order it completed (a step that waited completes after later ones). */
  readonly completed: readonly StepOutcome[];
  /** Every step of every session sent and completed. */
  readonly finished: boolean;
  /** Once finished: whether the anomaly occurred (null for a spec with no judgement). */
  readonly occurred: boolean | null;
  /** What isolationtester would print so far. */
  readonly transcript: string;
}

export interface StepThroughOptions extends Pick<SpecRunOptions, 'engine' | 'db' | 'stepTimeoutMs' | 'onLog'> {
  readonly spec: Spec;
  readonly level: LevelName | null;
  /** Ends the step-through (a step in flight rejects); close() still cleans up. */
  readonly signal: AbortSignal;
  /** Decides, once every step ran, whether the anomaly occurred. */
  readonly judge?: (outcome: PermutationOutcome) => boolean;
}

/**
 * A spec run by hand, a step at a time, the way a class runs two psql windows: each click sends
 * one session's next step, and the tester's own polling (schedule.ts) reports it complete or
 * waiting for a lock, and completes the steps that waited once their lock is released. Operations
 * run one at a time, in the order they were asked for.
 */
export class StepThrough {
  private readonly waiting: Running[] = [];
  private readonly sentBySession = new Map<string, number>();
  private readonly sentSteps: PermutationStep[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private waitsFor = new Map<string, readonly string[] | null>();

  private constructor(
    private readonly options: StepThroughOptions,
    private readonly open: OpenSessions,
    private readonly run: PermutationRun,
    private readonly closeAll: () => Promise<void>,
  ) {}

  /** Opens the server (a throwaway one unless `db`), starts a thread per session and runs the spec's setup. */
  static async start(options: StepThroughOptions): Promise<StepThrough> {
    const engine = specEngineNamed(options.engine ?? 'postgres');
    let server: SpecServer | undefined;
    let open: OpenSessions | undefined;
    const closeAll = async () => {
      await open?.close().catch(() => undefined);
      await server?.close().catch(() => undefined);
    };
    try {
      server = await engine.open({ db: options.db ?? null, signal: options.signal, log: (line) => options.onLog?.(line), sessions: MAX_SESSIONS });
      open = await openSessions(server, engine.dialect, { spec: options.spec, level: options.level, signal: options.signal, stepTimeoutMs: options.stepTimeoutMs ?? 10_000 });
      await untilAborted(new SpecSetup(open.context).setUp(), options.signal);
      return new StepThrough(options, open, new PermutationRun(open.context), closeAll);
    } catch (error) {
      await closeAll();
      throw error;
    }
  }

  /** Sends the session's next step and reports where everything is once it completed or began to wait. */
  step(session: string): Promise<StepThroughState> {
    return this.serially(async () => {
      const declared = this.options.spec.sessions.find((candidate) => candidate.name === session);
      if (!declared) throw new InvalidOptionError(`there is no session '${session}' in this spec`);
      const sent = this.sentBySession.get(session) ?? 0;
      const next = declared.steps[sent];
      if (!next) throw new InvalidOptionError(`session ${session} has run all its steps`);
      const busy = this.waiting.find((running) => running.session.name === session);
      if (busy) throw new InvalidOptionError(`session ${session} is still waiting in step ${busy.spec.name}; run another session's step`);
      return this.send({ step: next.name, blockers: [] }, session, sent + 1);
    });
  }

  /** Looks again at the steps that wait (a lock released by a timeout or a deadlock's victim completes them); null when none waits. */
  poll(): Promise<StepThroughState | null> {
    return this.serially(async () => {
      if (this.waiting.length === 0) return null;
      await untilAborted(this.run.pollWaiting(this.waiting), this.options.signal);
      await this.readWaits();
      return this.state();
    });
  }

  /** The steps of the spec's first permutation, in order: what "play the interleaving" clicks. */
  get permutation(): readonly PermutationStep[] {
    return this.options.spec.permutations[0] ?? [];
  }

  /** Plays one step of the spec's own permutation by name (a step may run twice in a permutation). */
  playStep(marker: PermutationStep): Promise<StepThroughState> {
    return this.serially(async () => {
      const declared = this.options.spec.sessions.find((candidate) => candidate.steps.some((step) => step.name === marker.step));
      if (!declared) throw new InvalidOptionError(`there is no step '${marker.step}' in this spec`);
      return this.send(marker, declared.name, (this.sentBySession.get(declared.name) ?? 0) + 1);
    });
  }

  current(): Promise<StepThroughState> {
    return this.serially(async () => this.state());
  }

  /** Runs the spec's teardown, stops the sessions, drops the place and closes the server. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    try {
      if (!this.options.signal.aborted) await new SpecSetup(this.open.context).tearDown();
    } finally {
      await this.closeAll();
    }
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async send(marker: PermutationStep, session: string, sent: number): Promise<StepThroughState> {
    this.sentBySession.set(session, sent);
    this.sentSteps.push(marker);
    await untilAborted(this.run.next(marker, this.waiting), this.options.signal);
    if (this.allSent()) await untilAborted(this.run.finish(this.waiting), this.options.signal);
    await this.readWaits();
    return this.state();
  }

  private allSent(): boolean {
    return this.options.spec.sessions.every((session) => (this.sentBySession.get(session.name) ?? 0) >= session.steps.length);
  }

  /** Asks the server which session holds the lock each waiting step waits for. */
  private async readWaits(): Promise<void> {
    const { sessions, control } = this.open.context;
    const pids = [...sessions.values()].map((session) => session.thread.pid);
    const nameOf = (pid: number) => [...sessions.values()].find((session) => session.thread.pid === pid)?.name ?? `PID ${pid}`;
    const waits = new Map<string, readonly string[] | null>();
    for (const running of this.waiting) {
      const holders = await control.holders(running.session.thread.pid, pids);
      waits.set(running.session.name, holders === null ? null : holders.map(nameOf));
    }
    this.waitsFor = waits;
  }

  private state(): StepThroughState {
    const finished = this.allSent() && this.waiting.length === 0;
    const outcome: PermutationOutcome = { permutation: this.sentSteps, steps: this.run.outcomes, output: this.open.context.transcript.text };
    return {
      level: this.options.level,
      place: this.open.place,
      sessions: this.options.spec.sessions.map((session) => {
        const waiting = this.waiting.find((running) => running.session.name === session.name);
        return {
          name: session.name,
          steps: session.steps.map(({ name, sql }) => ({ name, sql })),
          sent: this.sentBySession.get(session.name) ?? 0,
          waiting: waiting?.spec.name ?? null,
          waitsFor: waiting && this.waitsFor.has(session.name) ? (this.waitsFor.get(session.name) as readonly string[] | null) : [],
        };
      }),
      completed: [...this.run.outcomes],
      finished,
      occurred: finished && this.options.judge ? this.options.judge(outcome) : null,
      transcript: outcome.output,
    };
  }
}
