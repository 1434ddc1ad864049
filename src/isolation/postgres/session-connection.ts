import pg from 'pg';
import type { SessionConnection, SessionMessage, SessionTarget, SessionWorkerData } from '../protocol.js';
import { noticeText, runScript } from './simple-query.js';
import type { ServerMessage } from './simple-query.js';

/**
 * A session's PostgreSQL connection, in its thread: the spec run's schema and the session's
 * isolation level are start-up options, so no statement of the rig's takes a snapshot before the
 * spec's, and its pid comes from the start-up too. Notices and notifications are posted as they arrive.
 */
export async function openPostgresSessionConnection(
  data: SessionWorkerData,
  target: Extract<SessionTarget, { engine: 'postgres' }>,
  post: (message: SessionMessage) => void,
): Promise<SessionConnection> {
  const settings = [`-c search_path=${target.schema}`, ...(data.isolation ? [`-c default_transaction_isolation=${data.isolation.replace(/ /g, '\\ ')}`] : [])];
  const client = new pg.Client({ ...target.connection, application_name: `race-rig spec ${data.name} ${target.schema}`, options: settings.join(' ') });
  client.on('error', () => {});
  client.on('notice', (notice) => post({ kind: 'notice', text: noticeText(notice as ServerMessage) }));
  client.on('notification', ({ processId, channel, payload }) => post({ kind: 'notification', pid: processId, channel, payload: payload ?? '' }));
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    pid: (client as unknown as { processID: number }).processID,
    run: (sql) => runScript(client, sql),
    close: () => client.end().catch(() => undefined),
  };
}
