import { expect, it } from 'vitest';
import { exploreRace } from 'race-rig';
import type { ExploreOptions } from 'race-rig';
import { describeOnMysql, testMysqlUrl } from '../helpers/mysql.js';

const explore = (options: ExploreOptions) => exploreRace({ engine: 'mysql', db: testMysqlUrl() ?? '', ...options });

describeOnMysql('explore on InnoDB: every statement a scheduling point', () => {
  it('lost, 2 workers × 1 increment: all C(4,2) = 6 schedules, 4 of them lose an increment, as on PostgreSQL', async () => {
    const result = await explore({ mode: 'lost', all: true });

    expect(result).toMatchObject({ strategy: 'exhaustive', schedules: 6, interleavings: 6, found: true, outcomes: { broken: 4, held: 2 } });
    expect(['1.0x2.1', '0.1x2.0']).toContain(result.failing?.id);
    expect(result.failing?.steps.map((step) => step.sql.replace(/, UNIX_TIMESTAMP\(NOW\(6\)\) \* 1000 AS t/, ''))).toEqual([
      'SELECT counter, version FROM user_counter WHERE user_id = 1',
      'SELECT counter, version FROM user_counter WHERE user_id = 1',
      'UPDATE user_counter SET counter = 1 WHERE user_id = 1',
      'UPDATE user_counter SET counter = 1 WHERE user_id = 1',
    ]);
  });

  it('repeatable-read loses the update in an interleaving InnoDB lets through, and its ID replays it', async () => {
    const found = await explore({ mode: 'repeatable-read' });
    const replayed = await explore({ mode: 'repeatable-read', replay: found.failing?.id ?? '' });

    expect(found).toMatchObject({ found: true, failing: { expected: 2, actual: 1 } });
    expect(replayed).toMatchObject({ strategy: 'replay', schedules: 1, found: true, failing: { id: found.failing?.id, actual: 1 } });
  });

  it.each([
    ['inplace', 2],
    ['optimistic', 6],
    // START TRANSACTION, SELECT … FOR UPDATE, UPDATE, COMMIT each: the row lock's waits, seen in INNODB_TRX, leave 24 orders.
    ['for-update', 24],
    // GET_LOCK, read, write, RELEASE_LOCK each: a GET_LOCK that waits shows as 'User lock' in the process list.
    ['get-lock', 8],
  ])('%s holds over all its %i schedules', async (mode, count) => {
    const result = await explore({ mode });

    expect(result).toMatchObject({ found: false, schedules: count, interleavings: count });
  });

  it('serializable: the schedule where both read and then both write ends in a deadlock (1213) that the server breaks at once', async () => {
    const result = await explore({ mode: 'serializable', replay: '0x2.1x2.0.1.0.1x5' });

    expect(result).toMatchObject({ schedules: 1, found: false, outcomes: { deadlock: 1 } });
  });
});
