import { describe, expect, it } from 'vitest';
import { backoffDelayMs, MAX_DOUBLINGS } from '../../src/backoff.js';

describe('backoffDelayMs (exponential, full jitter)', () => {
  it('is off with a base of 0', () => {
    expect(backoffDelayMs(0, 5, () => 0.99)).toBe(0);
  });

  it('doubles the ceiling with every retry and scales it by the random draw', () => {
    expect(backoffDelayMs(2, 0, () => 0.5)).toBe(1);
    expect(backoffDelayMs(2, 1, () => 0.5)).toBe(2);
    expect(backoffDelayMs(2, 3, () => 0.5)).toBe(8);
    expect(backoffDelayMs(2, 3, () => 0)).toBe(0);
  });

  it('stops doubling at the cap', () => {
    const capped = backoffDelayMs(1, MAX_DOUBLINGS, () => 0.5);

    expect(backoffDelayMs(1, MAX_DOUBLINGS + 10, () => 0.5)).toBe(capped);
    expect(capped).toBe(2 ** MAX_DOUBLINGS / 2);
  });
});
