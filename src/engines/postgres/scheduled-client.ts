import type pg from 'pg';
import type { ScheduleGate } from '../../sync/schedule.js';
import { forward } from '../forward.js';
import { queryStatement } from './literal-sql.js';
import { wallClockMs } from '../../timeline/recorder.js';
import type { TimelineRecorder } from '../../timeline/recorder.js';

type QueryArgs = [unknown, unknown?, unknown?];
type Callback = (error: Error | null, result?: pg.QueryResult) => void;

/**
 * The worker's client as `explore` hands it to the scenario and the rig: every `query` (the
 * StatementRunner's, the scenario's own, the rig's ROLLBACK) waits at the schedule gate for its
 * turn, one statement at a time, and is recorded for the schedule's timeline. Statements sent
 * together (a pipelined BEGIN, a statement with its COMMIT) become one step each, in order.
 */
export function scheduledClient(client: pg.Client, gate: ScheduleGate, recorder: TimelineRecorder): pg.Client {
  let previous: Promise<unknown> = Promise.resolve();
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;

  const send = async (args: QueryArgs): Promise<pg.QueryResult> => {
    const { text: given, values } = queryStatement(args[0], args[1]);
    const text = given ?? '';
    gate.park({ text, values });
    const startMs = wallClockMs();
    try {
      const result = (await original(...args.filter((arg) => typeof arg !== 'function'))) as pg.QueryResult;
      recorder.statement(text, values, startMs, { row: result.rows?.[0], rows: result.rowCount ?? result.rows?.length ?? 0 });
      return result;
    } catch (error) {
      recorder.statement(text, values, startMs, { error });
      throw error;
    }
  };

  const query = (...args: QueryArgs): unknown => {
    const submittable = typeof (args[0] as { submit?: unknown } | null)?.submit === 'function';
    if (!gate.isArmed || submittable) return original(...args);
    const callback = args.find((arg): arg is Callback => typeof arg === 'function');
    const result = previous.then(() => send(args));
    previous = result.catch(() => undefined);
    if (!callback) return result;
    result.then((value) => callback(null, value), (error: Error) => callback(error));
    return undefined;
  };

  return forward(client, (property) => (property === 'query' ? query : undefined));
}
