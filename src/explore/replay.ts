import { RigError } from '../errors.js';
import { scheduleId } from './schedule-id.js';
import type { Candidate, Chooser, Strategy, TraceStep } from './types.js';

/** A replayed schedule that stopped fitting: the run is not the one the ID was taken from, or not deterministic. */
export class ScheduleDivergedError extends RigError {
  override readonly code = 'RIG_SCHEDULE_DIVERGED';
  constructor(step: number, wanted: number, candidates: readonly Candidate[]) {
    super(
      `the schedule does not fit this run: at step ${step + 1} worker ${wanted} was to go, but the workers ready were ${candidates.map((candidate) => candidate.worker).join(', ') || 'none'} ` +
        '(replay with the same scenario, mode, --workers and --increments; a scenario whose statements depend on time or chance cannot be replayed)',
    );
  }
}

/**
 * Follows the given choices. Strict (`--replay ID`): a choice that is not ready, or a run longer
 * than the ID, is an error. Lenient (shrinking tries variants): an unready choice is skipped and
 * the lowest ready worker goes, as it does once the choices run out.
 */
export class ReplayStrategy implements Strategy {
  readonly name = 'replay';
  readonly last = 'planned';
  private used = false;

  constructor(
    private readonly choices: readonly number[],
    private readonly strict: boolean,
  ) {}

  next(): Chooser | null {
    if (this.used) return null;
    this.used = true;
    return { choose: (step, candidates) => this.choose(step, candidates) };
  }

  finished(steps: readonly TraceStep[]): void {
    if (this.strict && steps.length !== this.choices.length) {
      throw new ScheduleDivergedError(Math.min(steps.length, this.choices.length), this.choices[steps.length] ?? -1, []);
    }
  }

  private choose(step: number, candidates: readonly Candidate[]): number {
    const wanted = this.choices[step];
    if (wanted !== undefined && candidates.some((candidate) => candidate.worker === wanted)) return wanted;
    if (this.strict) throw new ScheduleDivergedError(step, wanted ?? -1, candidates);
    return (candidates[0] as Candidate).worker;
  }

  get id(): string {
    return scheduleId(this.choices);
  }
}
