import { InvalidOptionError } from '../errors.js';

/**
 * A schedule's ID: the worker chosen at each step, run-length encoded (`0.1x2.0`: worker 0, then
 * worker 1 twice, then worker 0). With the run's other flags it names exactly one interleaving.
 */
export function scheduleId(choices: readonly number[]): string {
  const runs: string[] = [];
  for (let start = 0; start < choices.length; ) {
    const worker = choices[start] as number;
    let end = start;
    while (choices[end] === worker) end++;
    const length = end - start;
    runs.push(length === 1 ? String(worker) : `${worker}x${length}`);
    start = end;
  }
  return runs.join('.') || 'empty';
}

const RUN = /^(\d+)(?:x(\d+))?$/;

export function parseScheduleId(id: string): number[] {
  if (id === 'empty') return [];
  const choices: number[] = [];
  for (const run of id.split('.')) {
    const match = RUN.exec(run);
    const length = match?.[2] === undefined ? 1 : Number(match[2]);
    if (!match || length < 1) throw new InvalidOptionError(`--replay ${id} is not a schedule ID (runs such as 0.1x2.0, separated by dots)`);
    for (let step = 0; step < length; step++) choices.push(Number(match[1]));
  }
  return choices;
}
