import { describe, expect, it } from 'vitest';
import { ENGINES, exploreRace, SCENARIOS } from 'race-rig';
import { testDatabaseUrl } from '../helpers/database.js';
import { testMysqlUrl } from '../helpers/mysql.js';

/**
 * Every built-in scenario and mode on PostgreSQL and on MySQL, and the SQLite counter in both journal modes,
 * under `explore` with 2 workers × 1 operation: the broken modes are found, the correct ones hold
 * over an exhaustive search (transfer's deadlocks are schedules of their own). Parameters make
 * the two workers contend: one account for deposit, two for transfer, a limit of 1 row.
 */
const PARAMS: Readonly<Record<string, Record<string, string>>> = { deposit: { accounts: '1' }, transfer: { accounts: '2' }, 'row-limit': { limit: '1' } };

/** Its collision needs two INSERTs in one microsecond: a matter of the clock, which no order of whole statements gives. */
const NOT_SCHEDULABLE = new Set(['hot-row/append-unique-ts']);

const postgresModes = Object.entries(SCENARIOS).flatMap(([scenario, definition]) => definition.modes.map((mode) => [scenario, mode.name, mode.outcome] as const));

describe('explore gives every built-in mode its documented outcome', () => {
  it.each(postgresModes)('postgres %s %s (%s)', async (scenario, mode, outcome) => {
    const result = await exploreRace({ db: testDatabaseUrl(), scenario, mode, params: PARAMS[scenario] ?? {}, prune: true });
    if (outcome === 'race' && !NOT_SCHEDULABLE.has(`${scenario}/${mode}`)) {
      expect(result.found).toBe(true);
      expect(result.failing?.actual).not.toBe(result.failing?.expected);
    } else {
      expect(result.found).toBe(false);
      expect(result.interleavings).toBe(result.schedules);
    }
    if (scenario === 'transfer' && mode === 'unordered') expect(result.outcomes.deadlock).toBeGreaterThan(0);
  });

  // On InnoDB the trigger's count reads with locks, so row-limit's overrun happens inside one INSERT: no order of whole statements shows it either.
  const mysqlModes = Object.entries(ENGINES.mysql.scenarios).flatMap(([scenario, definition]) => definition.modes.map((mode) => [scenario, mode.name, mode.outcome] as const));
  const notSchedulableOnMysql = new Set([...NOT_SCHEDULABLE, 'row-limit/unlocked']);
  it.runIf(testMysqlUrl() !== null).each(mysqlModes)('mysql %s %s (%s)', async (scenario, mode, outcome) => {
    const result = await exploreRace({ engine: 'mysql', db: testMysqlUrl() ?? '', scenario, mode, params: PARAMS[scenario] ?? {}, prune: true });
    if (outcome === 'race' && !notSchedulableOnMysql.has(`${scenario}/${mode}`)) {
      expect(result.found).toBe(true);
      expect(result.failing?.actual).not.toBe(result.failing?.expected);
    } else {
      expect(result.found).toBe(false);
      expect(result.interleavings).toBe(result.schedules);
    }
    if (scenario === 'transfer' && mode === 'unordered') expect(result.outcomes.deadlock).toBeGreaterThan(0);
  });

  // fcntl-lock's lock belongs to the process, and explore runs threads: it refuses the mode (below).
  const threadModes = (ENGINES.sqlite.scenarios.counter?.modes ?? []).filter((mode) => !mode.processPerWorker);
  const sqliteModes = threadModes.flatMap((mode) => (['delete', 'wal'] as const).map((journal) => [journal, mode.name, mode.outcome] as const));
  it('sqlite counter fcntl-lock: refused in one line, its lock being the process\'s', async () => {
    await expect(exploreRace({ engine: 'sqlite', mode: 'fcntl-lock' })).rejects.toThrow(/^race-rig explore runs its workers as threads of one process, and --mode fcntl-lock's lock belongs to the process/);
  });
  it.each(sqliteModes)('sqlite (%s journal) counter %s (%s)', async (journal, mode, outcome) => {
    const result = await exploreRace({ engine: 'sqlite', journal, mode });
    expect(result.found).toBe(outcome === 'race');
    if (outcome === 'correct') expect(result.interleavings).toBe(result.schedules);
  });
});
