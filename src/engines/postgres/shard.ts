import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { BarrierError, DatabaseError } from '../../errors.js';
import type { ShardSpec } from '../../options/shard.js';
import { workerResultOf } from '../../protocol.js';
import type { WorkerResult } from '../../protocol.js';
import type { Verification } from '../../scenarios/types.js';

/**
 * Shards of one run on several machines meet in the run's schema, and nowhere else: shard 0 sets
 * the run up and says so in race_rig_run (with the gate's key), every shard registers in
 * race_rig_shards, hands its workers' results over there, and reads shard 0's verdict back.
 */
const POLL_MS = 50;
/** A shard whose workers' backends are all gone this long without a word has died. */
const SILENCE_MS = 2_000;
/** How long shard 0 keeps the schema for the other shards to read the verdict. */
const VERDICT_READ_MS = 10_000;

/** The run's schema: its name, - spelled _ (a Kubernetes UID, say). */
export const shardSchema = (run: string) => `race_rig_run_${run.replaceAll('-', '_')}`;

export interface RunRecord {
  readonly gateNamespace: number | null;
  readonly gateKey: number | null;
  readonly workersPerShard: number;
}

const poll = async <T>(probe: () => Promise<T | undefined>, deadline: number, signal: AbortSignal): Promise<T | undefined> => {
  for (;;) {
    signal.throwIfAborted();
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(POLL_MS);
  }
};

/** The run's schema is gone under a shard: shard 0 called the run off (and says why in its own output). */
function calledOff(spec: ShardSpec): (error: unknown) => never {
  return (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === '42P01' || code === '3F000') throw new DatabaseError(`run ${spec.run} was called off by shard 0 (its schema is gone); shard 0's output says why`);
    throw error;
  };
}

/** Shard 0: the coordination tables, its own registration, and the word that the run is ready. */
export async function announceRun(admin: pg.ClientBase, spec: ShardSpec, record: RunRecord): Promise<void> {
  await admin.query(`CREATE TABLE race_rig_shards (shard integer PRIMARY KEY, pid integer NOT NULL, host text NOT NULL, results jsonb, verdict_read boolean NOT NULL DEFAULT false);
    CREATE TABLE race_rig_run (gate_namespace integer, gate_key integer, workers_per_shard integer NOT NULL, verdict jsonb)`);
  await admin.query('INSERT INTO race_rig_shards (shard, pid, host) VALUES ($1, $2, $3)', [spec.index, process.pid, hostname()]);
  await admin.query('INSERT INTO race_rig_run (gate_namespace, gate_key, workers_per_shard) VALUES ($1, $2, $3)', [record.gateNamespace, record.gateKey, record.workersPerShard]);
}

/** Any other shard: waits for shard 0's word, then registers; fails in one line when it does not come. */
export async function joinRun(admin: pg.ClientBase, spec: ShardSpec, timeoutMs: number, signal: AbortSignal): Promise<RunRecord> {
  const schema = shardSchema(spec.run);
  const record = await poll(async () => {
    const { rows } = await admin.query<{ gate_namespace: number | null; gate_key: number | null; workers_per_shard: number }>(
      `SELECT gate_namespace, gate_key, workers_per_shard FROM ${schema}.race_rig_run WHERE verdict IS NULL`,
    ).catch(() => ({ rows: [] }));
    const row = rows[0];
    return row ? { gateNamespace: row.gate_namespace, gateKey: row.gate_key, workersPerShard: row.workers_per_shard } : undefined;
  }, Date.now() + timeoutMs, signal);
  if (!record) throw new BarrierError(`shard 0 of run ${spec.run} did not set the run up within ${timeoutMs} ms (is it started, with the same --db?)`, 0, spec.count);
  const inserted = await admin.query(`INSERT INTO ${schema}.race_rig_shards (shard, pid, host) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [spec.index, process.pid, hostname()]);
  if (inserted.rowCount !== 1) throw new DatabaseError(`shard ${spec.index} of run ${spec.run} has joined already (from another machine?); give each shard its own index`);
  await admin.query(`SET search_path = ${schema}`);
  return record;
}

/** The shards that never registered, for shard 0's error when the gate did not fill. */
export async function missingShards(admin: pg.ClientBase, spec: ShardSpec): Promise<number[]> {
  const { rows } = await admin.query<{ shard: number }>('SELECT shard FROM race_rig_shards');
  const joined = new Set(rows.map((row) => row.shard));
  return Array.from({ length: spec.count }, (_, index) => index).filter((index) => !joined.has(index));
}

/** Names the shards that never came, when the gate did not fill in time. */
export async function explainGateTimeout(error: unknown, admin: pg.ClientBase, spec: ShardSpec, timeoutMs: number): Promise<never> {
  if (!(error instanceof BarrierError)) throw error;
  const missing = await missingShards(admin, spec).catch(() => []);
  if (missing.length === 0) throw error;
  throw new BarrierError(`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of run ${spec.run} never arrived within ${timeoutMs} ms; ${error.message}`, error.arrived, error.parties);
}

function lostShard(shard: number, spec: ShardSpec, workersPerShard: number, operations: number, why: string): WorkerResult[] {
  return Array.from({ length: workersPerShard }, (_, offset) => {
    const worker = shard * workersPerShard + offset;
    const connectionLoss = { worker, code: 'SHARD_LOST', message: `shard ${shard} of run ${spec.run} ${why}` };
    return workerResultOf({ index: worker, processId: -1 - shard, threadId: offset + 1, inDoubt: operations, connectionLoss });
  });
}

/** Whether any backend of this shard's workers is still connected. */
async function shardAlive(admin: pg.ClientBase, schema: string, shard: number, workersPerShard: number): Promise<boolean> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM pg_stat_activity
      WHERE application_name LIKE 'race-rig worker %' AND right(application_name, length($1)) = $1
        AND split_part(application_name, ' ', 3)::integer BETWEEN $2 AND $3`,
    [` ${schema}`, shard * workersPerShard, (shard + 1) * workersPerShard - 1],
  );
  return (rows[0]?.n ?? 0) > 0;
}

/**
 * Hands this shard's results over, then waits for every other shard's. A shard whose workers are
 * all gone and that has said nothing for a while has died: its operations are in doubt.
 */
export function gatherShards(admin: pg.ClientBase, spec: ShardSpec, schema: string, own: readonly WorkerResult[], operations: number, signal: AbortSignal): Promise<WorkerResult[]> {
  return gatherAll(admin, spec, schema, own, operations, signal).catch(calledOff(spec));
}

async function gatherAll(admin: pg.ClientBase, spec: ShardSpec, schema: string, own: readonly WorkerResult[], operations: number, signal: AbortSignal): Promise<WorkerResult[]> {
  await admin.query(`UPDATE ${schema}.race_rig_shards SET results = $2 WHERE shard = $1`, [spec.index, JSON.stringify(own)]);
  const workersPerShard = own.length;
  const silentSince = new Map<number, number>();
  const all = new Map<number, WorkerResult[]>();
  for (;;) {
    signal.throwIfAborted();
    const { rows } = await admin.query<{ shard: number; results: WorkerResult[] | null }>(`SELECT shard, results FROM ${schema}.race_rig_shards`);
    for (const row of rows) if (row.results) all.set(row.shard, row.results);
    const waiting = Array.from({ length: spec.count }, (_, index) => index).filter((index) => !all.has(index));
    for (const shard of waiting) {
      if (await shardAlive(admin, schema, shard, workersPerShard)) silentSince.delete(shard);
      else if (Date.now() - (silentSince.get(shard) ?? (silentSince.set(shard, Date.now()), Date.now())) > SILENCE_MS) all.set(shard, lostShard(shard, spec, workersPerShard, operations, 'died during the race: its workers left without handing their results over'));
    }
    if (all.size === spec.count) return [...all.entries()].sort(([a], [b]) => a - b).flatMap(([, results]) => results);
    await sleep(POLL_MS);
  }
}

/** Shard 0: the verdict, for the others to read; then the schema stays until they have (or a while). */
export async function publishVerdict(admin: pg.ClientBase, verification: Verification): Promise<void> {
  await admin.query('UPDATE race_rig_run SET verdict = $1', [JSON.stringify(verification)]);
}

export async function awaitVerdictRead(admin: pg.ClientBase, spec: ShardSpec, signal: AbortSignal): Promise<void> {
  await poll(async () => {
    const { rows } = await admin.query<{ n: number }>('SELECT count(*)::integer AS n FROM race_rig_shards WHERE shard <> $1 AND results IS NOT NULL AND NOT verdict_read', [spec.index]);
    return (rows[0]?.n ?? 0) === 0 ? true : undefined;
  }, Date.now() + VERDICT_READ_MS, signal);
}

/** Any other shard: shard 0's verdict, once it is there; the shard then says it has read it. */
export async function readVerdict(admin: pg.ClientBase, spec: ShardSpec, schema: string, timeoutMs: number, signal: AbortSignal): Promise<Verification> {
  const verdict = await poll(async () => {
    const { rows } = await admin.query<{ verdict: Verification | null }>(`SELECT verdict FROM ${schema}.race_rig_run`).catch(calledOff(spec));
    return rows[0]?.verdict ?? undefined;
  }, Date.now() + timeoutMs, signal);
  if (!verdict) throw new DatabaseError(`shard 0 of run ${spec.run} gave no verdict within ${timeoutMs} ms`);
  await admin.query(`UPDATE ${schema}.race_rig_shards SET verdict_read = true WHERE shard = $1`, [spec.index]);
  return verdict;
}
