import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ENGINE } from '../engines/registry.js';
import type { OptionSpec } from '../options/define.js';
import type { TimelineEvent } from '../timeline/types.js';
import type { ExploredStep, FailingSchedule } from './result.js';
import type { ScheduleRun } from './run-schedule.js';
import { switchesOf } from './shrink.js';
import { scheduleSpec, specStatement } from './spec-export.js';
import { stepTimeline } from './step-timeline.js';

/** What a step did, in a few words: what it read, how many rows it changed, or its error. */
function resultOf(event: TimelineEvent): string {
  if (event.failed) return event.detail;
  if (event.kind === 'read' || event.kind === 'lock') return event.detail;
  if (event.kind === 'write' || event.kind === 'statement') return `${event.rows ?? 0} row${event.rows === 1 ? '' : 's'}`;
  return '';
}

function steps(run: ScheduleRun, timeline: readonly TimelineEvent[]): ExploredStep[] {
  const events = timeline.filter((event) => event.sql !== null);
  return run.steps.map((step, index) => {
    const event = events.find((each) => each.startMs === index);
    return {
      step: index + 1,
      worker: step.worker,
      sql: specStatement(step.statement.text, step.statement.values),
      waited: step.waited,
      result: event ? resultOf(event) : '',
    };
  });
}

/** Engine flags a replay must repeat (a journal mode, say); not where the data lives, which the user gives again. */
const NOT_REPEATED = new Set(['db', 'file', 'schema', 'reuseSchema', 'gate', 'timeline', 'statementTimeoutMs']);

/** The command line that reruns exactly this schedule. */
export function replayCommand(run: ScheduleRun): string {
  const { race } = run;
  const ref = race.scenarioRef;
  const scenario = ref.kind === 'builtin' ? ref.name : relative(process.cwd(), fileURLToPath(ref.url));
  const engineFlags = Object.entries(race.engine.options as Record<string, OptionSpec>).flatMap(([key, spec]) => {
    const value = (race.settings as Record<string, unknown>)[key];
    return NOT_REPEATED.has(key) || value === undefined || value === null || value === ('default' in spec ? spec.default : undefined) ? [] : [`--${spec.flag} ${String(value)}`];
  });
  return [
    'race-rig explore',
    ...(race.engine.name === DEFAULT_ENGINE ? [] : [`--engine ${race.engine.name}`]),
    ...engineFlags,
    `--scenario ${scenario} --mode ${race.mode.name}`,
    ...Object.entries(race.common.params).map(([key, value]) => `--param ${key}=${value}`),
    `--workers ${race.common.workers} --increments ${race.common.increments} --replay ${run.id}`,
  ].join(' ');
}

/** A failing schedule as the result reports it, from its shrunk run and the run the search found. */
export function failingSchedule(minimal: ScheduleRun, found: ScheduleRun): FailingSchedule {
  const { workers, increments } = minimal.race.common;
  const replay = replayCommand(minimal);
  const timeline = stepTimeline(minimal);
  return {
    id: minimal.id,
    workers,
    increments,
    replay,
    message: `${minimal.result.invariant}: ${minimal.result.message}`,
    expected: minimal.result.expected,
    actual: minimal.result.actual,
    steps: steps(minimal, timeline),
    timeline,
    spec: minimal.race.engine.name === 'postgres' ? scheduleSpec(minimal, replay) : null,
    switches: switchesOf(minimal.steps.map((step) => step.worker)),
    found: {
      id: found.id,
      workers: found.race.common.workers,
      increments: found.race.common.increments,
      steps: found.steps.length,
      switches: switchesOf(found.steps.map((step) => step.worker)),
    },
  };
}
