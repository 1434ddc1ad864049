import './skip-cloudflare-probe.js';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { COMMAND, SLOT } from '../src/isolation/protocol.js';
import type { SessionMessage, SessionWorkerData } from '../src/isolation/protocol.js';
import { noticeText, runScript } from '../src/isolation/simple-query.js';
import type { ServerMessage } from '../src/isolation/simple-query.js';

/**
 * One session of an isolation spec: its own thread and its own connection, kept for every
 * permutation of the spec, as the tester keeps its connections. It sleeps at the shared control
 * slot until the coordinator hands it SQL, sends it over the simple protocol, and posts each
 * notice and notification as it arrives and then the results. It never runs SQL of its own: its
 * pid comes from the connection's start-up, so no statement takes a snapshot before the spec's.
 */
const data = workerData as SessionWorkerData;
const control = new Int32Array(data.control);
const post = (message: SessionMessage) => parentPort?.postMessage(message);

function connect(): pg.Client {
  const settings = [`-c search_path=${data.schema}`, ...(data.isolation ? [`-c default_transaction_isolation=${data.isolation.replace(/ /g, '\\ ')}`] : [])];
  const client = new pg.Client({ ...data.connection, application_name: `race-rig spec ${data.name} ${data.schema}`, options: settings.join(' ') });
  client.on('error', () => {});
  client.on('notice', (notice) => post({ kind: 'notice', text: noticeText(notice as ServerMessage) }));
  client.on('notification', ({ processId, channel, payload }) => post({ kind: 'notification', pid: processId, channel, payload: payload ?? '' }));
  return client;
}

async function main(): Promise<void> {
  const client = connect();
  try {
    await client.connect();
    post({ kind: 'ready', pid: (client as unknown as { processID: number }).processID });
  } catch (error) {
    post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    await client.end().catch(() => undefined);
    return;
  }
  for (;;) {
    Atomics.wait(control, SLOT.command, COMMAND.none);
    const command = Atomics.exchange(control, SLOT.command, COMMAND.none);
    if (command === COMMAND.exit) break;
    if (command !== COMMAND.run) continue;
    const result = await runScript(client, data.scripts[Atomics.load(control, SLOT.argument)] ?? '');
    post({ kind: 'done', ...result });
  }
  await client.end().catch(() => undefined);
}

await main();
