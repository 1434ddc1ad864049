import { committedWriteSteps } from './commits.js';
import type { CommittedWrite, Step } from './commits.js';
import { readColumns, updateShape, writeParameters } from './sql-shape.js';
import type { UpdateShape } from './sql-shape.js';
import type { TimelineEvent } from './types.js';

/**
 * A committed update that another worker's committed write erased: `by` overwrote the row with a
 * value computed from `read`, a read that had not seen `overwritten`.
 */
export interface LostWrite {
  readonly overwritten: TimelineEvent;
  readonly by: TimelineEvent;
  /** The plain read `by`'s value was computed from. */
  readonly read: TimelineEvent;
}

/** A committed UPDATE that set a column to a value the client computed from an unprotected read. */
interface BlindOverwrite {
  readonly committed: CommittedWrite;
  readonly shape: UpdateShape;
  readonly read: TimelineEvent;
}

const ADVISORY = /\bpg_(?:try_)?advisory/i;
/** Session-level advisory locks outlive the transaction; the `_xact_` ones end with it. */
const SESSION_ADVISORY = /\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(/i;
const STRICT_ISOLATION = /\bISOLATION\s+LEVEL\s+(?:REPEATABLE\s+READ|SERIALIZABLE)\b/i;
/** SQLite's BEGIN IMMEDIATE and EXCLUSIVE take the write lock before the first read. */
const LOCKING_BEGIN = /^\s*BEGIN\s+(?:IMMEDIATE|EXCLUSIVE)\b/i;

const sqlOf = (step: Step) => step.event.sql ?? '';
const isRowLockingRead = (step: Step) => step.event.kind === 'lock' && !ADVISORY.test(sqlOf(step));
const takesLock = (step: Step) =>
  step.event.kind === 'lock' || /^\s*LOCK\b/i.test(sqlOf(step)) || (step.event.kind === 'begin' && LOCKING_BEGIN.test(sqlOf(step)));

/**
 * Whether the read was protected up to the write: by a lock taken before it and still held (in
 * the same transaction, or a session advisory lock), or by a REPEATABLE READ or SERIALIZABLE
 * transaction around both, where the server aborts the write instead of letting it erase another.
 */
function readWasProtected(before: readonly Step[], read: Step, writeTransaction: number | null): boolean {
  const sameTransaction = read.transaction !== null && read.transaction === writeTransaction;
  const upToRead = before.slice(0, before.indexOf(read));
  const heldLock = upToRead.some(
    (step) => (sameTransaction && step.transaction === read.transaction && takesLock(step)) || SESSION_ADVISORY.test(sqlOf(step)),
  );
  const strict = sameTransaction && before.some((step) => step.transaction === read.transaction && STRICT_ISOLATION.test(sqlOf(step)));
  return heldLock || strict;
}

/** The read a write's value came from: the last read, plain or locking, before it in its attempt. */
function sourceRead(committed: CommittedWrite): Step | undefined {
  return committed.before.findLast((step) => step.event.kind === 'read' || isRowLockingRead(step));
}

/**
 * The write as a blind overwrite, or null: an UPDATE setting some column to a client value, whose
 * attempt last read (without a lock) before it, and whose WHERE does not check a column it read or
 * sets (`AND version = $3`: a version check makes a stale write update nothing instead).
 */
function asBlindOverwrite(committed: CommittedWrite): BlindOverwrite | null {
  const shape = updateShape(committed.write.sql ?? '');
  if (!shape || shape.absolute.size === 0) return null;
  const source = sourceRead(committed);
  if (!source || source.event.kind !== 'read') return null;
  if (readWasProtected(committed.before, source, committed.transaction)) return null;
  const read = readColumns(source.event.detail);
  const checked = [...shape.equalities.keys()].filter((column) => shape.assigned.has(column) || read.has(column));
  if (checked.length > 0) return null;
  return { committed, shape, read: source.event };
}

/** Whether `other` updated the row `blind` wrote, in a column `blind` overwrote. */
function sameRowAndColumn(blind: BlindOverwrite, other: CommittedWrite): boolean {
  const shape = updateShape(other.write.sql ?? '');
  if (!shape || shape.table !== blind.shape.table) return false;
  if (![...blind.shape.absolute.keys()].some((column) => shape.assigned.has(column))) return false;
  if (!blind.shape.hasWhere) return true;
  // Without a `column = $n` condition the row it wrote is unknown: claim nothing.
  if (blind.shape.equalities.size === 0) return false;
  const values = writeParameters(blind.committed.write.detail);
  const otherValues = writeParameters(other.write.detail);
  return [...blind.shape.equalities].every(([column, parameter]) => {
    const otherParameter = shape.equalities.get(column);
    return otherParameter !== undefined && values.get(parameter) !== undefined && values.get(parameter) === otherValues.get(otherParameter);
  });
}

/**
 * Whether `other` wrote the row before `second`: sure when one write had returned (holding the row
 * until its commit) before the other was sent; otherwise a guess from when their commits were
 * acknowledged, which a busy machine can delay by milliseconds.
 */
function wroteBefore(other: CommittedWrite, second: CommittedWrite): boolean {
  if (other.write.endMs <= second.write.startMs) return true;
  if (second.write.endMs <= other.write.startMs) return false;
  return other.commit.endMs < second.commit.endMs;
}

/**
 * The same statement and values written twice, both computed from reads begun before either write
 * was sent (`SET counter = 42` twice, from two reads of 41): whichever came second erased the
 * other, though its order can only be guessed when both were in flight at once. Reads begun
 * later may have seen a counter that went back, erased by someone else: not this pair's doing.
 */
function sameValuesFromOneState(blind: BlindOverwrite, other: CommittedWrite): boolean {
  const write = blind.committed.write;
  const otherRead = sourceRead(other)?.event;
  if (!otherRead || other.write.sql !== write.sql || other.write.detail !== write.detail) return false;
  const readsBegun = Math.max(blind.read.startMs, otherRead.startMs);
  return readsBegun < Math.min(write.startMs, other.write.startMs) && wroteBefore(other, blind.committed);
}

/**
 * Whether `blind` erased `other`: the clocks prove it (`other` committed after `blind`'s read had
 * returned, and held the row before `blind`'s write was sent, so that write waited for it, then
 * overwrote it), or both wrote the same values from reads of the same state.
 */
function erased(blind: BlindOverwrite, other: CommittedWrite): boolean {
  const write = blind.committed.write;
  if (other.write.worker === write.worker) return false;
  const staleRead = blind.read.endMs <= other.commit.startMs && other.write.endMs <= write.startMs;
  return (staleRead && sameRowAndColumn(blind, other)) || sameValuesFromOneState(blind, other);
}

/**
 * Lost updates seen in the timeline: a committed write that another worker's committed write
 * overwrote with a value computed from a read that had not seen it. Only blind overwrites can do
 * that; relative updates (`counter = counter + 1`), inserts, locked or version-checked
 * read-modify-writes and REPEATABLE READ or SERIALIZABLE transactions never appear here. Each
 * erased write is reported once, in the order the erasing writes committed.
 */
export function lostWrites(events: readonly TimelineEvent[]): LostWrite[] {
  const committed = committedWriteSteps(events);
  const lost: LostWrite[] = [];
  const reported = new Set<TimelineEvent>();
  for (const candidate of committed) {
    const blind = asBlindOverwrite(candidate);
    if (!blind) continue;
    for (const other of committed) {
      if (reported.has(other.write) || !erased(blind, other)) continue;
      reported.add(other.write);
      lost.push({ overwritten: other.write, by: candidate.write, read: blind.read });
    }
  }
  return lost;
}
