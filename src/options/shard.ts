import { InvalidOptionError } from '../errors.js';

/** One shard of a run started on several machines: `--run ID --shard I/N`. */
export interface ShardSpec {
  readonly run: string;
  readonly index: number;
  readonly count: number;
}

/** Shards of one run: up to this many machines. */
export const MAX_SHARDS = 64;

const RUN_ID = /^[a-z0-9_-]{1,40}$/;

/** `--run` and `--shard` together, checked; null when neither is given. */
export function shardSpec(run: string | undefined, shard: string | undefined): ShardSpec | null {
  if (run === undefined && shard === undefined) return null;
  if (run === undefined || shard === undefined) throw new InvalidOptionError(`${run === undefined ? '--shard' : '--run'} needs ${run === undefined ? '--run' : '--shard'}: a shard is one part of a named run`);
  if (!RUN_ID.test(run)) throw new InvalidOptionError(`--run must be 1 to 40 lower-case letters, digits, _ and - (got '${run}')`);
  const match = /^(\d+)\/(\d+)$/.exec(shard);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > MAX_SHARDS || index >= count) {
    throw new InvalidOptionError(`--shard must be I/N with 0 ≤ I < N ≤ ${MAX_SHARDS}, this machine's index and the number of shards (got '${shard}')`);
  }
  return { run, index, count };
}
