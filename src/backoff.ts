/**
 * Exponential backoff with full jitter: before retry n (0-based), sleep a uniformly random time
 * in [0, min(base × 2^n, base × 2^MAX_DOUBLINGS)). The randomness spreads the losers of a
 * conflict apart so that they do not collide again in lockstep; the cap keeps one unlucky
 * operation from sleeping for ever.
 */
export const MAX_DOUBLINGS = 8;

export function backoffDelayMs(baseMs: number, retry: number, random: () => number = Math.random): number {
  if (baseMs <= 0) return 0;
  return random() * baseMs * 2 ** Math.min(retry, MAX_DOUBLINGS);
}
