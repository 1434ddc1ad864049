/**
 * A counting semaphore in a SharedArrayBuffer: caps how many worker threads are inside an
 * operation at once (--concurrency), as a channel of N slots caps goroutines in flight.
 */
const kPermitsField = 0;
/** Waits are sliced so that a cancelled run is noticed within this long. */
const WAIT_SLICE_MS = 100;

export function createSemaphoreBuffer(permits: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  Atomics.store(new Int32Array(buffer), kPermitsField, permits);
  return buffer;
}

export class SharedSemaphore {
  private readonly slots: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.slots = new Int32Array(buffer);
  }

  /** Takes a permit, sleeping while there is none; false if `cancelled()` turned true first. */
  acquire(cancelled: () => boolean): boolean {
    for (;;) {
      const permits = Atomics.load(this.slots, kPermitsField);
      if (permits > 0) {
        if (Atomics.compareExchange(this.slots, kPermitsField, permits, permits - 1) === permits) return true;
        continue;
      }
      if (cancelled()) return false;
      Atomics.wait(this.slots, kPermitsField, 0, WAIT_SLICE_MS);
    }
  }

  release(): void {
    Atomics.add(this.slots, kPermitsField, 1);
    Atomics.notify(this.slots, kPermitsField, 1);
  }
}
