import { startCli } from './cli.js';
import type { CliRun } from './cli.js';
import { testDatabaseUrl, withClient } from './database.js';

export interface ShardJson {
  readonly verdict: string;
  readonly succeeded: number;
  readonly inDoubt: number;
  readonly actual: number;
  readonly threads: number;
  readonly start: string;
  readonly connectionLosses: readonly { worker: number; code: string }[];
}

export const runId = (name: string) => `${name}_${process.pid}`;
const shardArgs = (run: string, shard: string, extra: readonly string[]) => [
  ...['--db', testDatabaseUrl(), '--run', run, '--shard', shard, '--workers', '3', '--json'],
  ...(extra.includes('--increments') ? [] : ['--increments', '20']),
  ...extra,
];

/** Shards `indexes` of an N-shard run, each a CLI process of its own, as N machines would start them. */
export function startShards(run: string, count: number, indexes: readonly number[], extra: readonly string[]) {
  return indexes.map((index) => startCli(shardArgs(run, `${index}/${count}`, extra)));
}

export async function schemaOf(run: string): Promise<{ exists: boolean; counter: number | null }> {
  return withClient(async (client) => {
    const schema = `race_rig_run_${run}`;
    const exists = (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
    if (!exists) return { exists, counter: null };
    const { rows } = await client.query<{ counter: number }>(`SELECT counter FROM ${schema}.user_counter WHERE user_id = 1`);
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    return { exists, counter: rows[0]?.counter ?? null };
  });
}

export const parsed = (run: CliRun) => JSON.parse(run.stdout) as ShardJson;

