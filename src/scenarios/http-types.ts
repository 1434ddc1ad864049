import type { BaseWorkerContext, RunContext } from './context.js';

/** What a scenario's `app()` is told: the run, and how to reach its data. */
export interface AppContext extends RunContext {
  /**
   * What a library needs to connect to the run's data by itself: on PostgreSQL a `pg` ClientConfig
   * whose `options` set the run's search_path; on MySQL mysql2's connection options with the run's
   * database; on SQLite `{ filename }`. May hold a password: never print it.
   */
  readonly connection: Readonly<Record<string, unknown>>;
}

/** The application under test, listening. */
export interface RunningApp {
  /** Its base URL, e.g. `http://127.0.0.1:40123`; request paths are relative to it. */
  readonly url: string;
  /** Stops it (and closes its connections); the rig calls it before `verify`. */
  close?(): Promise<void> | void;
}

/** One HTTP request; a body that is not a string or bytes is sent as JSON. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | object;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * A scenario whose operations are HTTP requests. Each worker is one connection to the app: its
 * first request is staged whole but its last byte, every worker's last byte is then written in
 * one loop (last-byte sync), and the worker's next requests follow on the same connection.
 */
export interface HttpOperations {
  /** The request worker `worker` sends as its operation `iteration`. */
  request(context: BaseWorkerContext & { readonly iteration: number }): HttpRequest;
  /** The outcome a response counts as (`accepted`, `refused`); by default `HTTP <status>`. 5xx responses are in doubt whatever this says. */
  outcome?(response: HttpResponse): string;
  /**
   * Send over one HTTP/2 connection (h2c for an http:// app, which must speak it with prior
   * knowledge) with a stream per worker, instead of an HTTP/1.1 connection per worker. The final
   * DATA frames are held back the same way, and leave together in one write.
   */
  readonly http2?: boolean;
  /** How long a response may take, from the final byte written (default 10 s); then the request is in doubt. */
  readonly timeoutMs?: number;
}
