import { describe, expect, it } from 'vitest';
import { commute } from '../../src/explore/commute.js';
import { ExhaustiveStrategy } from '../../src/explore/exhaustive.js';
import { PctStrategy, RandomStrategy } from '../../src/explore/random.js';
import { ReplayStrategy, ScheduleDivergedError } from '../../src/explore/replay.js';
import { interleavingsOf } from '../../src/explore/search.js';
import { parseScheduleId, scheduleId } from '../../src/explore/schedule-id.js';
import { switchesOf } from '../../src/explore/shrink.js';
import { deadlockCycle } from '../../src/explore/wait-for.js';
import { specStatement } from '../../src/explore/spec-export.js';
import type { Strategy, TraceStep } from '../../src/explore/types.js';
import { SERVER_NOW_MS } from '../../src/engines/postgres/statements.js';

const READ = 'SELECT counter FROM user_counter WHERE user_id = $1';
const WRITE = 'UPDATE user_counter SET counter = $2 WHERE user_id = $1';

/**
 * Workers that never block, each sending its statements in order: runs every schedule the
 * strategy hands out, as the driver would, and returns them as choice strings.
 */
function simulate(strategy: Strategy, workers: readonly (readonly string[])[]): string[] {
  const schedules: string[] = [];
  for (let chooser = strategy.next(); chooser; chooser = strategy.next()) {
    const next = workers.map(() => 0);
    const steps: TraceStep[] = [];
    for (;;) {
      const candidates = workers.flatMap((statements, worker) => {
        const text = statements[next[worker] ?? 0];
        return text === undefined ? [] : [{ worker, statement: { text, values: [] } }];
      });
      if (candidates.length === 0) break;
      const worker = chooser.choose(steps.length, candidates);
      const statement = candidates.find((candidate) => candidate.worker === worker)?.statement;
      if (!statement) throw new Error(`worker ${worker} is not ready`);
      steps.push({ worker, statement, completedAt: steps.length + 1, waited: false });
      next[worker] = (next[worker] ?? 0) + 1;
    }
    strategy.finished(steps);
    if (strategy.last !== 'equivalent') schedules.push(steps.map((step) => step.worker).join(''));
  }
  return schedules;
}

describe('schedule IDs', () => {
  it('run-length encode the choices and parse back', () => {
    expect(scheduleId([0, 1, 1, 0])).toBe('0.1x2.0');
    expect(scheduleId([3, 3, 3, 12])).toBe('3x3.12');
    expect(parseScheduleId('0.1x2.0')).toEqual([0, 1, 1, 0]);
    expect(parseScheduleId(scheduleId([2, 0, 0, 1, 1, 1]))).toEqual([2, 0, 0, 1, 1, 1]);
  });

  it('refuse what is not an ID with a one-line error', () => {
    expect(() => parseScheduleId('0.x2')).toThrow(/is not a schedule ID/);
    expect(() => parseScheduleId('1x0')).toThrow(/is not a schedule ID/);
  });
});

describe('the exhaustive strategy', () => {
  it('runs every interleaving that keeps each worker in order: C(4,2) = 6 for two workers of two statements', () => {
    const schedules = simulate(new ExhaustiveStrategy(false), [[READ, WRITE], [READ, WRITE]]);
    expect(schedules).toEqual(['0011', '0101', '0110', '1001', '1010', '1100']);
    expect(interleavingsOf([2, 2])).toBe(6);
  });

  it('matches the multinomial count for uneven workers: 5! / (1! 2! 2!) = 30', () => {
    const schedules = simulate(new ExhaustiveStrategy(false), [[WRITE], [READ, WRITE], [READ, WRITE]]);
    expect(schedules).toHaveLength(30);
    expect(new Set(schedules).size).toBe(30);
    expect(interleavingsOf([1, 2, 2])).toBe(30);
  });

  it('with pruning skips reorderings of adjacent reads: 4 of the 6 for the lost update', () => {
    const schedules = simulate(new ExhaustiveStrategy(true), [[READ, WRITE], [READ, WRITE]]);
    // 0101 and 1001 differ only in the order of the two reads, as do 0110 and 1010.
    expect(schedules).toEqual(['0011', '0101', '0110', '1100']);
  });

  it('with pruning runs one schedule when nothing conflicts', () => {
    const schedules = simulate(new ExhaustiveStrategy(true), [['BEGIN', READ], ['BEGIN', READ], [READ]]);
    expect(schedules).toHaveLength(1);
  });
});

describe('random and PCT', () => {
  it('the same seed gives the same schedules, another seed others', () => {
    const workers = [[READ, WRITE, READ, WRITE], [READ, WRITE, READ, WRITE], [READ, WRITE]];
    const first = simulate(new RandomStrategy(42, 20), workers);
    expect(first).toHaveLength(20);
    expect(simulate(new RandomStrategy(42, 20), workers)).toEqual(first);
    expect(simulate(new RandomStrategy(43, 20), workers)).not.toEqual(first);
  });

  it('pct is seeded too, and with depth 1 runs each worker to the end before the next (no change point)', () => {
    const workers = [[READ, WRITE], [READ, WRITE], [READ, WRITE]];
    expect(simulate(new PctStrategy(7, 10, 2, 3, 6), workers)).toEqual(simulate(new PctStrategy(7, 10, 2, 3, 6), workers));
    for (const schedule of simulate(new PctStrategy(7, 10, 1, 3, 6), workers)) expect(switchesOf([...schedule].map(Number))).toBe(2);
  });
});

describe('replay', () => {
  it('follows the ID, and says so when the run does not fit it', () => {
    expect(simulate(new ReplayStrategy([1, 0, 0, 1], true), [[READ, WRITE], [READ, WRITE]])).toEqual(['1001']);
    expect(() => simulate(new ReplayStrategy([1, 1, 1, 0], true), [[READ, WRITE], [READ, WRITE]])).toThrow(ScheduleDivergedError);
  });

  it('leniently, goes on with the lowest ready worker', () => {
    expect(simulate(new ReplayStrategy([1, 1, 1], false), [[READ, WRITE], [READ, WRITE]])).toEqual(['1100']);
  });
});

describe('what commutes', () => {
  it('plain reads with each other, BEGIN with anything; writes, locking reads and unknown functions with nothing', () => {
    const statement = (text: string) => ({ text, values: [] });
    expect(commute(statement(READ), statement(`SELECT balance, ${SERVER_NOW_MS} FROM accounts WHERE id = $1`))).toBe(true);
    expect(commute(statement('BEGIN ISOLATION LEVEL SERIALIZABLE'), statement(WRITE))).toBe(true);
    expect(commute(statement(READ), statement(WRITE))).toBe(false);
    expect(commute(statement(READ), statement(`${READ} FOR UPDATE`))).toBe(false);
    expect(commute(statement(READ), statement('SELECT pg_advisory_xact_lock(1, $1)'))).toBe(false);
    expect(commute(statement(READ), statement('BEGIN IMMEDIATE'))).toBe(false);
  });
});

describe('statements in an exported spec', () => {
  it('have their parameters written in and the rig clock column left out', () => {
    expect(specStatement(`SELECT counter, version, ${SERVER_NOW_MS} FROM user_counter WHERE user_id = $1`, [1])).toBe('SELECT counter, version FROM user_counter WHERE user_id = 1');
    expect(specStatement(`UPDATE t SET v = v + 1 WHERE id = $1 RETURNING ${SERVER_NOW_MS}`, [3])).toBe('UPDATE t SET v = v + 1 WHERE id = 3');
    expect(specStatement("INSERT INTO t (name) VALUES ($1)", ["O'Brien"])).toBe("INSERT INTO t (name) VALUES ('O''Brien')");
    expect(specStatement('SELECT $10, $1', [1, 2, 3, 4, 5, 6, 7, 8, 9, 'ten'])).toBe("SELECT 'ten', 1");
  });
});

describe('deadlock cycles among waiting workers', () => {
  it('finds the workers on a cycle of waits, and none where the waits end somewhere', () => {
    expect(deadlockCycle(new Map([[0, [1]], [1, [0]]]))).toEqual([0, 1]);
    expect(deadlockCycle(new Map([[2, [0]], [0, [1]], [1, [2]], [3, [2]]]))).toEqual([0, 1, 2]);
    expect(deadlockCycle(new Map([[0, [1]], [1, [2]]]))).toEqual([]);
    expect(deadlockCycle(new Map([[0, [1]], [3, [0]]]))).toEqual([]);
  });
});

describe('a search the server does not follow', () => {
  it('counts a schedule that could not follow its planned prefix as diverged, and goes on to the end', () => {
    const strategy = new ExhaustiveStrategy(false);
    const kinds: string[] = [];
    for (let chooser = strategy.next(), run = 0; chooser && run < 20; chooser = strategy.next(), run++) {
      const next = [0, 0];
      const steps: TraceStep[] = [];
      while ((next[0] ?? 0) < 2 || (next[1] ?? 0) < 2) {
        // In the second schedule, worker 1 is not ready at the second step (as if the server had let another waiter go first).
        const candidates = [0, 1].filter((worker) => (next[worker] ?? 0) < 2 && !(run === 1 && steps.length === 1 && worker === 1)).map((worker) => ({ worker, statement: { text: WRITE, values: [] } }));
        const worker = chooser.choose(steps.length, candidates);
        steps.push({ worker, statement: { text: WRITE, values: [] }, completedAt: steps.length + 1, waited: false });
        next[worker] = (next[worker] ?? 0) + 1;
      }
      strategy.finished(steps);
      kinds.push(strategy.last);
    }
    expect(kinds[1]).toBe('diverged');
    expect(kinds.filter((kind) => kind === 'planned').length).toBeGreaterThanOrEqual(4);
    expect(kinds.length).toBeLessThan(20);
  });
});
