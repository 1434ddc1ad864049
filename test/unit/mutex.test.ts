import { describe, expect, it } from 'vitest';
import { OUTSIDE_HOLDER, SharedMutex } from '../../src/sync/mutex.js';
import { SharedSemaphore, createSemaphoreBuffer } from '../../src/sync/semaphore.js';

describe('SharedMutex', () => {
  it('is taken by one holder at a time and says who holds it', () => {
    const mutex = new SharedMutex();

    expect(mutex.lock(3, 100)).toBe(true);
    expect(mutex.holder()).toBe(2);
    mutex.unlock();
    expect(mutex.holder()).toBeNull();
    expect(mutex.lock(OUTSIDE_HOLDER, 100)).toBe(true);
    expect(mutex.holder()).toBe('outside');
  });

  it('times out instead of hanging when the holder never lets go', () => {
    const mutex = new SharedMutex();
    mutex.lock(OUTSIDE_HOLDER, 0);
    const started = Date.now();

    expect(mutex.lock(1, 30)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
    expect(mutex.holder()).toBe('outside');
  });
});

describe('SharedSemaphore', () => {
  it('hands out as many permits as it has, and takes them back', () => {
    const semaphore = new SharedSemaphore(createSemaphoreBuffer(2));
    let cancelled = false;

    expect(semaphore.acquire(() => cancelled)).toBe(true);
    expect(semaphore.acquire(() => cancelled)).toBe(true);
    cancelled = true;
    expect(semaphore.acquire(() => cancelled)).toBe(false);
    semaphore.release();
    expect(semaphore.acquire(() => cancelled)).toBe(true);
  });
});
