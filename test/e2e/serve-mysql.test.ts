import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnMysql, mysqlDatabaseExists, testMysqlUrl } from '../helpers/mysql.js';
import { EventLog, startServe } from '../helpers/serve.js';
import type { ServeProcess } from '../helpers/serve.js';

describeOnMysql('race-rig serve --engine mysql', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe(['--engine', 'mysql', '--db', testMysqlUrl() ?? '']);
  }, 120_000);
  afterAll(async () => {
    const stopped = await serve?.stop();
    expect(stopped?.code).toBe(0);
  });

  it('offers MySQL and SQLite and runs the lost update on InnoDB', async () => {
    const catalog = await serve.get<{ engines: { name: string }[]; explore: string | null }>('/api/catalog');
    expect(catalog.body.engines.map((engine) => engine.name)).toEqual(['mysql', 'sqlite']);
    expect(catalog.body.explore).toBeNull();
    const events = await EventLog.listen(serve);
    try {
      const { body } = await serve.post<{ id: number }>('/api/run', { engine: 'mysql', mode: 'lost', workers: 6, increments: 30 });
      const end = await events.waitFor((event) => event.data.id === body.id && (event.type === 'finished' || event.type === 'failed'), 'the MySQL run');
      expect(end.type).toBe('finished');
      const result = end.data.result as { verdict: string; lost: number; database: { schema: string } };
      expect(result.verdict).toBe('RACE');
      expect(result.lost).toBeGreaterThan(0);
      expect(await mysqlDatabaseExists(result.database.schema)).toBe(false);
    } finally {
      events.close();
    }
  });

  it('steps through P4 on InnoDB at REPEATABLE READ: the second write waits (InnoDB does not name the holder), then the update is lost', async () => {
    const opened = await serve.post<{ state: { place: string } }>('/api/step/open', { spec: 'anomaly:P4', level: 'repeatable-read' });
    expect(opened.status).toBe(200);
    let view: { state: { sessions: { name: string; waiting: string | null; waitsFor: string[] | null }[]; finished: boolean; occurred: boolean | null } } | undefined;
    for (const session of ['t1', 't2', 't1', 't2', 't1', 't2']) view = (await serve.post<NonNullable<typeof view>>('/api/step/session', { session })).body;
    expect(view?.state.sessions.find((session) => session.name === 't2')).toMatchObject({ waiting: 't2w', waitsFor: null });
    for (const session of ['t1', 't2']) view = (await serve.post<NonNullable<typeof view>>('/api/step/session', { session })).body;
    // InnoDB's REPEATABLE READ lets the second write overwrite the first: the lost update Hermitage reports.
    expect(view?.state).toMatchObject({ finished: true, occurred: true });
    await serve.post('/api/step/close');
    expect(await mysqlDatabaseExists(opened.body.state.place)).toBe(false);
  });
});
