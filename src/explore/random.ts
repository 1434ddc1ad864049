import type { Candidate, Chooser, Strategy, TraceStep } from './types.js';

/** A small seeded generator (mulberry32): the same seed gives the same schedules on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The generator of schedule `index` of a search seeded with `seed`. */
function scheduleRandom(seed: number, index: number): () => number {
  return seededRandom(Math.imul(seed ^ 0x9e3779b9, 31) + index * 0x85ebca6b);
}

/** `--strategy random`: at every step, any ready worker with equal chance. */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  readonly last = 'planned';
  private index = 0;

  constructor(
    private readonly seed: number,
    private readonly schedules: number,
  ) {}

  next(): Chooser | null {
    if (this.index >= this.schedules) return null;
    const random = scheduleRandom(this.seed, this.index++);
    return { choose: (_step, candidates) => (candidates[Math.floor(random() * candidates.length)] as Candidate).worker };
  }

  finished(): void {}
}

/**
 * `--strategy pct` (Burckhardt et al., ASPLOS 2010): each schedule gives the workers random
 * distinct priorities and always runs the highest-priority ready worker; at `depth − 1` random
 * steps the worker about to run drops below every other. A bug that needs d ordering constraints
 * is found with probability at least 1 / (n · k^(d−1)) per schedule (n workers, k steps).
 */
export class PctStrategy implements Strategy {
  readonly name = 'pct';
  readonly last = 'planned';
  private index = 0;
  /** The longest schedule seen so far: where the change points may fall. */
  private steps: number;

  constructor(
    private readonly seed: number,
    private readonly schedules: number,
    private readonly depth: number,
    private readonly workers: number,
    expectedSteps: number,
  ) {
    this.steps = Math.max(1, expectedSteps);
  }

  next(): Chooser | null {
    if (this.index >= this.schedules) return null;
    const random = scheduleRandom(this.seed, this.index++);
    const order = Array.from({ length: this.workers }, (_, worker) => worker);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const priority = new Map(order.map((worker, rank) => [worker, this.depth + rank]));
    const changes = new Map<number, number>();
    while (changes.size < Math.min(this.depth - 1, this.steps)) {
      const step = Math.floor(random() * this.steps);
      if (!changes.has(step)) changes.set(step, changes.size + 1);
    }
    const highest = (candidates: readonly Candidate[]) =>
      candidates.reduce((best, candidate) => ((priority.get(candidate.worker) ?? 0) > (priority.get(best.worker) ?? 0) ? candidate : best)).worker;
    return {
      choose: (step, candidates) => {
        const change = changes.get(step);
        if (change !== undefined) priority.set(highest(candidates), change);
        return highest(candidates);
      },
    };
  }

  finished(steps: readonly TraceStep[]): void {
    this.steps = Math.max(this.steps, steps.length);
  }
}
