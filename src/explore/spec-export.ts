import { inlineValues } from '../engines/postgres/literal-sql.js';
import { SERVER_NOW_MS } from '../engines/postgres/statements.js';
import type { ScheduleRun } from './run-schedule.js';

/** The rig's server-clock column, which means nothing in a spec and changes every run. */
const SERVER_NOW = SERVER_NOW_MS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SERVER_NOW_COLUMN = new RegExp(`\\s+RETURNING\\s+${SERVER_NOW}|,\\s*${SERVER_NOW}`, 'g');
const STANDALONE_SERVER_NOW = new RegExp(`SELECT\\s+${SERVER_NOW}\\s*$`);

/** A step's statement as the spec runs it: parameters written in, the rig's clock column left out. */
export function specStatement(text: string, values: readonly unknown[]): string {
  const sql = inlineValues(text, values).trim();
  return STANDALONE_SERVER_NOW.test(sql) ? sql : sql.replace(SERVER_NOW_COLUMN, '');
}

/** The text without the indentation its lines after the first share (a template literal's). */
function dedent(sql: string): string {
  const [first = '', ...rest] = sql.trim().split('\n');
  const indent = Math.min(...rest.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0));
  return [first, ...rest.map((line) => line.slice(Number.isFinite(indent) ? indent : 0))].join('\n');
}

function block(sql: string): string {
  const body = dedent(sql).replace(/;?$/, ';');
  return body.includes('\n') ? `{\n${body.replace(/^/gm, '  ')}\n}` : `{ ${body} }`;
}

/**
 * The schedule as a PostgreSQL isolation spec: the scenario's set-up, one session per worker
 * with one step per statement (parameters as literals), the steps in the order the schedule sent
 * them, then a step `check` that runs what the scenario's verify read. `race-rig spec FILE` (or
 * PostgreSQL's isolationtester) replays it; its `check` shows the broken invariant again. Null
 * when a block would hold a `}`, which the spec grammar cannot carry.
 */
export function scheduleSpec(run: ScheduleRun, title: string): string | null {
  const script = run.script;
  if (!script) return null;
  const names = new Map<number, number>();
  const steps = run.steps.map((step) => {
    const count = (names.get(step.worker) ?? 0) + 1;
    names.set(step.worker, count);
    return { session: `w${step.worker}`, name: `w${step.worker}_${count}`, sql: specStatement(step.statement.text, step.statement.values) };
  });
  const blocks = [...script.setup, ...script.teardown, ...steps.map((step) => step.sql), ...script.verify];
  if (blocks.some((sql) => sql.includes('}'))) return null;
  const sessions = [...new Set(steps.map((step) => step.session))].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  const lines = [
    `# ${title}`,
    `# schedule ${run.id}: ${run.result.invariant} ${run.result.verdict === 'RACE' ? 'broke' : 'held'}: ${run.result.message}`,
    '# Replay: race-rig spec THIS-FILE. Each session is one worker, each step one statement it sent;',
    "# step check reads what the scenario's verify read.",
    '',
    ...script.setup.map((sql) => `setup\n${block(sql)}`),
    ...script.teardown.map((sql) => `teardown\n${block(sql)}`),
    '',
    ...sessions.flatMap((session) => [`session ${session}`, ...steps.filter((step) => step.session === session).map((step) => `step ${step.name} ${block(step.sql)}`), '']),
    'session check',
    `step check ${block(script.verify.map((sql) => sql.replace(/;\s*$/, '')).join(';\n'))}`,
    '',
    `permutation ${[...steps.map((step) => step.name), 'check'].join(' ')}`,
    '',
  ];
  return lines.join('\n');
}
