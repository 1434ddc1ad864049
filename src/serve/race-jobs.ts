import { AbortedError, errorMessage, RigError } from '../errors.js';
import { planRaces } from '../pipeline/plan.js';
import { runComparison, runRace } from '../pipeline/api.js';
import type { RaceOptions } from '../race/options.js';
import type { ResultListener } from '../pipeline/run-races.js';
import type { EventHub } from './events.js';

export type RaceKind = 'run' | 'compare';

/** A refusal the page sees as HTTP 409: something else runs. */
export class BusyError extends RigError {
  override readonly code = 'RIG_BUSY';
}

interface RunningJob {
  readonly id: number;
  readonly kind: RaceKind;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** How many finished jobs' results the server keeps for GET /api/results/:id. */
const KEPT_RESULTS = 20;

/**
 * The page's races, one at a time: a run (what `--json` prints) or a comparison (what `compare
 * --json` prints), each announced, followed live and settled as events. Cancel aborts it; the
 * rig's own teardown then removes its schema, threads and connections.
 */
export class RaceJobs {
  private running: RunningJob | null = null;
  private nextId = 1;
  private readonly results = new Map<number, unknown>();

  constructor(
    private readonly hub: EventHub,
    private readonly scrub: (text: string) => string,
    private readonly log: ((line: string) => void) | undefined,
  ) {}

  /** One race at a time: refuses while one runs. */
  refuseIfBusy(): void {
    if (this.running) throw new BusyError(`a ${this.running.kind === 'run' ? 'run' : 'comparison'} is under way; cancel it first`);
  }

  /** Checks every option as the CLI does (a bad one is refused before anything starts), then starts. */
  async start(kind: RaceKind, options: RaceOptions): Promise<{ id: number }> {
    this.refuseIfBusy();
    await planRaces(options, kind === 'compare' ? { everyMode: true } : { repeat: 1 });
    this.refuseIfBusy();
    const id = this.nextId++;
    const controller = new AbortController();
    const publish = (type: string, fields: Record<string, unknown>) => this.hub.publish({ type, id, kind, ...fields });
    const hooks: RaceOptions & ResultListener = {
      ...options,
      signal: controller.signal,
      onProgress: (progress) => publish('progress', { progress }),
      onResult: (result) => publish('run-result', { result }),
      ...(this.log ? { onLog: this.log } : {}),
    };
    const done = this.settle(id, kind, hooks, publish).finally(() => {
      if (this.running?.id === id) this.running = null;
    });
    this.running = { id, kind, controller, done };
    publish('started', { options: { ...options, db: undefined } });
    return { id };
  }

  private async settle(id: number, kind: RaceKind, options: RaceOptions & ResultListener, publish: (type: string, fields: Record<string, unknown>) => void): Promise<void> {
    try {
      const result = kind === 'compare' ? await runComparison(options) : await runRace(options);
      this.keep(id, result);
      publish('finished', { result });
    } catch (error) {
      publish('failed', { message: this.scrub(errorMessage(error)), cancelled: error instanceof AbortedError });
    }
  }

  private keep(id: number, result: unknown): void {
    this.results.set(id, result);
    for (const old of this.results.keys()) if (this.results.size > KEPT_RESULTS) this.results.delete(old);
  }

  /** A finished job's result, exactly as the finished event carried it. */
  result(id: number): unknown {
    return this.results.get(id);
  }

  current(): { id: number; kind: RaceKind } | null {
    return this.running ? { id: this.running.id, kind: this.running.kind } : null;
  }

  /** Aborts the job under way and waits until it has cleaned up; false when nothing ran. */
  async cancel(reason = 'Cancel on the page'): Promise<boolean> {
    const job = this.running;
    if (!job) return false;
    job.controller.abort(new AbortedError(reason));
    await job.done;
    return true;
  }
}
