import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { schemaExists, testDatabaseUrl, withClient } from '../helpers/database.js';
import { EventLog, startServe } from '../helpers/serve.js';
import type { ServeProcess } from '../helpers/serve.js';

type Json = Record<string, unknown>;

/** A value's shape: the keys of every object, the type of every leaf (arrays by their first element). */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shapeOf(value[0])] : [];
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)]));
  return value === null ? 'null' : typeof value;
}

/** What is left of a step-through whose sessions worked in schema `place`: its sessions (named after it) and the schema. */
async function stepLeftovers(place: string): Promise<{ sessions: number; schema: boolean }> {
  expect(place).toMatch(/^race_rig_\w+$/);
  return withClient(async (client) => {
    const sessions = await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'race-rig spec % ' || $1", [place]);
    return { sessions: sessions.rowCount ?? 0, schema: await schemaExists(place) };
  });
}

/** fetch() never sends a Host header of the caller's choosing; node:http does. */
function statusWithHost(url: URL, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject).end();
  });
}

let serve: ServeProcess;
let events: EventLog;
beforeAll(async () => {
  serve = await startServe(['--db', testDatabaseUrl()]);
  events = await EventLog.listen(serve);
}, 120_000);
afterAll(async () => {
  events?.close();
  await serve?.stop();
});

/** Runs a race through the API and waits for its end; returns its events' payloads. */
async function raceThroughApi(kind: 'run' | 'compare', request: Json): Promise<{ id: number; finished: Json; from: number }> {
  const from = events.events.length;
  const started = await serve.post<{ id: number }>(`/api/${kind}`, request);
  expect(started.status).toBe(200);
  const { id } = started.body;
  const end = await events.waitFor((event) => event.data.id === id && (event.type === 'finished' || event.type === 'failed'), `the end of ${kind} ${id}`, 120_000, from);
  expect(end.type).toBe('finished');
  return { id, finished: end.data, from };
}

describe('race-rig serve: the page API', () => {
  it('offers what the rig ships: the served engine and SQLite, the counter modes, the anomalies and the example specs', async () => {
    const { status, body } = await serve.get<{ engines: { name: string; scenarios: { name: string; modes: { name: string }[] }[] }[]; specs: { id: string; title: string }[]; levels: string[] }>('/api/catalog');
    expect(status).toBe(200);
    expect(body.engines.map((engine) => engine.name)).toEqual(['postgres', 'sqlite']);
    const counter = body.engines[0]?.scenarios.find((scenario) => scenario.name === 'counter');
    expect(counter?.modes.map((mode) => mode.name)).toContain('for-update');
    expect(body.specs.map((spec) => spec.id)).toContain('anomaly:P4');
    expect(body.specs.map((spec) => spec.title)).toContain('lost-update.spec');
    expect(body.levels).toEqual(['read-committed', 'repeatable-read', 'serializable']);
    expect(JSON.stringify(body)).not.toContain(testDatabaseUrl());
  });

  it('Run gives the result --json gives for the same run: same fields, same options, and the same counter for a correct mode', async () => {
    const { id, finished, from } = await raceThroughApi('run', { engine: 'postgres', scenario: 'counter', mode: 'for-update', workers: 6, increments: 25, gate: true, timeline: true });
    const fromApi = finished.result as Json;
    const cli = await runCli(['--db', testDatabaseUrl(), '--mode', 'for-update', '--workers', '6', '--increments', '25', '--timeline', '--json']);
    expect(cli.code).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as Json;

    expect(shapeOf(fromApi)).toEqual(shapeOf(fromCli));
    expect(fromApi.options).toEqual(fromCli.options);
    for (const key of ['verdict', 'expected', 'actual', 'lost', 'succeeded', 'operations', 'start']) expect(fromApi[key], key).toEqual(fromCli[key]);
    expect(fromApi).toMatchObject({ verdict: 'CORRECT', actual: 150, expected: 150 });
    // What the page links to is what the event carried, and live progress came before it.
    expect((await serve.get(`/api/results/${id}`)).body).toEqual(fromApi);
    expect(events.events.slice(from).some((event) => event.type === 'progress' && event.data.id === id)).toBe(true);
    expect(await schemaExists(String((fromApi.database as Json).schema))).toBe(false);
  });

  it('Run of lost shows the lost update: the counter the database held is short by exactly the lost count', async () => {
    const { finished } = await raceThroughApi('run', { mode: 'lost', workers: 10, increments: 40 });
    const result = finished.result as Json;
    expect(result.verdict).toBe('RACE');
    expect(Number(result.lost)).toBeGreaterThan(0);
    expect(Number(result.actual) + Number(result.lost)).toBe(result.expected);
  });

  it('Compare reports every mode as it finishes, in order, before the comparison', async () => {
    const { id, finished, from } = await raceThroughApi('compare', { scenario: 'counter', workers: 4, increments: 10 });
    const modes = events.events.slice(from).filter((event) => event.type === 'run-result' && event.data.id === id).map((event) => (event.data.result as Json).mode);
    const comparison = finished.result as { asDocumented: boolean; runs: Json[] };
    expect(modes).toEqual(comparison.runs.map((run) => run.mode));
    expect(modes).toHaveLength(9);
    expect(comparison.asDocumented).toBe(true);
  });

  it('Cancel stops a run under way (a second run meanwhile is refused) and leaves no worker connection', async () => {
    const from = events.events.length;
    const { body } = await serve.post<{ id: number }>('/api/run', { mode: 'for-update', workers: 8, increments: 200_000 });
    const progress = await events.waitFor((event) => event.type === 'progress' && event.data.id === body.id, 'progress of the long run', 60_000, from);
    expect(progress.type).toBe('progress');
    expect((await serve.post('/api/run', { mode: 'lost' })).status).toBe(409);
    expect((await serve.post('/api/cancel')).body).toEqual({ cancelled: true });
    const end = await events.waitFor((event) => event.data.id === body.id && (event.type === 'failed' || event.type === 'finished'), 'the cancelled run to end', 60_000, from);
    expect(end.data).toMatchObject({ cancelled: true });
    const started = events.events.slice(from).find((event) => event.type === 'started' && event.data.id === body.id);
    expect(started).toBeDefined();
    expect(await withClient(async (client) => (await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'race-rig%' AND pid <> pg_backend_pid()")).rowCount)).toBe(0);
    expect((await serve.get('/api/state')).body).toMatchObject({ race: null });
  });

  it('refuses what the page must not do, in one line each', async () => {
    expect(await serve.post('/api/run', { mode: 'nope' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^unknown --mode 'nope'/) } });
    expect(await serve.post('/api/run', { db: 'postgres://elsewhere/db' })).toMatchObject({ status: 400, body: { error: 'the page cannot set db' } });
    expect(await serve.post('/api/run', { scenario: '/etc/passwd' })).toMatchObject({ status: 400 });
    expect(await serve.post('/api/run', { workers: 'many' })).toMatchObject({ status: 400 });
    expect(await serve.post('/api/step/open', { spec: '../../etc/passwd.spec' })).toMatchObject({ status: 400 });
    const form = await fetch(new URL('/api/run', serve.base), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'mode=lost' });
    expect(form.status).toBe(415);
    // A page of another site reaching this port through DNS rebinding names its own host.
    expect(await statusWithHost(new URL('/api/catalog', serve.base), 'attacker.example')).toBe(403);
  });
});

describe('race-rig serve: stepping through by hand', () => {
  it('P4 at READ COMMITTED: the second write waits for t1, completes at t1\'s commit, and the update is lost', async () => {
    const opened = await serve.post<{ state: Json }>('/api/step/open', { spec: 'anomaly:P4', level: 'read-committed' });
    expect(opened.status).toBe(200);
    let view: { state: { sessions: { name: string; waiting: string | null; waitsFor: string[] | null }[]; completed: Json[]; finished: boolean; occurred: boolean | null } } | undefined;
    for (const session of ['t1', 't2', 't1', 't2', 't1', 't2']) view = (await serve.post<NonNullable<typeof view>>('/api/step/session', { session })).body;
    expect(view?.state.sessions.find((session) => session.name === 't2')).toMatchObject({ waiting: 't2w', waitsFor: ['t1'] });
    expect(await serve.post('/api/step/session', { session: 't2' })).toMatchObject({ status: 400, body: { error: expect.stringContaining('still waiting in step t2w') } });

    view = (await serve.post<NonNullable<typeof view>>('/api/step/session', { session: 't1' })).body;
    expect(view.state.completed.map((step) => step.step).slice(-2)).toEqual(['t1c', 't2w']);
    expect(view.state.completed.at(-1)).toMatchObject({ step: 't2w', blocked: true, error: null });
    view = (await serve.post<NonNullable<typeof view>>('/api/step/session', { session: 't2' })).body;
    expect(view.state).toMatchObject({ finished: true, occurred: true });
  });

  it('P4 at REPEATABLE READ, played in its own order: the waiting write fails with 40001 and the anomaly does not occur', async () => {
    const opened = await serve.post<{ state: { place: string } }>('/api/step/open', { spec: 'anomaly:P4', level: 'repeatable-read' });
    let view: { toPlay: number; state: { completed: { step: string; error: { code: string } | null }[]; finished: boolean; occurred: boolean | null } } | undefined;
    do view = (await serve.post<NonNullable<typeof view>>('/api/step/play')).body;
    while (view.toPlay > 0);
    expect(view.state.completed.find((step) => step.step === 't2w')?.error?.code).toBe('40001');
    expect(view.state).toMatchObject({ finished: true, occurred: false });
    await serve.post('/api/step/close');
    expect(await stepLeftovers(opened.body.state.place)).toEqual({ sessions: 0, schema: false });
  });

  it('two Starts at once leave one step-through open and nothing of the other', async () => {
    const [first, second] = await Promise.all([
      serve.post<{ state: { place: string } }>('/api/step/open', { spec: 'anomaly:G0', level: 'read-committed' }),
      serve.post<{ state: { place: string } }>('/api/step/open', { spec: 'anomaly:G1a', level: 'read-committed' }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const places = [first.body.state.place, second.body.state.place];
    const open = (await serve.get<{ step: { state: { place: string } } }>('/api/state')).body.step.state.place;
    const closed = places.filter((place) => place !== open);
    expect(closed).toHaveLength(1);
    expect(await stepLeftovers(closed[0] as string)).toEqual({ sessions: 0, schema: false });
    await serve.post('/api/step/close');
    expect(await stepLeftovers(open)).toEqual({ sessions: 0, schema: false });
  });

  it("plays explore's failing interleaving of counter/lost, whose check reads fewer than two increments", async () => {
    const opened = await serve.post<{ about: Json; state: { sessions: { name: string }[] } }>('/api/step/failing', { scenario: 'counter', mode: 'lost' });
    expect(opened.status).toBe(200);
    expect(opened.body.state.sessions.map((session) => session.name)).toEqual(['w0', 'w1', 'check']);
    let view: { toPlay: number; state: { completed: { step: string; outputs: { rows: string[][] }[] }[]; occurred: boolean | null } } | undefined;
    do view = (await serve.post<NonNullable<typeof view>>('/api/step/play')).body;
    while (view.toPlay > 0);
    expect(view.state.completed.find((step) => step.step === 'check')?.outputs[0]?.rows).toEqual([['1']]);
    expect(view.state.occurred).toBe(true);
    await serve.post('/api/step/close');
  });
});

describe('race-rig serve: files given on the command line', () => {
  it('offers a scenario module and a spec file given to it, by their paths, and runs them', async () => {
    const module = fileURLToPath(new URL('../../examples/seat-booking.js', import.meta.url));
    const spec = fileURLToPath(new URL('../../examples/specs/write-skew.spec', import.meta.url));
    const own = await startServe(['--db', testDatabaseUrl(), module, spec]);
    try {
      const catalog = (await own.get<{ engines: { name: string; scenarios: { name: string; modes: { name: string }[] }[] }[]; specs: { id: string; title: string }[] }>('/api/catalog')).body;
      const listed = catalog.engines[0]?.scenarios.find((scenario) => scenario.name === module);
      expect(listed?.modes.map((mode) => mode.name)).toEqual(['check-then-insert', 'unique']);
      // A module's SQL is PostgreSQL's: SQLite does not list it.
      expect(catalog.engines[1]?.scenarios.some((scenario) => scenario.name === module)).toBe(false);
      const events = await EventLog.listen(own);
      try {
        const { body } = await own.post<{ id: number }>('/api/run', { scenario: module, mode: 'unique', workers: 4, increments: 5 });
        const end = await events.waitFor((event) => event.data.id === body.id && (event.type === 'finished' || event.type === 'failed'), 'the module run');
        expect(end.data.result).toMatchObject({ scenario: 'seat-booking', mode: 'unique', verdict: 'CORRECT' });
      } finally {
        events.close();
      }
      const fromFile = catalog.specs.filter((listedSpec) => listedSpec.title === 'write-skew.spec').at(-1);
      const opened = await own.post<{ state: { place: string; sessions: { name: string }[] } }>('/api/step/open', { spec: fromFile?.id });
      expect(opened.body.state.sessions.map((session) => session.name)).toEqual(['alice', 'bob']);
      expect(await own.post('/api/run', { scenario: 'examples/seat-booking.js' })).toMatchObject({ status: 400 });
    } finally {
      expect((await own.stop()).code).toBe(0);
    }
  });
});

describe('race-rig serve: access and stopping', () => {
  it('refuses a bad command line in one line, exit 2, before it starts anything', async () => {
    const port = new URL(serve.base).port;
    const cases: [string[], string][] = [
      [['serve', '--engine', 'sqlite'], "race-rig: race-rig serve runs on a server: --engine postgres or mysql (the page offers SQLite beside it), not 'sqlite'"],
      [['serve', '--json'], 'race-rig: --json goes with race-rig, race-rig compare, race-rig explore, race-rig list, race-rig spec, race-rig isolation, not with race-rig serve'],
      [['serve', '--engine', 'mysql'], 'race-rig: race-rig serve --engine mysql needs --db mysql://… or $MYSQL_URL'],
      [['serve', '--db', testDatabaseUrl(), 'no-such-scenario.js'], `race-rig: race-rig serve: cannot read ${process.cwd()}/no-such-scenario.js`],
      [['serve', '--db', testDatabaseUrl(), '--port', port], `race-rig: port ${port} on 127.0.0.1 is in use; give --port N (0: any free one)`],
    ];
    for (const [args, line] of cases) {
      const run = await runCli(args);
      expect({ code: run.code, stderr: run.stderr }, args.join(' ')).toEqual({ code: 2, stderr: `${line}\n` });
    }
  });

  it('bound to another address, it answers only with the token it printed', async () => {
    const exposed = await startServe(['--db', testDatabaseUrl(), '--host', '127.0.0.2']);
    try {
      expect(exposed.token).toMatch(/^[\w-]{20,}$/);
      expect((await fetch(new URL('/api/state', exposed.base))).status).toBe(401);
      expect((await fetch(new URL(`/api/state?token=wrong${exposed.token}`, exposed.base))).status).toBe(401);
      expect((await exposed.get('/api/state')).status).toBe(200);
    } finally {
      const stopped = await exposed.stop();
      expect(stopped.code).toBe(0);
    }
  });

  it('Ctrl-C with a step-through open and a race running ends everything: exit 0, no schema, no session left', async () => {
    const own = await startServe(['--db', testDatabaseUrl()]);
    const opened = await own.post<{ state: { place: string } }>('/api/step/open', { spec: 'anomaly:P4', level: 'read-committed' });
    for (const session of ['t1', 't2', 't1', 't2', 't1', 't2']) await own.post('/api/step/session', { session });
    expect(await stepLeftovers(opened.body.state.place)).toEqual({ sessions: 2, schema: true });
    const race = await own.post<{ id: number }>('/api/run', { mode: 'for-update', workers: 4, increments: 100_000 });
    expect(race.status).toBe(200);
    const stopped = await own.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('race-rig serve: stopped; cleaned up');
    expect(stopped.stderr).toBe('');
    expect(await stepLeftovers(opened.body.state.place)).toEqual({ sessions: 0, schema: false });
    expect(await withClient(async (client) => (await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'race-rig%' AND pid <> pg_backend_pid()")).rowCount)).toBe(0);
  });
});
