/**
 * A cross-thread mutex in a SharedArrayBuffer (the analog of Python's multiprocessing.Lock):
 * compare-and-exchange to take it, Atomics.wait to sleep until it is released, and a timeout, so
 * that a holder that never lets go turns into a clear error instead of a hang. The slot holds who
 * has it: 0 when free, a worker's index + 1, or OUTSIDE_HOLDER for the caller of the rig.
 */
const kHolderField = 0;
const FREE = 0;
/** The holder id of a lock taken outside the workers (a test, the program that runs the rig). */
export const OUTSIDE_HOLDER = -1;

export class SharedMutex {
  readonly buffer: SharedArrayBuffer;
  private readonly slots: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.slots = new Int32Array(buffer);
  }

  /**
   * Takes the mutex for `holder` (a worker's index + 1, or OUTSIDE_HOLDER), blocking the thread
   * until it is free; false if `timeoutMs` passed first (0: wait for ever).
   */
  lock(holder: number, timeoutMs: number): boolean {
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
    for (;;) {
      const current = Atomics.compareExchange(this.slots, kHolderField, FREE, holder);
      if (current === FREE) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      Atomics.wait(this.slots, kHolderField, current, Number.isFinite(remaining) ? remaining : undefined);
    }
  }

  /** Takes the mutex for `holder` if it is free; never waits. */
  tryLock(holder: number): boolean {
    return Atomics.compareExchange(this.slots, kHolderField, FREE, holder) === FREE;
  }

  unlock(): void {
    Atomics.store(this.slots, kHolderField, FREE);
    Atomics.notify(this.slots, kHolderField, 1);
  }

  /** Who holds it now: a worker's index, 'outside', or null when it is free. */
  holder(): number | 'outside' | null {
    const value = Atomics.load(this.slots, kHolderField);
    if (value === FREE) return null;
    return value === OUTSIDE_HOLDER ? 'outside' : value - 1;
  }
}
