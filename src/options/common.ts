import type { Expectation } from '../scenarios/types.js';
import { optionTable, RACE_COMMANDS, RELEASE_COMMANDS } from './define.js';
import type { ShardSpec } from './shard.js';

/** One day: the upper bound of every timeout, so that a typo cannot start a run that never ends. */
export const MAX_TIMEOUT_MS = 86_400_000;
export const MAX_WORKERS = 1000;

/** The race options every engine takes. An engine's own options live in its folder. */
/** Worker processes of one run (`--processes`): each costs a Node process and its own thread pool. */
export const MAX_PROCESSES = 64;

export const COMMON_OPTIONS = optionTable({
  scenario: {
    flag: 'scenario',
    alias: 's',
    type: 'string',
    default: 'counter',
    describe: 'what the workers race on: a built-in scenario (race-rig list) or the path of a scenario module',
    commands: RACE_COMMANDS,
  },
  mode: {
    flag: 'mode',
    alias: 'm',
    type: 'string',
    describe: 'strategy for the critical section (race-rig list)',
    defaultText: "the scenario's first (lost for counter)",
    commands: ['run', 'explore'],
  },
  workers: { flag: 'workers', alias: 'w', type: 'number', default: 10, min: 1, max: MAX_WORKERS, describe: 'worker threads, each with its own connection', commands: RACE_COMMANDS },
  increments: { flag: 'increments', alias: 'n', type: 'number', default: 100, min: 1, max: 1_000_000, describe: 'operations per worker, each its own transaction', commands: RACE_COMMANDS },
  params: { flag: 'param', type: 'pairs', describe: 'a scenario parameter, key=value (repeatable)', commands: RACE_COMMANDS },
  processes: {
    flag: 'processes',
    type: 'number',
    default: 1,
    min: 1,
    max: MAX_PROCESSES,
    describe: 'spread the workers over this many OS processes, each running its share as threads; the server gate aligns their start',
    commands: RELEASE_COMMANDS,
  },
  run: { flag: 'run', type: 'string', describe: 'the name of a run started on several machines (with --shard); its schema is race_rig_run_<name>', commands: ['run'] },
  shard: { flag: 'shard', type: 'string', describe: "this machine's part of --run: I/N, from 0/N to (N-1)/N; shard 0 sets up, opens the gate and judges", commands: ['run'] },
  concurrency: {
    flag: 'concurrency',
    type: 'number',
    min: 1,
    max: MAX_WORKERS,
    describe: 'how many workers may be inside an operation at once (a semaphore in shared memory)',
    defaultText: 'all of them',
    commands: RELEASE_COMMANDS,
  },
  maxRetries: {
    flag: 'max-retries',
    type: 'number',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    describe: 'retries per operation in the modes that retry; one that runs out counts as failed',
    defaultText: 'unbounded',
    commands: RACE_COMMANDS,
  },
  backoffMs: {
    flag: 'backoff',
    type: 'number',
    default: 0,
    min: 0,
    max: 10_000,
    describe: 'base ms of exponential backoff with full jitter before each retry (0: retry at once)',
    commands: RACE_COMMANDS,
  },
  barrierTimeoutMs: {
    flag: 'barrier-timeout',
    type: 'number',
    min: 1,
    max: MAX_TIMEOUT_MS,
    describe: 'ms every worker has to connect, warm up and reach the start (barrier and gate)',
    defaultText: '30000 + 60 per worker',
    commands: RACE_COMMANDS,
  },
  lockTimeoutMs: {
    flag: 'lock-timeout',
    type: 'number',
    default: 0,
    min: 0,
    max: MAX_TIMEOUT_MS,
    describe: 'ms an operation may wait for a lock before it fails (lockTimeout); 0: for ever',
    commands: RACE_COMMANDS,
  },
  timeoutMs: {
    flag: 'timeout',
    type: 'number',
    default: 600_000,
    min: 0,
    max: MAX_TIMEOUT_MS,
    describe: 'ms the whole command may take before it is stopped and cleaned up (0: no limit)',
    commands: ['run', 'compare', 'explore', 'spec', 'isolation'],
  },
  keep: { flag: 'keep', type: 'boolean', default: false, describe: "keep the run's data (the schema on a --db server, the table in a --file)", commands: RACE_COMMANDS },
  expect: {
    flag: 'expect',
    type: 'string',
    choices: ['race', 'correct'],
    describe: 'exit 1 unless the verdict is this (with --repeat, in every run)',
    defaultText: 'none',
    commands: ['run', 'explore'],
  },
});

/** The common options of one run, checked and with every default filled in. */
export interface CommonSettings {
  readonly workers: number;
  readonly increments: number;
  readonly params: Readonly<Record<string, string>>;
  readonly concurrency: number;
  /** OS processes the workers are spread over (1: threads of this process). */
  readonly processes: number;
  /** This machine's part of a run on several (`--run`, `--shard`), or null. */
  readonly shard: ShardSpec | null;
  /** Infinity when unbounded. */
  readonly maxRetries: number;
  readonly backoffMs: number;
  readonly barrierTimeoutMs: number;
  readonly lockTimeoutMs: number;
  readonly timeoutMs: number;
  readonly keep: boolean;
  readonly expect: Expectation | null;
}

/**
 * Starting a worker thread costs ~40 ms of a core on a 2-core machine, so a thousand of them
 * need well over the 30 s that are plenty for ten.
 */
export function defaultBarrierTimeoutMs(workers: number): number {
  return 30_000 + 60 * workers;
}
