import './skip-cloudflare-probe.js';
import { parentPort, workerData } from 'node:worker_threads';
import { COMMAND, SLOT } from '../src/isolation/protocol.js';
import type { SessionConnection, SessionMessage, SessionWorkerData } from '../src/isolation/protocol.js';
import { openMysqlSessionConnection } from '../src/isolation/mysql/session-connection.js';
import { openPostgresSessionConnection } from '../src/isolation/postgres/session-connection.js';

/**
 * One session of an isolation spec: its own thread and its own connection, kept for every
 * permutation of the spec, as the tester keeps its connections. It sleeps at the shared control
 * slot until the coordinator hands it SQL, sends it, and posts each notice and notification as
 * it arrives and then the results. It never runs SQL of its own after connecting: no statement
 * takes a snapshot before the spec's.
 */
const data = workerData as SessionWorkerData;
const control = new Int32Array(data.control);
const post = (message: SessionMessage) => parentPort?.postMessage(message);

function open(): Promise<SessionConnection> {
  const { target } = data;
  return target.engine === 'mysql' ? openMysqlSessionConnection(data, target) : openPostgresSessionConnection(data, target, post);
}

async function main(): Promise<void> {
  let connection: SessionConnection;
  try {
    connection = await open();
    post({ kind: 'ready', pid: connection.pid });
  } catch (error) {
    post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  for (;;) {
    Atomics.wait(control, SLOT.command, COMMAND.none);
    const command = Atomics.exchange(control, SLOT.command, COMMAND.none);
    if (command === COMMAND.exit) break;
    if (command !== COMMAND.run) continue;
    const result = await connection.run(data.scripts[Atomics.load(control, SLOT.argument)] ?? '');
    post({ kind: 'done', ...result });
  }
  await connection.close();
}

await main();
