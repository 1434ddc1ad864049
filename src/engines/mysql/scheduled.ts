import type { Connection } from 'mysql2/promise';
import type { ScheduleGate } from '../../sync/schedule.js';
import { wallClockMs } from '../../timeline/recorder.js';
import type { TimelineRecorder } from '../../timeline/recorder.js';
import { forward } from '../forward.js';

type Send = (text: string, values?: unknown[]) => Promise<[unknown, unknown]>;

/** The first row of a result, or the rows an OK packet says were changed, for the timeline. */
function outcomeOf(result: unknown): { row?: Readonly<Record<string, unknown>>; rows: number } {
  if (Array.isArray(result)) return { row: result[0] as Readonly<Record<string, unknown>> | undefined, rows: result.length };
  const affected = (result as { affectedRows?: unknown } | null)?.affectedRows;
  return { rows: typeof affected === 'number' ? affected : 0 };
}

/**
 * The statement with MySQL's `?` placeholders numbered as `$1`, `$2`, … (outside quotes), the
 * form the timeline reads parameters in (which column a write set to which value).
 */
export function numberedPlaceholders(text: string): string {
  let count = 0;
  return text.replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`[^`]*`|\?/g, (token) => (token === '?' ? `$${++count}` : token));
}

/**
 * The worker's connection as `explore` hands it to the scenario and the rig: every `query` and
 * `execute` (the MysqlStatements', the scenario's own, the rig's ROLLBACK) waits at the schedule
 * gate for its turn, one statement at a time, and is recorded for the schedule's timeline.
 */
export function scheduledConnection(connection: Connection, gate: ScheduleGate, recorder: TimelineRecorder): Connection {
  let previous: Promise<unknown> = Promise.resolve();
  const scheduled = (send: Send) => (text: string, values?: unknown[]) => {
    if (!gate.isArmed) return send(text, values);
    const result = previous.then(async () => {
      const given = values ?? [];
      const shown = numberedPlaceholders(text);
      gate.park({ text: shown, values: given });
      const startMs = wallClockMs();
      try {
        const answer = await send(text, values);
        recorder.statement(shown, given, startMs, outcomeOf(answer[0]));
        return answer;
      } catch (error) {
        recorder.statement(shown, given, startMs, { error });
        throw error;
      }
    });
    previous = result.catch(() => undefined);
    return result;
  };
  const query = scheduled((text, values) => connection.query(text, values) as Promise<[unknown, unknown]>);
  const execute = scheduled((text, values) => connection.execute(text, values as never) as Promise<[unknown, unknown]>);
  return forward(connection, (property) => (property === 'query' ? query : property === 'execute' ? execute : undefined));
}
