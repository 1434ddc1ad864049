import { describe, expect, it } from 'vitest';
import { runRace } from 'race-rig';

// The server in $DATABASE_URL (a CI service container, say); without it, each run starts and
// removes a throwaway embedded PostgreSQL.
const db = process.env.DATABASE_URL;

describe('the counter under concurrency', () => {
  it('loses increments with SELECT, then UPDATE', async () => {
    const result = await runRace({ db, mode: 'lost', workers: 20, increments: 50, expect: 'race' });

    expect(result.expectation?.met).toBe(true);
    expect(result.actual).toBeLessThan(result.expected);
  });

  it('loses none with SELECT … FOR UPDATE', async () => {
    const result = await runRace({ db, mode: 'for-update', workers: 20, increments: 50, expect: 'correct' });

    expect(result.verdict).toBe('CORRECT');
    expect(result.actual).toBe(20 * 50);
  });
});
