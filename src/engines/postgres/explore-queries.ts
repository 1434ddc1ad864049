import type pg from 'pg';
import type { LockWait } from '../../protocol.js';
import { tablesIn } from './schema.js';
import type { RunSchema } from './schema.js';

/* What `race-rig explore` asks of the server besides the race: who waits for whom, and the set-up's tables. */

/** `DROP TABLE` for the tables the set-up created, as a spec's teardown drops them. */
export async function dropTablesSql(admin: pg.ClientBase, schema: RunSchema): Promise<string[]> {
  const created = [...(await tablesIn(admin, schema.name))].filter((name) => !schema.tablesBefore.has(name));
  return created.length === 0 ? [] : [`DROP TABLE IF EXISTS ${created.map((name) => `"${name.replaceAll('"', '""')}"`).join(', ')} CASCADE`];
}

/** Which of `pids` wait for a lock that one of `among` holds, as the isolation tester asks, and which of `among` hold them up. */
export async function lockWaits(admin: pg.ClientBase, pids: readonly number[], among: readonly number[]): Promise<LockWait[]> {
  const { rows } = await admin.query<{ blocked: boolean; blockers: number[] }>(
    `SELECT pg_isolation_test_session_is_blocked(pid, $2::integer[]) AS blocked,
            array(SELECT unnest(pg_blocking_pids(pid)) INTERSECT SELECT unnest($2::integer[])) AS blockers
       FROM unnest($1::integer[]) WITH ORDINALITY AS p(pid, n) ORDER BY n`,
    [pids, among],
  );
  return rows.map((row) => ({ blocked: row.blocked, blockers: row.blockers }));
}
