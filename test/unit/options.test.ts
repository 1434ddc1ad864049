import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { COMMON_OPTIONS } from '../../src/options/common.js';
import { checkNumber } from '../../src/options/define.js';
import type { RaceOptions } from '../../src/race/options.js';
import { resolveBase, resolveRace } from '../../src/race/resolve.js';

const resolve = async (options: RaceOptions) => resolveRace(await resolveBase(options), options);

describe('resolving the options of a run', () => {
  it('fills every default', async () => {
    const race = await resolve({});

    expect(race.engine.name).toBe('postgres');
    expect(race.scenario.name).toBe('counter');
    expect(race.mode.name).toBe('lost');
    expect(race.common).toMatchObject({ workers: 10, increments: 100, concurrency: 10, maxRetries: Infinity, barrierTimeoutMs: 30_600, keep: false, expect: null });
    expect(race.settings).toMatchObject({ db: null, gate: true, schema: null, timeline: false });
    expect(race.echo).toMatchObject({ engine: 'postgres', scenario: 'counter', mode: 'lost', workers: 10, maxRetries: null, gate: true, file: null, journal: null });
  });

  it.each([
    [{ workers: 0 }, '--workers must be a whole number from 1 to 1000 (got 0)'],
    [{ workers: Number.NaN }, '--workers must be a whole number from 1 to 1000 (got NaN)'],
    [{ increments: 1.5 }, '--increments must be a whole number from 1 to 1000000 (got 1.5)'],
    [{ maxRetries: -1 }, '--max-retries must be a whole number'],
    [{ mode: 'nope' }, "unknown --mode 'nope' for counter"],
    [{ keep: true }, '--keep needs --db'],
    [{ workers: 4, concurrency: 5 }, '--concurrency must be a whole number from 1 to 4 (got 5)'],
    [{ engine: 'sqlite', gate: true }, '--gate does not apply to --engine sqlite'],
    [{ engine: 'sqlite', db: 'postgres://x@y/z', schema: 'x' }, '--db, --schema do not apply to --engine sqlite'],
    [{ file: 'x.db' }, '--file does not apply to --engine postgres'],
    [{ engine: 'sqlite', journal: 'memory' as 'wal' }, "--journal must be one of: delete, wal (got 'memory')"],
    [{ engine: 'sqlite', scenario: 'withdraw' }, "unknown --scenario 'withdraw' for --engine sqlite; choose one of: counter"],
  ] as [RaceOptions, string][])('rejects %j with an InvalidOptionError naming the flag', async (input, message) => {
    await expect(resolve(input)).rejects.toThrow(InvalidOptionError);
    await expect(resolve(input)).rejects.toThrow(message);
  });

  it('accepts --max-retries 0 (no retries at all)', async () => {
    expect((await resolve({ mode: 'optimistic', maxRetries: 0 })).common.maxRetries).toBe(0);
  });

  it('echoes the other engine\'s options as off', async () => {
    const race = await resolve({ engine: 'sqlite', journal: 'wal' });

    expect(race.echo).toMatchObject({ engine: 'sqlite', journal: 'wal', file: null, gate: false, schema: null, statementTimeoutMs: 0, timeline: false });
  });
});

describe('numbers from the command line', () => {
  it.each(['10abc', '0x10', '2.5', '', ' ', '1e2', 'many'])('refuses %j, quoting it as typed', (typed) => {
    expect(() => checkNumber(COMMON_OPTIONS.workers, typed)).toThrow(`--workers must be a whole number from 1 to 1000 (got '${typed}')`);
  });

  it('takes a whole number in range', () => {
    expect(checkNumber(COMMON_OPTIONS.workers, '16')).toBe(16);
    expect(() => checkNumber(COMMON_OPTIONS.workers, '-3')).toThrow("(got '-3')");
  });
});
