import { InvalidOptionError } from '../errors.js';
import type { RaceOptions } from '../race/options.js';
import { resolveBase, resolveRace } from '../race/resolve.js';
import type { RaceBase, ResolvedRace } from '../race/resolve.js';

/** What to run: the same race several times, or every mode of the scenario once. */
export type RunShape = { readonly repeat: number } | { readonly everyMode: true };

export const MAX_REPEAT = 1000;

/**
 * The options for one mode of a comparison: it is expected to show its documented outcome, and
 * the retry flags go only to the modes that retry.
 */
function everyMode(base: RaceBase, options: RaceOptions): ResolvedRace[] {
  if (options.mode !== undefined) throw new InvalidOptionError('compare runs every mode of the scenario; --mode does not go with it');
  if (options.expect !== undefined) throw new InvalidOptionError("compare expects each mode's documented outcome; --expect does not go with it");
  const { maxRetries, backoffMs, ...rest } = options;
  const modes = base.scenario.modes;
  if ((maxRetries !== undefined || (backoffMs ?? 0) > 0) && !modes.some((mode) => mode.retries)) {
    throw new InvalidOptionError(`--max-retries and --backoff apply to modes that retry, and ${base.scenario.name} has none`);
  }
  return modes.map((mode) => resolveRace(base, { ...rest, mode: mode.name, expect: mode.outcome, ...(mode.retries ? { maxRetries, backoffMs } : {}) }));
}

/** Every run of a command, each checked in full before anything starts. */
export async function planRaces(options: RaceOptions, shape: RunShape): Promise<ResolvedRace[]> {
  const base = await resolveBase(options);
  if ((options.run !== undefined || options.shard !== undefined) && ('everyMode' in shape || shape.repeat !== 1)) {
    throw new InvalidOptionError('--run and --shard race once: a run on several machines does not go with compare or --repeat');
  }
  if ('everyMode' in shape) return everyMode(base, options);
  const { repeat } = shape;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) {
    throw new InvalidOptionError(`--repeat must be a whole number from 1 to ${MAX_REPEAT} (got ${String(repeat)})`);
  }
  const race = resolveRace(base, options);
  return Array.from({ length: repeat }, () => race);
}
