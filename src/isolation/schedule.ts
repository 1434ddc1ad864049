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
 * Runs one permutation: each step is handed to its session's thread in turn. A step that does not
 * complete is asked about, as PostgreSQL's isolation tester does, with
 * pg_isolation_test_session_is_blocked(pid, the sessions' pids) from the control connection; once
 * the server says it waits for a lock, it is marked waiting and the next step goes. After each
 * step, the waiting steps that have completed since are reported, in the order they completed. A
 * step for a session that is still waiting first waits for that session. Whatever stays blocked
 * longer than `stepTimeoutMs` is cancelled (pg_cancel_backend), never waited for for ever.
 */
export async function runPermutation(
  spec: Spec,
  permutation: readonly PermutationStep[],
  sessions: ReadonlyMap<string, SessionThread>,
  control: pg.ClientBase,
  stepTimeoutMs: number,
): Promise<PermutationOutcome> {
  const steps = new Map(spec.sessions.flatMap((session) => session.steps.map((step, index) => [step.name, { step, index }] as const)));
  const pids = [...sessions.values()].map((session) => session.pid);
  const events: ScheduleEvent[] = [];
  const finished: Running[] = [];
  const waiting: Running[] = [];
  const completed = new Set<string>();
  const timedOut = new Set<string>();

  const isBlocked = async (running: Running) => {
    const { rows } = await control.query<{ blocked: boolean }>('SELECT pg_catalog.pg_isolation_test_session_is_blocked($1, $2) AS blocked', [running.session.pid, pids]);
    return rows[0]?.blocked === true;
  };
  const blockersDone = (running: Running) => running.marker.blockers.every((blocker) => completed.has(blocker));
  const isDone = (running: Running) => running.result !== null && blockersDone(running);
  /** Still to be counted as waiting: the server says so, or a marker does. */
  const stillWaiting = async (running: Running) =>
    (running.marker.blockedAtOnce && running.result === null) || (running.result !== null && !blockersDone(running)) || (running.result === null && (await isBlocked(running)));
  const complete = (running: Running) => {
    completed.add(running.spec.name);
    finished.push(running);
  };

  /** Reports the waiting steps that completed, in order; false once nothing more can complete now. */
  const collect = () => {
    const done = waiting.filter(isDone).sort((a, b) => a.arrivedAt - b.arrivedAt);
    for (const running of done) {
      waiting.splice(waiting.indexOf(running), 1);
      events.push({ kind: 'completed', step: running.spec.name });
      complete(running);
    }
    return done.length > 0;
  };
  /** Lets waiting steps complete until all that remain wait for a lock, or `until` says stop. */
  const drain = async (deadline: number, until: () => boolean = () => false) => {
    for (;;) {
      if (collect()) continue;
      if (until() || Date.now() > deadline) return;
      let anyRunning = false;
      for (const running of waiting) if (!(await stillWaiting(running))) anyRunning = true;
      if (!anyRunning && !until()) return;
      await sleep(POLL_MS);
    }
  };
  const cancel = async (running: Running) => {
    timedOut.add(running.spec.name);
    await control.query('SELECT pg_cancel_backend($1)', [running.session.pid]);
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (running.result === null && Date.now() < deadline) await sleep(POLL_MS);
  };

  for (const marker of permutation) {
    const found = steps.get(marker.step);
    const session = found ? sessions.get(found.step.session) : undefined;
    if (!found || !session) throw new Error(`unknown step ${marker.step}`);
    // As the tester does: a session still waiting on an earlier step is waited for first.
    const busy = waiting.find((running) => running.session === session);
    if (busy) {
      const deadline = Date.now() + stepTimeoutMs;
      while (waiting.includes(busy) && Date.now() < deadline) {
        await drain(deadline, () => !waiting.includes(busy));
        if (waiting.includes(busy)) await sleep(POLL_MS);
      }
      if (waiting.includes(busy)) {
        await cancel(busy);
        collect();
      }
      if (waiting.includes(busy)) {
        events.push({ kind: 'invalid', message: `step ${marker.step}: session ${session.name} is still waiting for ${busy.spec.name}; this permutation cannot go on` });
        break;
      }
    }
    const running: Running = { spec: found.step, marker, session, result: null, arrivedAt: 0, blocked: false };
    void session.run(found.index).then((message) => {
      running.result = message;
      running.arrivedAt = performance.now();
    });
    const deadline = Date.now() + stepTimeoutMs;
    for (;;) {
      if (isDone(running)) break;
      if (await stillWaiting(running)) {
        running.blocked = true;
        break;
      }
      if (Date.now() > deadline) {
        await cancel(running);
        break;
      }
      await sleep(POLL_MS);
    }
    if (running.blocked) {
      events.push({ kind: 'started', step: marker.step, waiting: true });
      waiting.push(running);
    } else {
      events.push({ kind: 'started', step: marker.step, waiting: false });
      complete(running);
    }
    await drain(Date.now() + stepTimeoutMs);
  }

  // The permutation is over: what still waits gets the step timeout, then is cancelled.
  const deadline = Date.now() + stepTimeoutMs;
  while (waiting.length > 0 && Date.now() < deadline) {
    await drain(deadline, () => waiting.length === 0);
    if (waiting.length > 0) await sleep(POLL_MS);
  }
  for (const running of [...waiting]) await cancel(running);
  collect();
  for (const running of waiting.splice(0)) {
    events.push({ kind: 'completed', step: running.spec.name });
    complete(running);
  }

  const byStep = new Map(finished.map((running) => [running.spec.name, running]));
  return {
    permutation,
    events,
    steps: permutation.flatMap(({ step }) => {
      const running = byStep.get(step);
      if (!running?.result) return [];
      const { outputs, error, notices } = running.result;
      return [{ step, session: running.spec.session, sql: running.spec.sql, blocked: running.blocked, outputs, error, notices, timedOut: timedOut.has(step) }];
    }),
  };
}
