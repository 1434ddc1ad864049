import { describe, expect, it } from 'vitest';
import type { WorkerSession } from '../../src/scenarios/types.js';
import { classifyPostgresError } from '../../src/engines/postgres/sqlstate.js';
import { runOperations } from '../../workers/operation-loop.js';
import { postgresClassifier } from '../../src/engines/postgres/worker.js';
import type { LoopOptions } from '../../workers/operation-loop.js';

/** A scripted session: each attempt takes the next step, a result or an error to throw. */
function scriptedSession(steps: ('done' | 'conflict' | Error)[]): WorkerSession {
  let next = 0;
  return {
    attempt: async () => {
      const step = steps[next++] ?? 'done';
      if (step instanceof Error) throw step;
      return step;
    },
  };
}

const sqlError = (code: string, message: string) => Object.assign(new Error(message), { code });

function options(overrides: Partial<LoopOptions>): LoopOptions {
  return {
    worker: 7,
    operations: 3,
    maxRetries: Number.POSITIVE_INFINITY,
    retries: true,
    backoffMs: 0,
    rollback: async () => {},
    classify: classifyPostgresError,
    enter: () => true,
    leave: () => {},
    firstStatementAtMs: () => 1234,
    ...overrides,
  };
}

describe('runOperations', () => {
  it('retries conflicts and serialization failures in the modes that retry, and counts them', async () => {
    const tally = await runOperations(scriptedSession(['conflict', sqlError('40001', 'could not serialize'), 'done', 'done', 'done']), options({}));

    expect(tally.succeeded).toBe(3);
    expect(tally.retries).toEqual({ serialization: 1, deadlock: 0, busy: 0, conflict: 1 });
    expect(tally.errors).toEqual([{ code: '40001', message: 'could not serialize', count: 1 }]);
    expect(Object.values(tally.latency).reduce((sum, count) => sum + count, 0)).toBe(3);
    expect(tally.firstStatementAtMs).toBe(1234);
  });

  it('counts the outcomes attempts name, and hands the operation its iteration number', async () => {
    const seen: number[] = [];
    const session: WorkerSession = {
      attempt: async (iteration) => {
        seen.push(iteration);
        return { outcome: iteration === 1 ? 'refused' : 'accepted', lockWaitMs: 2 };
      },
    };

    const tally = await runOperations(session, options({ operations: 3 }));

    expect(seen).toEqual([0, 1, 2]);
    expect(tally.outcomes).toEqual({ accepted: 2, refused: 1 });
    expect(tally.lockWaitMs).toBe(6);
  });

  it('takes a --concurrency permit around every operation, and stops when the run is called off', async () => {
    const events: string[] = [];
    let permits = 2;
    const tally = await runOperations(
      scriptedSession([]),
      options({
        operations: 4,
        enter: () => {
          events.push('enter');
          return permits-- > 0;
        },
        leave: () => events.push('leave'),
      }),
    );

    expect(events).toEqual(['enter', 'leave', 'enter', 'leave', 'enter']);
    expect(tally).toMatchObject({ succeeded: 2, notAttempted: 2 });
  });

  it('counts an operation that runs out of retries as failed, not dropped', async () => {
    const tally = await runOperations(scriptedSession(['conflict', 'conflict', 'done', 'done']), options({ maxRetries: 1 }));

    expect(tally).toMatchObject({ succeeded: 2, failures: { maxRetries: 1 }, retries: { conflict: 1 } });
  });

  it('fails what it does not retry, by kind, and rolls back each time', async () => {
    let rollbacks = 0;
    const tally = await runOperations(
      scriptedSession([sqlError('55P03', 'lock timeout'), sqlError('57014', 'canceling statement'), sqlError('23505', 'duplicate key')]),
      options({ retries: false, rollback: async () => void (rollbacks += 1) }),
    );

    expect(tally.failures).toEqual({ serialization: 0, deadlock: 0, busy: 0, maxRetries: 0, lockTimeout: 1, statementTimeout: 1, other: 1 });
    expect(tally.succeeded).toBe(0);
    expect(rollbacks).toBe(3);
  });

  it('stops at a lost connection: the operation it cut off is in doubt, the rest never attempted', async () => {
    const tally = await runOperations(
      scriptedSession(['done', sqlError('57P01', 'terminating connection due to administrator command')]),
      options({ operations: 5 }),
    );

    expect(tally).toMatchObject({ succeeded: 1, inDoubt: 1, notAttempted: 3 });
    expect(tally.connectionLoss).toEqual({ worker: 7, code: '57P01', message: 'terminating connection due to administrator command' });
  });

  it('names the error that broke the connection between queries, not the "not queryable" that follows', async () => {
    const cause = sqlError('57P01', 'terminating connection due to administrator command');
    const tally = await runOperations(
      scriptedSession([new Error('Client has encountered a connection error and is not queryable')]),
      options({ operations: 2, classify: postgresClassifier(() => cause) }),
    );

    expect(tally.connectionLoss).toEqual({ worker: 7, code: '57P01', message: 'terminating connection due to administrator command' });
    expect(tally).toMatchObject({ inDoubt: 1, notAttempted: 1 });
  });
});
