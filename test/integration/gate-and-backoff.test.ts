import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StatementRunner } from '../../src/engines/postgres/statements.js';
import { runRace } from 'race-rig';
import { readAndDropSchema, testDatabaseUrl, withClient } from '../helpers/database.js';
import { testRole } from '../helpers/roles.js';

/** The session lock the coordinator closes the gate with; revoked, the gate cannot close. */
const GATE_LOCK_FUNCTION = 'pg_catalog.pg_advisory_lock(integer, integer)';

describe('the start', () => {
  it('uses the server gate by default on PostgreSQL, and the barrier alone with gate: false', async () => {
    const gated = await runRace({ db: testDatabaseUrl(), mode: 'inplace', workers: 4, increments: 5 });
    const plain = await runRace({ db: testDatabaseUrl(), mode: 'inplace', workers: 4, increments: 5, gate: false });

    expect(gated).toMatchObject({ start: 'gate', options: { gate: true }, warnings: [] });
    expect(plain).toMatchObject({ start: 'barrier', options: { gate: false }, warnings: [] });
  });

  it('falls back to the barrier, and says so, where the server does not let the gate close', async () => {
    const db = await testRole('gateless_racer', 'gateless-pw', { grants: ['GRANT CREATE ON DATABASE postgres TO gateless_racer'] });
    await withClient((client) => client.query(`REVOKE EXECUTE ON FUNCTION ${GATE_LOCK_FUNCTION} FROM PUBLIC`));
    try {
      const result = await runRace({ db, mode: 'inplace', workers: 4, increments: 10, keep: true });
      const held = await readAndDropSchema(result.database.schema);

      expect(result.start).toBe('barrier');
      expect(result.warnings).toEqual([
        'the server gate could not be closed (permission denied for function pg_advisory_lock); the workers started at the barrier alone',
      ]);
      expect(held.counter).toBe(40);
      expect(result).toMatchObject({ verdict: 'CORRECT', actual: 40, options: { gate: true } });
    } finally {
      await withClient((client) => client.query(`GRANT EXECUTE ON FUNCTION ${GATE_LOCK_FUNCTION} TO PUBLIC`));
    }
  });
});

describe('--gate: the server-side start gate', () => {
  it.each([4, 24])('opens for %i workers, and no increment is lost or doubled on the way', async (workers) => {
    const result = await runRace({ db: testDatabaseUrl(), mode: 'inplace', workers, increments: 10, gate: true, keep: true });
    const held = await readAndDropSchema(result.database.schema);

    expect(held.counter).toBe(workers * 10);
    expect(result).toMatchObject({ verdict: 'CORRECT', expected: workers * 10, actual: workers * 10, options: { gate: true } });
    expect(result.startSpreadMs).toBeGreaterThanOrEqual(0);
  });

  it('still shows the lost update', async () => {
    const result = await runRace({ db: testDatabaseUrl(), mode: 'lost', workers: 24, increments: 20, gate: true });

    expect(result.verdict).toBe('RACE');
    expect(result.lost).toBeGreaterThan(0);
  });

  it('leaves no worker waiting at the gate and no gate lock behind', async () => {
    await runRace({ db: testDatabaseUrl(), mode: 'for-update', workers: 6, increments: 5, gate: true });

    // The gate's locks are the two-key advisory locks in its own namespace ("GATE").
    const { rows } = await withClient((client) =>
      client.query<{ n: number }>("SELECT count(*)::integer AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 1195463749"),
    );
    expect(rows[0]?.n).toBe(0);
  });
});

describe('--backoff', () => {
  it('retries with backoff and still ends exact', async () => {
    const result = await runRace({ db: testDatabaseUrl(), mode: 'serializable', workers: 10, increments: 30, backoffMs: 1, keep: true });
    const held = await readAndDropSchema(result.database.schema);

    expect(held.counter).toBe(300);
    expect(result).toMatchObject({ verdict: 'CORRECT', actual: 300, options: { backoffMs: 1 } });
  });
});

describe('the hold after the first statement (the gate keeps client threads off the CPU at the opening)', () => {
  it('runs once, after the statement is written to the socket, before its result is read', async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl(), pipeline: true } as pg.ClientConfig);
    await client.connect();
    try {
      const sql = new StatementRunner(client);
      const socket = (client as unknown as { connection: { stream: import('node:net').Socket } }).connection.stream;
      const seen: { written: number; buffered: number }[] = [];
      const before = socket.bytesWritten;
      sql.holdAfterNextSend(() => seen.push({ written: socket.bytesWritten - before, buffered: socket.writableLength }));

      const first = await sql.row<{ n: number }>('SELECT 1 AS n', []);
      await sql.row('SELECT 2 AS n', []);

      expect(first?.n).toBe(1);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.written).toBeGreaterThan(0);
      expect(seen[0]?.buffered).toBe(0);
    } finally {
      await client.end();
    }
  });
});
