/**
 * The shared memory between `race-rig explore`'s coordinator and its worker threads. Each worker
 * has five Int32 slots and a byte region: it writes the statement it is about to send there, sets
 * its state to `parked` and sleeps in Atomics.wait until the coordinator grants it a step, as the
 * spec runner's sessions sleep until they are handed SQL. Nothing else decides who runs next.
 */
export const STATE = {
  /** Between two statements, or sending one (which may wait for a lock on the server). */
  running: 0,
  /** Waiting for the coordinator, its next statement in the text region. */
  parked: 1,
  /** Its statement could not run (SQLite busy, a mutex held): waiting to be tried again. */
  blocked: 2,
  finished: 3,
} as const;

export const GRANT = { none: 0, go: 1, fail: 2, stop: 3 } as const;

const SLOT = { state: 0, grant: 1, pid: 2, length: 3, deadlockCheckMs: 4 } as const;
const SLOTS = 5;
const TEXT_BYTES = 16 * 1024;

export function createScheduleBuffer(workers: number): SharedArrayBuffer {
  return new SharedArrayBuffer(workers * (SLOTS * Int32Array.BYTES_PER_ELEMENT + TEXT_BYTES));
}

/** A statement as the worker is about to send it: its text and parameters. */
export interface PendingStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** A value as JSON can carry it, and as an SQL literal can show it. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Both sides' view of the buffer. */
class ScheduleSlots {
  protected readonly ints: Int32Array;
  protected readonly bytes: Uint8Array;

  constructor(
    buffer: SharedArrayBuffer,
    protected readonly workers: number,
  ) {
    this.ints = new Int32Array(buffer, 0, workers * SLOTS);
    this.bytes = new Uint8Array(buffer, workers * SLOTS * Int32Array.BYTES_PER_ELEMENT);
  }

  protected slot(worker: number, slot: number): number {
    return worker * SLOTS + slot;
  }
}

/** The coordinator's side: reads each worker's state and statement, grants steps. */
export class ScheduleControl extends ScheduleSlots {
  state(worker: number): number {
    return Atomics.load(this.ints, this.slot(worker, SLOT.state));
  }

  pid(worker: number): number {
    return Atomics.load(this.ints, this.slot(worker, SLOT.pid));
  }

  /** How long after a lock wait begins the worker's server runs its deadlock check (0: none to wait for). */
  deadlockCheckMs(worker: number): number {
    return Atomics.load(this.ints, this.slot(worker, SLOT.deadlockCheckMs));
  }

  /** The statement a parked worker waits to send. */
  statement(worker: number): PendingStatement {
    const length = Atomics.load(this.ints, this.slot(worker, SLOT.length));
    const start = worker * TEXT_BYTES;
    const text = Buffer.from(this.bytes.slice(start, start + length)).toString('utf8');
    return JSON.parse(text) as PendingStatement;
  }

  grant(worker: number, grant: number): void {
    Atomics.store(this.ints, this.slot(worker, SLOT.state), STATE.running);
    Atomics.store(this.ints, this.slot(worker, SLOT.grant), grant);
    Atomics.notify(this.ints, this.slot(worker, SLOT.grant));
  }

  /** Resolves when the worker's state is no longer `running`, or after `ms`. */
  async waitWhileRunning(worker: number, ms: number): Promise<void> {
    const index = this.slot(worker, SLOT.state);
    const waited = Atomics.waitAsync(this.ints, index, STATE.running, ms);
    if (waited.async) await waited.value;
  }

  /** Wakes every parked or blocked worker with `stop`: each throws, and the run ends. */
  stopAll(): void {
    for (let worker = 0; worker < this.workers; worker++) {
      Atomics.store(this.ints, this.slot(worker, SLOT.grant), GRANT.stop);
      Atomics.notify(this.ints, this.slot(worker, SLOT.grant));
    }
  }
}

export class ScheduleStopped extends Error {
  constructor() {
    super('the exploration was stopped by the coordinator');
  }
}

/** How long a parked worker waits for the coordinator before it gives up (the coordinator is gone). */
const PARK_TIMEOUT_MS = 10 * 60_000;

/** A worker's side: it parks before each statement and goes when granted. */
export class ScheduleGate extends ScheduleSlots {
  private armed = false;

  constructor(
    buffer: SharedArrayBuffer,
    workers: number,
    private readonly worker: number,
  ) {
    super(buffer, workers);
  }

  /** The backend that runs this worker's statements, for the coordinator's lock-wait check. */
  setPid(pid: number): void {
    Atomics.store(this.ints, this.slot(this.worker, SLOT.pid), pid);
  }

  /** The session's deadlock_timeout: the coordinator lets a new lock wait's check run before the next step. */
  setDeadlockCheckMs(ms: number): void {
    Atomics.store(this.ints, this.slot(this.worker, SLOT.deadlockCheckMs), Math.min(Math.ceil(ms), 2 ** 31 - 1));
  }

  /** From now on every statement waits for its turn (warm-up statements before this do not). */
  arm(): void {
    this.armed = true;
  }

  get isArmed(): boolean {
    return this.armed;
  }

  /** Parks until the coordinator picks this worker to send `statement`. */
  park(statement: PendingStatement): void {
    const encoded = Buffer.from(JSON.stringify({ text: statement.text, values: statement.values.map(plain) }), 'utf8');
    if (encoded.length > TEXT_BYTES) throw new Error(`a statement of ${encoded.length} bytes is too long to explore (at most ${TEXT_BYTES})`);
    this.bytes.set(encoded, this.worker * TEXT_BYTES);
    Atomics.store(this.ints, this.slot(this.worker, SLOT.length), encoded.length);
    this.waitFor(STATE.parked);
  }

  /** Its statement could not run now (busy): waits to be tried again; 'fail' when nobody else can move. */
  blocked(): 'retry' | 'fail' {
    return this.waitFor(STATE.blocked) === GRANT.fail ? 'fail' : 'retry';
  }

  finish(): void {
    Atomics.store(this.ints, this.slot(this.worker, SLOT.state), STATE.finished);
    Atomics.notify(this.ints, this.slot(this.worker, SLOT.state));
  }

  private waitFor(state: number): number {
    const grantSlot = this.slot(this.worker, SLOT.grant);
    Atomics.store(this.ints, grantSlot, GRANT.none);
    Atomics.store(this.ints, this.slot(this.worker, SLOT.state), state);
    Atomics.notify(this.ints, this.slot(this.worker, SLOT.state));
    if (Atomics.wait(this.ints, grantSlot, GRANT.none, PARK_TIMEOUT_MS) === 'timed-out') throw new Error('the explore coordinator never picked this worker');
    const grant = Atomics.exchange(this.ints, grantSlot, GRANT.none);
    if (grant === GRANT.stop) throw new ScheduleStopped();
    return grant;
  }
}
