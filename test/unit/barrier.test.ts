import { describe, expect, it } from 'vitest';
import { arriveAndWait, StartBarrier } from '../../src/sync/barrier.js';

describe('StartBarrier', () => {
  it('resolves allArrived once every party has arrived', async () => {
    const barrier = new StartBarrier(2);
    const waiting = barrier.allArrived(1000);
    // A party that arrives after the release returns at once (released) instead of sleeping.
    setTimeout(() => {
      barrier.release();
      expect(arriveAndWait(barrier.buffer, 10)).toBe('released');
      expect(arriveAndWait(barrier.buffer, 10)).toBe('released');
    }, 5);

    await expect(waiting).resolves.toBe(true);
    expect(barrier.arrived).toBe(2);
  });

  it('gives up after the timeout and says how many arrived', async () => {
    const barrier = new StartBarrier(3);
    barrier.release();
    arriveAndWait(barrier.buffer, 1);

    const fresh = new StartBarrier(3);
    const started = Date.now();
    await expect(fresh.allArrived(30)).resolves.toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(fresh.arrived).toBe(0);
  });

  it('a worker that is never released times out instead of hanging', () => {
    const barrier = new StartBarrier(2);
    const started = Date.now();

    expect(arriveAndWait(barrier.buffer, 20)).toBe('timed-out');
    expect(Date.now() - started).toBeGreaterThanOrEqual(19);
    expect(barrier.arrived).toBe(1);
  });

  it('break() wakes waiters with the news, and cannot undo a release', async () => {
    const broken = new StartBarrier(5);
    const waiting = broken.allArrived(10_000);
    broken.break();

    await expect(waiting).resolves.toBe(false);
    expect(arriveAndWait(broken.buffer, 1000)).toBe('broken');

    const released = new StartBarrier(1);
    released.release();
    released.break();
    expect(released.isBroken).toBe(false);
  });
});
