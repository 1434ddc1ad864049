import type { WorkerResult } from '../../protocol.js';
import type { RaceTask } from '../types.js';

/** What a coordinator tells one of its worker processes (over IPC, with advanced serialization). */
export type ToHost =
  | { readonly type: 'race'; readonly task: RaceTask; readonly firstIndex: number; readonly barrierTimeoutMs: number; readonly progress: boolean }
  | { readonly type: 'release' }
  /** A shared flag of the task (see shared-flags.ts) flipped at the coordinator. */
  | { readonly type: 'flag'; readonly index: number; readonly value: number }
  | { readonly type: 'abort' };

/** What a worker process tells its coordinator. */
export type FromHost =
  | { readonly type: 'arrived' }
  | { readonly type: 'progress'; readonly done: number }
  | { readonly type: 'results'; readonly results: WorkerResult[]; readonly peakRssMb: number }
  | { readonly type: 'failed'; readonly message: string };

/** The environment variable that tells a worker process how many threads to run. */
export const THREADS_VARIABLE = 'RACE_RIG_PROCESS_THREADS';

/** `workers` spread over `processes` as evenly as possible, the larger shares first. */
export function shares(workers: number, processes: number): number[] {
  return Array.from({ length: processes }, (_, index) => Math.floor(workers / processes) + (index < workers % processes ? 1 : 0));
}
