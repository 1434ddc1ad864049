import { InvalidOptionError } from '../errors.js';
import { exploreRace } from '../explore/explore.js';
import { levelNamed } from '../isolation/levels.js';
import { value } from '../isolation/outcome.js';
import type { PermutationOutcome } from '../isolation/outcome.js';
import { parseSpec } from '../isolation/spec.js';
import { StepThrough } from '../isolation/step-through.js';
import type { StepThroughState } from '../isolation/step-through.js';
import { chosenSpec } from './catalog.js';
import type { CatalogSpec, ChosenSpec, ServeConfig } from './catalog.js';
import type { EventHub } from './events.js';

/** How often a step that waits is looked at again (a deadlock's victim, a lock timeout). */
const POLL_MS = 300;
/** A step that must be waited for is cancelled after this long, as the tester would. */
const STEP_TIMEOUT_MS = 8_000;

interface OpenStepThrough {
  readonly about: CatalogSpec;
  readonly through: StepThrough;
  readonly controller: AbortController;
  readonly poller: NodeJS.Timeout;
  /** Steps of the spec's permutation played so far by Play. */
  played: number;
  /** A step was sent by hand: the spec's own interleaving no longer plays from here. */
  byHand: boolean;
  polling: boolean;
}

function toPlay(open: OpenStepThrough): number {
  return open.byHand ? 0 : open.through.permutation.length - open.played;
}

/** What the page shows of a step-through: which spec, and where it is. */
export interface StepView {
  readonly about: CatalogSpec;
  readonly state: StepThroughState;
  /** Steps of the spec's own permutation still to play (0 once a step was run by hand). */
  readonly toPlay: number;
}

/**
 * The step-through open on the page (one at a time: opening another closes it), each change
 * published to every page. While a step waits for a lock it is polled, so that a lock released
 * by the server (a deadlock's victim) shows without a click.
 */
export class StepSessions {
  private open: OpenStepThrough | null = null;
  private exploring: AbortController | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private lastPublished = '';

  constructor(
    private readonly config: ServeConfig,
    private readonly hub: EventHub,
    private readonly log: ((line: string) => void) | undefined,
  ) {}

  /** A built-in anomaly or a listed spec file, its sessions started and its setup run, at `level` (the server's default when empty). */
  async openSpec(id: unknown, level: unknown): Promise<StepView> {
    if (typeof id !== 'string') throw new InvalidOptionError('spec must be the id of a listed spec');
    const chosen = await chosenSpec(this.config, id);
    return this.start(chosen, typeof level === 'string' && level !== '' ? levelNamed(level) : null);
  }

  /** explore's shrunk failing schedule of a scenario's mode (2 workers × 1), as a spec to play (PostgreSQL). */
  async openFailing(scenario: unknown, mode: unknown): Promise<StepView> {
    if (this.config.engine !== 'postgres') throw new InvalidOptionError('explore runs on PostgreSQL; this server runs MySQL');
    if (typeof scenario !== 'string' || typeof mode !== 'string') throw new InvalidOptionError('scenario and mode must be text');
    if (scenario !== 'counter') throw new InvalidOptionError('the page explores the counter scenario\'s modes');
    await this.close();
    const exploring = new AbortController();
    this.exploring = exploring;
    const explored = await exploreRace({ db: this.config.db, scenario, mode, workers: 2, increments: 1, signal: exploring.signal, ...(this.log ? { onLog: this.log } : {}) }).finally(() => {
      if (this.exploring === exploring) this.exploring = null;
    });
    const failing = explored.failing;
    if (!failing) throw new InvalidOptionError(`explore ran ${explored.schedules} interleavings of ${scenario}/${mode} and none broke it: it holds`);
    if (!failing.spec) throw new InvalidOptionError(`explore found ${failing.id} but cannot write it as a spec`);
    const about = { id: `explore:${scenario}/${mode}`, title: `${scenario}/${mode}: a failing interleaving found by explore`, summary: `every increment succeeded, so step check should read ${failing.expected}` };
    // The step `check` runs the scenario's verify: the anomaly occurred when it reads another count.
    const judge = (outcome: PermutationOutcome) => value(outcome, 'check') !== failing.expected;
    return this.start({ ...about, spec: parseSpec(failing.spec, about.title), judge }, null);
  }

  async step(session: unknown): Promise<StepView> {
    const open = this.current();
    if (typeof session !== 'string') throw new InvalidOptionError('session must be a session name');
    open.byHand = true;
    return this.view(open, await open.through.step(session));
  }

  /** Plays the next step of the spec's own interleaving ("play"). */
  async play(): Promise<StepView> {
    const open = this.current();
    if (open.byHand) throw new InvalidOptionError('steps were run by hand: Start again to play the interleaving from its beginning');
    const marker = open.through.permutation[open.played];
    if (!marker) throw new InvalidOptionError('the interleaving has been played to its end');
    open.played++;
    return this.view(open, await open.through.playStep(marker));
  }

  async state(): Promise<StepView | null> {
    return this.open ? { about: this.open.about, state: await this.open.through.current(), toPlay: toPlay(this.open) } : null;
  }

  /** Ends the step-through (after one still starting): its teardown, sessions, schema and server connections. */
  close(): Promise<void> {
    this.exploring?.abort();
    return this.exclusively(() => this.closeOpen());
  }

  /** Opening and closing one at a time, so that two quick clicks never leave a step-through nobody closes. */
  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const done = this.chain.then(work, work);
    this.chain = done.catch(() => undefined);
    return done;
  }

  private async closeOpen(): Promise<void> {
    const open = this.open;
    if (!open) return;
    this.open = null;
    clearInterval(open.poller);
    open.controller.abort();
    await open.through.close();
    this.hub.publish({ type: 'step-closed' });
  }

  private current(): OpenStepThrough {
    if (!this.open) throw new InvalidOptionError('no step-through is open; choose a spec first');
    return this.open;
  }

  private start(chosen: ChosenSpec, level: ReturnType<typeof levelNamed> | null): Promise<StepView> {
    return this.exclusively(() => this.startNow(chosen, level));
  }

  private async startNow(chosen: ChosenSpec, level: ReturnType<typeof levelNamed> | null): Promise<StepView> {
    await this.closeOpen();
    const controller = new AbortController();
    const through = await StepThrough.start({
      engine: this.config.engine,
      db: this.config.db,
      spec: chosen.spec,
      level,
      signal: controller.signal,
      stepTimeoutMs: STEP_TIMEOUT_MS,
      ...(this.log ? { onLog: this.log } : {}),
      ...(chosen.judge ? { judge: chosen.judge } : {}),
    });
    const about = { id: chosen.id, title: chosen.title, summary: chosen.summary };
    const open: OpenStepThrough = { about, through, controller, played: 0, byHand: false, polling: false, poller: setInterval(() => void this.pollWaiting(open), POLL_MS) };
    this.open = open;
    this.lastPublished = '';
    return this.view(open, await through.current());
  }

  private async pollWaiting(open: OpenStepThrough): Promise<void> {
    if (this.open !== open || open.polling) return;
    open.polling = true;
    try {
      const after = await open.through.poll();
      if (after && this.open === open) this.view(open, after);
    } catch {
      // The step-through was closed meanwhile, or its step failed: the next click says so.
    } finally {
      open.polling = false;
    }
  }

  /** Publishes the view when it changed, and returns it. */
  private view(open: OpenStepThrough, state: StepThroughState): StepView {
    const view = { about: open.about, state, toPlay: toPlay(open) };
    const text = JSON.stringify(view);
    if (text !== this.lastPublished) {
      this.lastPublished = text;
      this.hub.publish({ type: 'step', view });
    }
    return view;
  }
}
