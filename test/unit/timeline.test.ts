import { describe, expect, it } from 'vitest';
import { formatTimeline } from '../../src/report/format-timeline.js';
import { htmlReport } from '../../src/report/html.js';
import { SERVER_NOW_MS as T } from '../../src/engines/postgres/statements.js';
import { committedWrites, lostWrites } from '../../src/timeline/analyze.js';
import { statementKind } from '../../src/timeline/recorder.js';
import { updateShape, writeParameters } from '../../src/timeline/sql-shape.js';
import type { TimelineEvent } from '../../src/timeline/types.js';
import { race } from '../helpers/result-fixture.js';

const READ = `SELECT counter, version, ${T} FROM user_counter WHERE user_id = $1`;
const WRITE = 'UPDATE user_counter SET counter = $2 WHERE user_id = $1';
const BEGIN = 'BEGIN';
const COMMIT = 'COMMIT';
const DEPOSIT_READ = `SELECT balance, version, ${T} FROM accounts WHERE id = $1`;
const DEPOSIT_WRITE = 'UPDATE accounts SET balance = $2, version = version + 1 WHERE id = $1';
const DEPOSIT_RECORD = 'INSERT INTO deposits (account_id, amount, worker, iteration) VALUES ($1, $2, $3, $4)';

type Statement = readonly [sql: string, detail?: string];

function event(worker: number, kind: TimelineEvent['kind'], startMs: number, detail = '', extra: Partial<TimelineEvent> = {}): TimelineEvent {
  const sql = kind === 'read' ? READ : kind === 'write' ? WRITE : kind === 'begin' ? BEGIN : kind === 'commit' ? COMMIT : null;
  return { worker, operation: 0, attempt: 0, kind, sql, detail, rows: kind === 'retry' ? null : 1, startMs, endMs: startMs + 1, failed: false, ...extra };
}

/** One attempt per worker, a statement (or null: a pause) every 2 ms; worker n starts n ms after worker 0. */
function lockstep(...workers: ReadonlyArray<ReadonlyArray<Statement | null>>): TimelineEvent[] {
  const events = workers.flatMap((statements, worker) =>
    statements.flatMap((statement, index) => {
      if (!statement) return [];
      const [sql, detail = ''] = statement;
      const startMs = 1000 + worker + 2 * index;
      return [{ ...event(worker, statementKind(sql), startMs, detail), sql, endMs: startMs + 0.5 }];
    }),
  );
  return events.sort((a, b) => a.startMs - b.startMs);
}

/** Both workers read before either writes, and worker 0 commits before worker 1 writes: the lost-update picture. */
const twice = (statements: (worker: number) => readonly Statement[]) => lockstep(statements(0), statements(1));

/** The TaskRunner picture: both workers read 41, both write 42. */
const interleaved = [
  event(0, 'read', 1000, 'counter=41'),
  event(1, 'read', 1000.5, 'counter=41'),
  event(0, 'write', 1002, '$1=1 $2=42'),
  event(1, 'write', 1003, '$1=1 $2=42'),
];

const counterFixtures: Record<string, (worker: number) => readonly Statement[]> = {
  inplace: () => [[`UPDATE user_counter SET counter = counter + 1 WHERE user_id = $1 RETURNING ${T}`, '$1=1']],
  'for-update': () => [[BEGIN], [`SELECT counter, ${T} FROM user_counter WHERE user_id = $1 FOR UPDATE`, 'counter=41'], [WRITE, '$1=1 $2=42'], [COMMIT]],
  'for-no-key-update': () => [[BEGIN], [`SELECT counter, ${T} FROM user_counter WHERE user_id = $1 FOR NO KEY UPDATE`, 'counter=41'], [WRITE, '$1=1 $2=42'], [COMMIT]],
  optimistic: () => [[READ, 'counter=41 version=7'], ['UPDATE user_counter SET counter = $2, version = version + 1 WHERE user_id = $1 AND version = $3', '$1=1 $2=42 $3=7']],
  serializable: () => [['BEGIN ISOLATION LEVEL SERIALIZABLE'], [READ, 'counter=41 version=7'], [WRITE, '$1=1 $2=42'], [COMMIT]],
  'repeatable-read': () => [['BEGIN ISOLATION LEVEL REPEATABLE READ'], [READ, 'counter=41 version=7'], [WRITE, '$1=1 $2=42'], [COMMIT]],
  advisory: () => [[BEGIN], [`SELECT pg_advisory_xact_lock(1380008773, $1), ${T}`, "pg_advisory_xact_lock=''"], ['SELECT counter FROM user_counter WHERE user_id = $1', 'counter=41'], [WRITE, '$1=1 $2=42'], [COMMIT]],
  append: (worker) => [[`INSERT INTO user_counter_activity (user_id, worker) VALUES ($1, $2) RETURNING ${T}`, `$1=1 $2=${worker}`]],
  'hot-row append': () => [[`INSERT INTO retweets (message_id, action) VALUES ($1, 'retweet') RETURNING ${T}`, '$1=1']],
  'withdraw check-then-act': (worker) => [[BEGIN], [`SELECT balance, ${T} FROM accounts WHERE id = $1`, 'balance=50'], ['UPDATE accounts SET balance = balance - $2 WHERE id = $1', '$1=1 $2=10'], ['INSERT INTO withdrawals (account_id, amount, worker) VALUES ($1, $2, $3)', `$1=1 $2=10 $3=${worker}`], [COMMIT]],
  'deposit pessimistic': () => [[BEGIN], [`SELECT balance, version, ${T} FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, "balance='100' version=3"], [DEPOSIT_WRITE, "$1=5 $2=110"], [COMMIT]],
  'deposit optimistic': () => [[DEPOSIT_READ, "balance='100' version=3"], [BEGIN], ['UPDATE accounts SET balance = $2, version = version + 1 WHERE id = $1 AND version = $3', '$1=5 $2=110 $3=3'], [COMMIT]],
};

const depositUnlocked = (account: (worker: number) => number) => (worker: number): readonly Statement[] => [
  [BEGIN],
  [DEPOSIT_READ, "balance='100' version=3"],
  [DEPOSIT_WRITE, `$1=${account(worker)} $2=${110 + 20 * worker}`],
  [DEPOSIT_RECORD, `$1=${account(worker)} $2=${10 + 20 * worker} $3=${worker} $4=0`],
  [COMMIT],
];

describe('timeline analysis', () => {
  it('classifies statements by what they do', () => {
    expect(statementKind('BEGIN ISOLATION LEVEL SERIALIZABLE')).toBe('begin');
    expect(statementKind('SELECT counter FROM t WHERE id = $1 FOR NO KEY UPDATE')).toBe('lock');
    expect(statementKind('SELECT pg_advisory_xact_lock(1, $1)')).toBe('lock');
    expect(statementKind(READ)).toBe('read');
    expect(statementKind(WRITE)).toBe('write');
    expect(statementKind('COMMIT')).toBe('commit');
  });

  it('reads an UPDATE\'s shape: client values, relative assignments, the row it names', () => {
    const shape = updateShape('update  "Accounts" a\n SET balance = $2::bigint, "Version" = a."Version" + 1 -- bump\n WHERE a.id = $1 AND $3 = owner RETURNING id');

    expect(shape).toMatchObject({ table: 'Accounts', hasWhere: true });
    expect(shape?.absolute).toEqual(new Map([['balance', 2]]));
    expect(shape?.assigned).toEqual(new Set(['balance', 'Version']));
    expect(shape?.equalities).toEqual(new Map([['id', 1], ['owner', 3]]));
    expect(updateShape('UPDATE t SET n = n + 1, note = lower($2) WHERE id = $1')?.absolute.size).toBe(0);
    expect(updateShape('INSERT INTO t VALUES ($1)')).toBeNull();
    expect(writeParameters("$1=5 $2='a b' $3=7")).toEqual(new Map([[1, '5'], [2, "'a b'"], [3, '7']]));
  });

  it('finds the write that erased another worker\'s write of the same values', () => {
    const lost = lostWrites(interleaved);

    expect(lost).toHaveLength(1);
    expect(lost[0]?.overwritten.worker).toBe(0);
    expect(lost[0]?.by.worker).toBe(1);
    expect(lost[0]?.read).toBe(interleaved[1]);
    expect(lostWrites(twice(() => [[READ, 'counter=41 version=7'], [WRITE, '$1=1 $2=42']]))).toHaveLength(1);
  });

  it.each(Object.keys(counterFixtures))('finds no lost write under %s, even when both workers read before either writes', (name) => {
    const events = twice(counterFixtures[name] ?? (() => []));

    expect(committedWrites(events).length).toBeGreaterThanOrEqual(2);
    expect(lostWrites(events)).toEqual([]);
    expect(formatTimeline(events)).toContain('no lost write');
  });

  it('finds a deposit overwritten with a different value computed from a stale read, on the same account only', () => {
    const lost = lostWrites(twice(depositUnlocked(() => 5)));

    expect(lost.map((pair) => [pair.overwritten.detail, pair.by.detail])).toEqual([['$1=5 $2=110', '$1=5 $2=130']]);
    expect(lostWrites(twice(depositUnlocked((worker) => 5 + worker)))).toEqual([]);
  });

  it('claims no stale read that the clocks cannot prove', () => {
    const events = twice(depositUnlocked(() => 5));
    // Worker 1's write is sent while worker 0's is still running: either may have taken the row first.
    const overlapping = events.map((event) => (event.worker === 1 && event.kind === 'write' ? { ...event, startMs: 1004.4 } : event));
    // Worker 1 reads only after worker 0 committed: it saw the deposit.
    const sequential = events.map((event) => (event.worker === 1 ? { ...event, startMs: event.startMs + 10, endMs: event.endMs + 10 } : event));

    expect(lostWrites(overlapping)).toEqual([]);
    expect(lostWrites(sequential)).toEqual([]);
  });

  it('does not pair equal writes when one read began after the other write was sent (the counter went back)', () => {
    // Worker 1 writes 13 at 1002 (acknowledged late, at 1020); someone erases it back to 12; worker 0
    // reads that 12 at 1010 and writes 13 again: its read came after worker 1's write, not before.
    const events = [
      { ...event(1, 'read', 1000, 'counter=12 version=0'), endMs: 1000.5 },
      { ...event(1, 'write', 1002, '$1=1 $2=13'), endMs: 1020 },
      { ...event(0, 'read', 1010, 'counter=12 version=0'), endMs: 1010.5 },
      { ...event(0, 'write', 1012, '$1=1 $2=13'), endMs: 1012.5 },
    ];

    expect(lostWrites(events)).toEqual([]);
  });

  it('orders two equal writes by the row lock when the clocks prove it, not by a late acknowledgement', () => {
    const events = twice(() => [[BEGIN], [READ, 'counter=41 version=7'], [WRITE, '$1=1 $2=42'], [COMMIT]]).map((event) => {
      // Worker 1's write waits for worker 0's commit, whose acknowledgement reaches worker 0 late.
      if (event.worker === 1 && event.kind === 'write') return { ...event, endMs: 1008 };
      if (event.worker === 1 && event.kind === 'commit') return { ...event, startMs: 1008.5, endMs: 1009 };
      return event.worker === 0 && event.kind === 'commit' ? { ...event, endMs: 1010 } : event;
    });

    expect(lostWrites(events).map((pair) => [pair.overwritten.worker, pair.by.worker])).toEqual([[0, 1]]);
  });

  it('protects a read only with a lock taken before it and held until the write', () => {
    const lateLock = (): readonly Statement[] => [[READ, 'counter=41 version=7'], [BEGIN], ['SELECT pg_advisory_xact_lock(1, $1)', "pg_advisory_xact_lock=''"], [WRITE, '$1=1 $2=42'], [COMMIT]];
    const sessionLock = (): readonly Statement[] => [['SELECT pg_advisory_lock(1, $1)', "pg_advisory_lock=''"], [READ, 'counter=41 version=7'], [WRITE, '$1=1 $2=42']];
    const lockOutsideTransaction = (): readonly Statement[] => [[`SELECT counter, ${T} FROM user_counter WHERE user_id = $1 FOR UPDATE`, 'counter=41'], [READ, 'counter=41 version=7'], [WRITE, '$1=1 $2=42']];

    expect(lostWrites(twice(lateLock))).toHaveLength(1);
    expect(lostWrites(twice(sessionLock))).toEqual([]);
    expect(lostWrites(twice(lockOutsideTransaction))).toHaveLength(1);
  });

  it('counts every update one stale write erased', () => {
    const events = lockstep(
      [[READ, 'counter=41 version=7'], null, null, null, null, [WRITE, '$1=1 $2=42']],
      [[READ, 'counter=41 version=7'], [WRITE, '$1=1 $2=42']],
      [null, null, [READ, 'counter=42 version=7'], [WRITE, '$1=1 $2=43']],
    );
    const lost = lostWrites(events);

    expect(lost.map((pair) => [pair.overwritten.worker, pair.by.worker])).toEqual([[1, 0], [2, 0]]);
    expect(formatTimeline(events)).toContain('overwrote the updates of w1, w2: its value came from a read (counter=41 version=7) that had not seen them');
  });

  it('ignores writes that were rolled back or changed nothing', () => {
    const rolledBack = [
      event(0, 'begin', 1000),
      event(0, 'read', 1001, 'counter=41'),
      event(1, 'begin', 1001),
      event(1, 'read', 1001.5, 'counter=41'),
      event(0, 'write', 1002, '$1=1 $2=42'),
      event(0, 'commit', 1003),
      event(1, 'write', 1004, '$1=1 $2=42', { failed: true, rows: null }),
      event(1, 'retry', 1005, 'serialization'),
    ];
    const optimistic = [...interleaved.slice(0, 3), event(1, 'write', 1003, '$1=1 $2=42', { rows: 0 })];

    expect(committedWrites(rolledBack)).toHaveLength(1);
    expect(lostWrites(rolledBack)).toEqual([]);
    expect(lostWrites(optimistic)).toEqual([]);
  });

  it('draws the workers as lines and marks the erasing write', () => {
    const text = formatTimeline(interleaved);

    expect(text).toContain('1 lost write in 2 recorded operations');
    expect(text).toMatch(/^ {2}w0 +\|R/m);
    expect(text).toMatch(/^ {2}w1 +\|.*!/m);
    expect(text).toContain("overwrote w0's update: its value came from a read (counter=41) that had not seen it, so that update is lost");
    expect(text).toContain('this update is lost: w1 overwrote it');
    expect(text.match(/read +counter=41/g)).toHaveLength(2);
  });

  it('outlines the erasing write in the HTML only when there is one', () => {
    const inplace = htmlReport('t', [{ ...race, verdict: 'CORRECT', mode: 'inplace', timeline: twice(counterFixtures.inplace ?? (() => [])) }]);
    const lost = htmlReport('t', [{ ...race, timeline: interleaved }]);

    expect(inplace).not.toMatch(/lost-write"|\d+ lost writes? among them/);
    expect(inplace).toContain('No lost write among them');
    expect(lost).toMatch(/<rect class="event write lost-write"/);
    expect(lost).toContain("1 lost write among them; drawn around the first. Outlined red: a write that overwrote another worker's committed update");
  });
});
