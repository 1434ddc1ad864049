import { describe, expect, it } from 'vitest';
import { exploreRace, runRace } from 'race-rig';
import { testDatabaseUrl, withClient } from '../helpers/database.js';

const scenario = './test/fixtures/http-app.js';

/** How many rows the app inserted in a kept schema, and the schema dropped after. */
async function rowsIn(schema: string): Promise<number> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${schema}.hits`);
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    return rows[0]?.n ?? Number.NaN;
  });
}

describe('HTTP races: requests staged on open connections and released by their last byte', () => {
  it('sends each worker its requests on one connection and counts each answer by status', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, workers: 12, increments: 2, keep: true });

    expect(await rowsIn(result.database.schema)).toBe(24);
    expect(result).toMatchObject({ verdict: 'CORRECT', succeeded: 24, inDoubt: 0, outcomes: { 'HTTP 201': 24 }, start: 'last-byte', threads: 1 });
    expect(result.startSpreadMs).toBeGreaterThanOrEqual(0);
  });

  it('counts a 5xx as in doubt, with its status and body, and goes on', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, workers: 6, increments: 2, params: { answer: 'flaky' }, keep: true });

    expect(await rowsIn(result.database.schema)).toBe(12);
    expect(result).toMatchObject({ verdict: 'CORRECT', succeeded: 6, inDoubt: 6, notAttempted: 0 });
    expect(result.errors).toEqual([{ code: 'HTTP 503', message: 'try again later', count: 6 }]);
  });

  it('gives up on an app that never answers after the timeout, in doubt, and does not hang', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, workers: 4, increments: 3, params: { answer: 'silent' }, keep: true });

    expect(await rowsIn(result.database.schema)).toBe(4);
    expect(result).toMatchObject({ verdict: 'CORRECT', succeeded: 0, inDoubt: 4, notAttempted: 8 });
    expect(result.connectionLosses).toHaveLength(4);
    expect(result.errors[0]).toMatchObject({ code: 'TIMEOUT', count: 4 });
  });

  it('reports refused connections as not attempted, and the app received nothing', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, workers: 3, increments: 2, params: { url: 'http://127.0.0.1:1' }, keep: true });

    expect(await rowsIn(result.database.schema)).toBe(0);
    expect(result).toMatchObject({ succeeded: 0, inDoubt: 0, notAttempted: 6, startSpreadMs: null });
    expect(result.connectionLosses.map((loss) => loss.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
    expect(result.errors).toEqual([{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1', count: 3 }]);
  });

  it('stops at once when aborted while the app keeps every request waiting', async () => {
    const controller = new AbortController();
    const race = runRace({ db: testDatabaseUrl(), scenario, workers: 3, params: { answer: 'silent' }, signal: controller.signal, onStage: (stage) => stage === 'race' && setTimeout(() => controller.abort(), 100) });

    await expect(race).rejects.toMatchObject({ code: 'RIG_ABORTED' });
  });

  it('over HTTP/2 (h2c): one session, a stream per worker, each final DATA frame held back and released together', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario: './test/fixtures/http2-app.js', workers: 8, increments: 2, keep: true });

    expect(await rowsIn(result.database.schema)).toBe(16);
    expect(result).toMatchObject({ verdict: 'CORRECT', succeeded: 16, inDoubt: 0, outcomes: { 'HTTP 201': 16 }, start: 'last-byte' });
  });

  it('over HTTP/2, an app that is not there: every request not attempted, no hang', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario: './test/fixtures/http2-app.js', workers: 3, increments: 1, params: { url: 'http://127.0.0.1:1' }, keep: true });

    expect(await rowsIn(result.database.schema)).toBe(0);
    expect(result).toMatchObject({ succeeded: 0, inDoubt: 0, notAttempted: 3 });
    expect(result.connectionLosses.map((loss) => loss.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('refuses, in one line, a scenario with requests but no app to send them to, --concurrency or explore for an HTTP race', async () => {
    await expect(runRace({ db: testDatabaseUrl(), scenario, concurrency: 2 })).rejects.toThrow('--concurrency limits worker threads; http-app races over HTTP, every request released at once');
    await expect(exploreRace({ db: testDatabaseUrl(), scenario })).rejects.toThrow(/^race-rig explore schedules the workers' own statements, and http-app races over HTTP/);
    await expect(runRace({ db: testDatabaseUrl(), scenario: './test/fixtures/http-without-app.js' })).rejects.toThrow(/lacks app\(\) \(http requests go to the app it starts\)$/);
  });
});
