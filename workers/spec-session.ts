import './skip-cloudflare-probe.js';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { COMMAND, SLOT } from '../src/isolation/protocol.js';
import type { SessionMessage, SessionWorkerData, StatementOutput } from '../src/isolation/protocol.js';

/**
 * One session of an isolation spec: its own thread and its own connection. It sleeps at the
 * shared control slot until the coordinator hands it a step, runs the step's SQL over the simple
 * protocol (a step may hold several statements), and reports rows, error and notices.
 */
const data = workerData as SessionWorkerData;
const control = new Int32Array(data.control);
const post = (message: SessionMessage) => parentPort?.postMessage(message);

function outputsOf(result: pg.QueryResult | pg.QueryResult[]): StatementOutput[] {
  return (Array.isArray(result) ? result : [result])
    .filter((statement) => statement.fields.length > 0)
    .map((statement) => ({
      fields: statement.fields.map((field) => field.name),
      rows: statement.rows.map((row: unknown[]) => row.map((value) => (value === null ? null : String(value)))),
    }));
}

async function main(): Promise<void> {
  const settings = [`-c search_path=${data.schema}`, ...(data.isolation ? [`-c default_transaction_isolation=${data.isolation.replace(/ /g, '\\ ')}`] : [])];
  const client = new pg.Client({ ...data.connection, application_name: `race-rig spec ${data.name} ${data.schema}`, options: settings.join(' ') });
  client.on('error', () => {});
  const notices: string[] = [];
  client.on('notice', (notice) => notices.push(notice.message ?? String(notice)));
  try {
    await client.connect();
    for (const sql of data.setup) await client.query(sql);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    post({ kind: 'ready', pid: rows[0]?.pid ?? 0 });
  } catch (error) {
    post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    await client.end().catch(() => undefined);
    return;
  }
  for (;;) {
    Atomics.wait(control, SLOT.command, COMMAND.none);
    const command = Atomics.exchange(control, SLOT.command, COMMAND.none);
    if (command === COMMAND.exit) break;
    if (command !== COMMAND.runStep) continue;
    const step = Atomics.load(control, SLOT.argument);
    const sql = data.steps[step] ?? '';
    notices.length = 0;
    try {
      const result = (await client.query({ text: sql, rowMode: 'array' })) as pg.QueryResult | pg.QueryResult[];
      post({ kind: 'step', step, outputs: outputsOf(result), error: null, notices: [...notices] });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      post({ kind: 'step', step, outputs: [], error: { code: typeof code === 'string' ? code : null, message: error instanceof Error ? error.message : String(error) }, notices: [...notices] });
    }
  }
  for (const sql of data.teardown) await client.query(sql).catch(() => undefined);
  await client.end().catch(() => undefined);
}

await main();
