import { describe, expect, it } from 'vitest';
import { COUNTER_MODES } from '../../src/engines/postgres/scenarios/counter-modes.js';
import { formatTimeline, htmlReport, lostWrites, runComparison } from 'race-rig';
import type { RaceResult } from 'race-rig';
import { readAndDropSchema, testDatabaseUrl } from '../helpers/database.js';
import { queryAndDrop } from '../helpers/schema-rows.js';

/**
 * The timeline must never tell a correct mode that it lost a write, in the terminal or the HTML,
 * and must still show the writes the lost-update modes really lose: on real runs, checked
 * against what the database holds.
 */
function expectNoLostWriteShown(run: RaceResult): void {
  const timeline = run.timeline ?? [];
  const html = htmlReport(`${run.scenario}/${run.mode}`, [run]);

  expect(timeline.length, run.mode).toBeGreaterThan(0);
  expect(lostWrites(timeline), run.mode).toEqual([]);
  expect(formatTimeline(timeline), run.mode).toContain('no lost write');
  expect(html, run.mode).not.toMatch(/class="[^"]*\blost-write\b/);
  expect(html, run.mode).not.toMatch(/\d+ lost writes? among them/);
}

function expectLostWritesShown(run: RaceResult): void {
  const timeline = run.timeline ?? [];
  const lost = lostWrites(timeline);

  expect(lost.length, run.mode).toBeGreaterThan(0);
  expect(formatTimeline(timeline)).toMatch(/\d+ lost writes? in \d+ recorded operations/);
  const html = htmlReport(run.mode, [run]);
  expect(html).toMatch(/<p class="lost-writes">\d+ lost writes? among them/);
  expect(html).toMatch(/<rect class="event write[^"]*\blost-write\b/);
}

describe('timeline verdicts on real runs', () => {
  it.each([
    [4, 50],
    [16, 25],
  ])('counter, %i workers × %i: no correct mode shows a lost write, lost shows some, as the database agrees', async (workers, increments) => {
    const comparison = await runComparison({ db: testDatabaseUrl(), keep: true, timeline: true, workers, increments });

    expect(comparison.runs.map((run) => run.mode)).toEqual(COUNTER_MODES.map((mode) => mode.name));
    expect(comparison.asDocumented).toBe(true);
    for (const run of comparison.runs) {
      const held = await readAndDropSchema(run.database.schema);
      const inDatabase = run.mode === 'append' ? held.activityRows : held.counter;
      if (run.mode === 'lost') {
        expectLostWritesShown(run);
        // Each write shown as erased is an increment the counter does not hold.
        expect(inDatabase).toBeLessThanOrEqual(workers * increments - lostWrites(run.timeline ?? []).length);
      } else {
        expect(run.verdict, run.mode).toBe('CORRECT');
        expectNoLostWriteShown(run);
        expect(inDatabase, run.mode).toBe(workers * increments);
      }
    }
  });

  it('withdraw: relative debits never show as lost writes, and the correct modes keep the balance', async () => {
    // With the gate, all ten first checks see the whole balance (enough for five).
    const comparison = await runComparison({ db: testDatabaseUrl(), scenario: 'withdraw', keep: true, timeline: true, workers: 10, increments: 5, gate: true });

    expect(comparison.asDocumented).toBe(true);
    for (const run of comparison.runs) {
      const held = await queryAndDrop<{ balance: number; accepted: number }>(
        run.database.schema,
        'SELECT balance, (SELECT count(*)::integer FROM withdrawals) AS accepted FROM accounts',
      );
      expect(lostWrites(run.timeline ?? []), run.mode).toEqual([]);
      expect(formatTimeline(run.timeline ?? []), run.mode).toContain('no lost write');
      expect(held.balance, run.mode).toBe(50 - 10 * held.accepted);
      if (run.verdict === 'CORRECT') {
        expectNoLostWriteShown(run);
        expect(held, run.mode).toEqual({ balance: 0, accepted: 5 });
      }
    }
  });

  it('deposit on one account: unlocked shows deposits overwritten with other values, the correct modes none', async () => {
    const comparison = await runComparison({
      db: testDatabaseUrl(), scenario: 'deposit', params: { accounts: '1' }, keep: true, timeline: true, workers: 4, increments: 50,
    });

    expect(comparison.asDocumented).toBe(true);
    for (const run of comparison.runs) {
      const account = await queryAndDrop<{ balance: number; deposited: number }>(
        run.database.schema,
        'SELECT balance::integer AS balance, (SELECT coalesce(sum(amount), 0)::integer FROM deposits) AS deposited FROM accounts',
      );
      if (run.mode === 'unlocked') {
        expectLostWritesShown(run);
        // Deposits differ in amount: the stale read, not a repeated value, is what shows them.
        expect(lostWrites(run.timeline ?? []).some((pair) => pair.by.detail !== pair.overwritten.detail)).toBe(true);
        expect(account.balance).toBeLessThan(account.deposited);
      } else {
        expect(run.verdict, run.mode).toBe('CORRECT');
        expectNoLostWriteShown(run);
        expect(account.balance, run.mode).toBe(account.deposited);
      }
    }
  });
});
