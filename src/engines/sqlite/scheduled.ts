import { performance } from 'node:perf_hooks';
import { forward } from '../forward.js';
import type { ScheduleGate } from '../../sync/schedule.js';
import { SharedMutex } from '../../sync/mutex.js';
import { wallClockMs } from '../../timeline/recorder.js';
import type { TimelineRecorder } from '../../timeline/recorder.js';
import { LockTimeoutError } from './file-lock.js';
import type { FileLock } from './file-lock.js';
import type { SqliteDb } from './types.js';

type Method = (...args: unknown[]) => unknown;

/** SQLite answered "busy" (another connection holds the lock): under explore, the statement waits for its turn again. */
const isBusy = (error: unknown) => (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';

function recordOutcome(recorder: TimelineRecorder, text: string, values: unknown[], startMs: number, result: unknown): void {
  const row = typeof result === 'object' && result !== null && !('changes' in result) ? (result as Record<string, unknown>) : result === undefined ? undefined : { value: result };
  const changes = (result as { changes?: unknown } | null)?.changes;
  recorder.statement(text, values, startMs, { row, rows: typeof changes === 'number' ? changes : row ? 1 : 0 });
}

/**
 * One statement as a scheduling point: it parks for its turn, runs, and when SQLite answers
 * busy it tells the coordinator, which tries it again after another worker's step (or, when no
 * worker can move, lets it fail as busy_timeout would).
 */
function scheduledCall(gate: ScheduleGate, recorder: TimelineRecorder, text: string, run: () => unknown, values: unknown[]): unknown {
  gate.park({ text, values });
  const startMs = wallClockMs();
  for (;;) {
    try {
      const result = run();
      recordOutcome(recorder, text, values, startMs, result);
      return result;
    } catch (error) {
      if (isBusy(error) && gate.blocked() === 'retry') continue;
      recorder.statement(text, values, startMs, { error });
      throw error;
    }
  }
}

const STATEMENT_CALLS = new Set(['run', 'get', 'all']);

/** The worker's connection as `explore` hands it to the scenario: `exec` and every prepared statement's run/get/all are scheduling points. */
export function scheduledDb(db: SqliteDb, gate: ScheduleGate, recorder: TimelineRecorder): SqliteDb {
  return forward(db, (property) => {
    if (property === 'exec') {
      return (text: string) => (gate.isArmed ? (scheduledCall(gate, recorder, text, () => db.exec(text), []), undefined) : db.exec(text));
    }
    if (property !== 'prepare') return undefined;
    return (text: string) => {
      const statement = db.prepare(text);
      return forward(statement, (call) => {
        if (typeof call !== 'string' || !STATEMENT_CALLS.has(call)) return undefined;
        const target = (statement as unknown as Record<string, Method>)[call] as Method;
        return (...values: unknown[]) => {
          const run = () => target.apply(statement, values);
          return gate.isArmed ? scheduledCall(gate, recorder, text, run, values) : run();
        };
      });
    };
  });
}

/**
 * The mode's mutex under explore: taking it is a step of its own (so who takes it first is the
 * schedule's choice), and a worker that finds it taken is blocked until another step frees it.
 */
export function scheduledMutex(mutex: SharedMutex, gate: ScheduleGate): SharedMutex {
  return new (class extends SharedMutex {
    override lock(holder: number, timeoutMs: number): boolean {
      if (!gate.isArmed) return super.lock(holder, timeoutMs);
      gate.park({ text: 'LOCK (the shared mutex)', values: [] });
      while (!this.tryLock(holder)) if (gate.blocked() === 'fail') return false;
      return true;
    }
  })(mutex.buffer);
}

/** The mode's file lock under explore, likewise. */
export function scheduledFileLock(fileLock: FileLock, gate: ScheduleGate): FileLock {
  return forward(fileLock, (property) => {
    if (property !== 'lock') return undefined;
    return async (timeoutMs: number) => {
      if (!gate.isArmed) return fileLock.lock(timeoutMs);
      const started = performance.now();
      gate.park({ text: 'LOCK (the file lock)', values: [] });
      while (!fileLock.tryLock()) if (gate.blocked() === 'fail') throw new LockTimeoutError(`the file lock on ${fileLock.path} is held and no other worker can move`);
      return performance.now() - started;
    };
  });
}
