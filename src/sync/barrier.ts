/**
 * The start barrier: every worker arrives and sleeps; the coordinator wakes all of them with one
 * `Atomics.notify` once the last one has arrived. It lives in a SharedArrayBuffer so that the
 * release is a single store + notify, not N messages queued behind each thread's event loop.
 */

/** Slot indexes in the barrier's Int32Array. */
const kArrivedField = 0;
const kStateField = 1;
const kSlotCount = 2;

const enum BarrierState {
  Waiting = 0,
  Released = 1,
  Broken = 2,
}

export function createBarrierBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(kSlotCount * Int32Array.BYTES_PER_ELEMENT);
}

export type ArrivalOutcome = 'released' | 'broken' | 'timed-out';

/**
 * Worker side: count this worker in, then block the thread until released.
 * `Atomics.wait` blocks the thread's event loop, so everything asynchronous (connecting,
 * preparing statements) must be finished before calling this.
 */
export function arriveAndWait(buffer: SharedArrayBuffer, timeoutMs: number): ArrivalOutcome {
  const slots = new Int32Array(buffer);
  Atomics.add(slots, kArrivedField, 1);
  Atomics.notify(slots, kArrivedField);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = Atomics.load(slots, kStateField);
    if (state === BarrierState.Released) return 'released';
    if (state === BarrierState.Broken) return 'broken';
    const remaining = deadline - Date.now();
    if (remaining <= 0) return 'timed-out';
    Atomics.wait(slots, kStateField, BarrierState.Waiting, remaining);
  }
}

/** Whether the coordinator called the run off (any thread may ask, at any time). */
export function isBarrierBroken(buffer: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(buffer), kStateField) === BarrierState.Broken;
}

/** Coordinator side of the barrier. */
export class StartBarrier {
  readonly buffer: SharedArrayBuffer;
  private readonly slots: Int32Array;

  constructor(
    readonly parties: number,
    buffer: SharedArrayBuffer = createBarrierBuffer(),
  ) {
    this.buffer = buffer;
    this.slots = new Int32Array(buffer);
  }

  get arrived(): number {
    return Atomics.load(this.slots, kArrivedField);
  }

  get isBroken(): boolean {
    return Atomics.load(this.slots, kStateField) === BarrierState.Broken;
  }

  /**
   * Resolves `true` once every party has arrived, `false` if the timeout passed first or the
   * barrier was broken meanwhile. Never blocks the coordinator's event loop.
   */
  async allArrived(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.isBroken) return false;
      const arrived = this.arrived;
      if (arrived >= this.parties) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      const wait = Atomics.waitAsync(this.slots, kArrivedField, arrived, remaining);
      if (wait.async) await wait.value;
    }
  }

  /** Wakes every waiting worker at once. */
  release(): void {
    Atomics.store(this.slots, kStateField, BarrierState.Released);
    Atomics.notify(this.slots, kStateField);
  }

  /** Wakes every waiting worker with the news that the run is off (and any `allArrived`). */
  break(): void {
    if (Atomics.compareExchange(this.slots, kStateField, BarrierState.Waiting, BarrierState.Broken) !== BarrierState.Waiting) {
      return;
    }
    Atomics.notify(this.slots, kStateField);
    Atomics.notify(this.slots, kArrivedField);
  }
}
