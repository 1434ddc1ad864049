import { Chalk } from 'chalk';
import type { ExploreResult, FailingSchedule } from '../explore/result.js';
import { formatTimeline } from './format-timeline.js';

const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

function strategyLine(result: ExploreResult): string {
  if (result.strategy === 'pct') return `pct (seed ${result.seed}, depth ${result.depth})`;
  if (result.strategy === 'random') return `random (seed ${result.seed})`;
  return result.strategy === 'exhaustive' && result.prune ? 'exhaustive, pruned' : result.strategy;
}

function outcomesLine(result: ExploreResult): string {
  const { broken, deadlock, serialization, busy, held } = result.outcomes;
  return [`invariant broken ${broken}`, `deadlock ${deadlock}`, `serialization failure ${serialization}`, ...(busy > 0 ? [`busy ${busy}`] : []), `held ${held}`].join(' · ');
}

function failingSection(failing: FailingSchedule, paint: InstanceType<typeof Chalk>, specOut: string | null): string[] {
  const { found } = failing;
  const size = (shape: { workers: number; increments: number; steps: number; switches: number }) =>
    `${plural(shape.workers, 'worker')} × ${plural(shape.increments, 'operation')}, ${plural(shape.steps, 'step')}, ${plural(shape.switches, 'switch', 'switches')}`;
  const shrunk = found.id !== failing.id || found.workers !== failing.workers || found.increments !== failing.increments;
  const width = Math.min(80, Math.max(...failing.steps.map((step) => step.sql.length)));
  return [
    paint.red.bold(`FOUND: schedule ${failing.id} breaks ${failing.message}`),
    shrunk
      ? `  shrunk from ${found.id} (${size(found)}) to ${size({ ...failing, steps: failing.steps.length })}`
      : `  as found (${size(found)}): nothing smaller fails`,
    `  replay: ${failing.replay}`,
    '',
    `  step  worker  ${'statement'.padEnd(width)}  result`,
    ...failing.steps.map((step) => `  ${String(step.step).padStart(4)}  w${String(step.worker).padEnd(6)} ${step.sql.replace(/\s+/g, ' ').slice(0, width).padEnd(width)}  ${step.waited ? 'waited for a lock; ' : ''}${step.result}`),
    '',
    formatTimeline(failing.timeline, { unit: 'steps', color: paint.level > 0 }),
    ...(specOut && failing.spec ? ['', `spec written to ${specOut}: race-rig spec ${specOut} replays it`] : []),
  ];
}

function verdictLine(result: ExploreResult, paint: InstanceType<typeof Chalk>): string {
  const [kind, id] = Object.entries(result.firstOf)[0] ?? ['held', ''];
  if (result.strategy === 'replay') return paint.green.bold(`HELD: schedule ${id} holds${kind === 'held' ? '' : ` (after a ${kind === 'serialization' ? 'serialization failure' : kind})`}`);
  if (result.interleavings !== null) {
    const what = result.prune ? 'interleavings (up to the order of statements that commute)' : 'interleavings';
    return paint.green.bold(`HELD: all ${result.interleavings.toLocaleString('en-US')} ${what} hold`);
  }
  return paint.green.bold(`HELD: no failing schedule in ${plural(result.schedules, 'schedule')} (${strategyLine(result)}; not every interleaving was run)`);
}

/** `race-rig explore`'s report: what was searched, how the schedules ended, and the failing schedule shrunk, drawn and replayable. */
export function formatExplore(result: ExploreResult, options: { readonly color?: boolean; readonly specOut?: string | null } = {}): string {
  const paint = new Chalk({ level: options.color ? 1 : 0 });
  const lines = [
    `explore ${result.scenario}/${result.mode} on ${result.engine}: ${plural(result.workers, 'worker')} × ${plural(result.increments, 'operation')}, strategy ${strategyLine(result)}`,
    `  schedules  ${result.schedules.toLocaleString('en-US')}${result.pruned > 0 ? ` (and ${result.pruned} pruned half-way)` : ''}, ${result.schedulesPerSec} per second`,
    `  outcomes   ${outcomesLine(result)}`,
    ...(result.diverged > 0
      ? [`  diverged   ${result.diverged} ${result.diverged === 1 ? 'schedule' : 'schedules'} left the planned order: the server chose which of several workers waiting for one row got it first`]
      : []),
    ...Object.entries(result.firstOf)
      .filter(([kind]) => kind === 'deadlock' || kind === 'serialization' || kind === 'busy')
      .map(([kind, id]) => `  first ${kind}: --replay ${id}`),
    '',
    ...(result.failing ? failingSection(result.failing, paint, options.specOut ?? null) : [verdictLine(result, paint)]),
    ...result.allFailing.slice(1).map((failing) => `also: ${failing.id} (${plural(failing.workers, 'worker')} × ${plural(failing.increments, 'operation')})`),
    ...(result.expectation ? ['', result.expectation.met ? paint.green(`as expected (--expect ${result.expectation.expected})`) : paint.red(`expected ${result.expectation.expected}: exit 1`)] : []),
    ...result.warnings.map((warning) => paint.yellow(`warning: ${warning}`)),
  ];
  return lines.join('\n');
}
