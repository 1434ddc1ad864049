import { commute } from './commute.js';
import type { PendingStatement } from '../sync/schedule.js';
import type { Candidate, Chooser, Strategy, TraceStep } from './types.js';

/** One decision on the current path: who could go, who was tried, who sleeps (--prune). */
interface Node {
  readonly candidates: readonly Candidate[];
  /** Workers whose next step is known to lead only to schedules equivalent to ones already run. */
  readonly sleep: ReadonlyMap<number, PendingStatement>;
  /** Choices whose subtrees are explored. */
  readonly done: Set<number>;
  choice: number;
}

/**
 * Every interleaving that keeps each worker's own order, by depth-first search over the
 * choices, each schedule rerun from fresh data (stateless model checking, as CHESS and VeriSoft
 * do). Without pruning it runs exactly the multinomial count of interleavings when nothing waits
 * for a lock. With `prune`, sleep sets (Godefroid) skip a schedule that differs from one already
 * run only by the order of adjacent statements that commute (see commute.ts).
 */
export class ExhaustiveStrategy implements Strategy {
  readonly name = 'exhaustive';
  last: Strategy['last'] = 'planned';
  private readonly path: Node[] = [];
  /** The choices the next schedule replays before it explores; null once the search is over. */
  private prefix: number[] | null = [];
  /** Where the current schedule stopped adding to the search: all asleep (equivalent), or off its prefix (diverged). */
  private leftAt: { readonly step: number; readonly why: 'equivalent' | 'diverged' } | null = null;

  constructor(private readonly prune: boolean) {}

  next(): Chooser | null {
    const prefix = this.prefix;
    if (prefix === null) return null;
    this.leftAt = null;
    return { choose: (step, candidates) => this.choose(step, candidates, prefix) };
  }

  finished(steps: readonly TraceStep[]): void {
    this.last = this.leftAt?.why ?? 'planned';
    // A diverged schedule gives up its planned choice at the step where it left the prefix.
    this.path.length = Math.min(this.path.length, this.leftAt ? this.leftAt.step + (this.leftAt.why === 'diverged' ? 1 : 0) : steps.length);
    this.prefix = this.backtrack();
  }

  private choose(step: number, candidates: readonly Candidate[], prefix: readonly number[]): number {
    if (this.leftAt) return (candidates[0] as Candidate).worker;
    if (step < prefix.length) {
      const node = this.path[step] as Node;
      const same = node.candidates.length === candidates.length && node.candidates.every((candidate, index) => candidate.worker === candidates[index]?.worker);
      if (same) return node.choice;
      this.leftAt = { step, why: 'diverged' };
      return (candidates[0] as Candidate).worker;
    }
    const sleep = this.childSleep(this.path[step - 1]);
    const awake = candidates.filter((candidate) => !sleep.has(candidate.worker));
    const first = awake[0] ?? candidates[0];
    const node: Node = { candidates, sleep, done: new Set(), choice: (first as Candidate).worker };
    if (awake.length === 0) this.leftAt = { step, why: 'equivalent' };
    else this.path.push(node);
    return node.choice;
  }

  /** A sleeping worker, or one already explored here, stays asleep below as long as what runs commutes with its next step. */
  private childSleep(parent: Node | undefined): Map<number, PendingStatement> {
    const sleep = new Map<number, PendingStatement>();
    if (!parent || !this.prune) return sleep;
    const chosen = parent.candidates.find((candidate) => candidate.worker === parent.choice)?.statement as PendingStatement;
    const asleep = [...parent.sleep, ...parent.candidates.filter((candidate) => parent.done.has(candidate.worker)).map((candidate) => [candidate.worker, candidate.statement] as const)];
    for (const [worker, statement] of asleep) {
      if (worker !== parent.choice && commute(statement, chosen)) sleep.set(worker, statement);
    }
    return sleep;
  }

  /** The deepest decision with a choice left to try: its path becomes the next prefix. */
  private backtrack(): number[] | null {
    while (this.path.length > 0) {
      const node = this.path[this.path.length - 1] as Node;
      node.done.add(node.choice);
      const untried = node.candidates.find((candidate) => !node.done.has(candidate.worker) && !node.sleep.has(candidate.worker));
      if (untried) {
        node.choice = untried.worker;
        return this.path.map((each) => each.choice);
      }
      this.path.pop();
    }
    return null;
  }
}
