/** What every scenario function is told about the run. */
export interface RunContext {
  readonly mode: string;
  readonly workers: number;
  /** Operations per worker (`--increments`). */
  readonly iterations: number;
  /** `--param key=value` pairs (`--limit N` arrives as `limit`). */
  readonly params: Readonly<Record<string, string>>;
}

/** What every worker thread's context holds, whatever the engine adds to it. */
export interface BaseWorkerContext extends RunContext {
  /** This worker's index, 0 to workers − 1. */
  readonly worker: number;
  /** Where the application the scenario's `app()` started listens (`http://127.0.0.1:…`), or null when it has none. */
  readonly appUrl: string | null;
}
