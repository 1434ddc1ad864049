import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { DEFAULTS, resolveOptions } from '../../src/options.js';
import type { RaceOptions } from '../../src/options.js';
import { counter } from '../../src/scenarios/counter.js';

const resolve = (options: RaceOptions) => resolveOptions(options, counter, { kind: 'builtin', name: 'counter' });

describe('resolveOptions', () => {
  it('fills every default', () => {
    const options = resolve({});

    expect(options.scenario.name).toBe('counter');
    expect(options.mode.name).toBe(DEFAULTS.mode);
    expect(options).toMatchObject({ workers: 10, increments: 100, db: null, maxRetries: Infinity, keep: false, expect: null });
  });

  it.each([
    [{ workers: 0 }, '--workers must be a whole number from 1 to 1000 (got 0)'],
    [{ workers: Number.NaN }, '--workers must be a whole number from 1 to 1000 (got NaN)'],
    [{ increments: 1.5 }, '--increments must be a whole number from 1 to 1000000 (got 1.5)'],
    [{ maxRetries: -1 }, '--max-retries must be a whole number'],
    [{ mode: 'nope' }, "unknown --mode 'nope' for counter"],
    [{ keep: true }, '--keep needs --db'],
  ])('rejects %j with an InvalidOptionError naming the flag', (input, message) => {
    expect(() => resolve(input)).toThrow(InvalidOptionError);
    expect(() => resolve(input)).toThrow(message);
  });

  it('accepts --max-retries 0 (no retries at all)', () => {
    expect(resolve({ mode: 'optimistic', maxRetries: 0 }).maxRetries).toBe(0);
  });
});
