/**
 * A task may carry one-Int32 flags in shared memory that the coordinator flips for its threads
 * (the server gate's hold: 0 while the threads hold still, 1 once they may go on). Shared memory
 * does not cross processes, so each flag travels as a marker; the worker process makes a flag of
 * its own in its place, and the coordinator mirrors every flip of the original to it. Shared
 * memory the coordinator never writes (SQLite's mutex) thus becomes one of each process's own:
 * it no longer spans the processes, which is exactly what an in-process lock does between them.
 */

const MARKER = '__raceRigSharedFlag';

type Marker = { readonly [MARKER]: number };

function isMarker(value: unknown): value is Marker {
  return typeof value === 'object' && value !== null && MARKER in value;
}

function mapDeep(value: unknown, leaf: (value: unknown) => unknown): unknown {
  const mapped = leaf(value);
  if (mapped !== value) return mapped;
  if (Array.isArray(value)) return value.map((item) => mapDeep(item, leaf));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapDeep(item, leaf)]));
  }
  return value;
}

/** Coordinator side: the value with each shared flag replaced by a marker, and the flags in marker order. */
export function detachFlags<T>(value: T): { plain: T; flags: SharedArrayBuffer[] } {
  const flags: SharedArrayBuffer[] = [];
  const plain = mapDeep(value, (item) => (item instanceof SharedArrayBuffer ? { [MARKER]: flags.push(item) - 1 } : item)) as T;
  return { plain, flags };
}

/** Worker-process side: each marker replaced by a fresh flag, and those flags in marker order. */
export function attachFlags<T>(plain: T): { value: T; flags: SharedArrayBuffer[] } {
  const flags: SharedArrayBuffer[] = [];
  const value = mapDeep(plain, (item) => {
    if (!isMarker(item)) return item;
    const flag = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    flags[item[MARKER]] = flag;
    return flag;
  }) as T;
  return { value, flags };
}

/** Calls `flipped(value)` once the flag leaves 0 (or at once if it has). */
export function onFlip(flag: SharedArrayBuffer, flipped: (value: number) => void): void {
  const cell = new Int32Array(flag);
  const wait = Atomics.waitAsync(cell, 0, 0);
  if (wait.async) void wait.value.then(() => flipped(Atomics.load(cell, 0)));
  else flipped(Atomics.load(cell, 0));
}

export function flip(flag: SharedArrayBuffer, value: number): void {
  const cell = new Int32Array(flag);
  Atomics.store(cell, 0, value);
  Atomics.notify(cell, 0);
}
