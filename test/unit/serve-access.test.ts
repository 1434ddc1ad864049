import { describe, expect, it } from 'vitest';
import { refusal } from '../../src/serve/access.js';
import { raceOptionsOfRequest } from '../../src/serve/race-request.js';
import type { ServeConfig } from '../../src/serve/catalog.js';

const local = { host: '127.0.0.1', token: 'secret-token' };
const exposed = { host: '0.0.0.0', token: 'secret-token' };
const get = { method: 'GET', authorization: undefined, queryToken: undefined, contentType: undefined };

describe('who may use race-rig serve', () => {
  it('on loopback: any local page whose Host is a loopback name, without a token', () => {
    for (const hostHeader of ['127.0.0.1:7878', 'localhost:7878', '[::1]:7878', 'localhost']) expect(refusal({ ...get, hostHeader }, local), hostHeader).toBeNull();
    expect(refusal({ ...get, hostHeader: 'attacker.example:7878' }, local)).toMatchObject({ status: 403 });
    expect(refusal({ ...get, hostHeader: undefined }, local)).toMatchObject({ status: 403 });
  });

  it('on another address: only with the token, in the header or the query', () => {
    const hostHeader = '192.0.2.10:7878';
    expect(refusal({ ...get, hostHeader }, exposed)).toMatchObject({ status: 401 });
    expect(refusal({ ...get, hostHeader, queryToken: 'secret-tokeN' }, exposed)).toMatchObject({ status: 401 });
    expect(refusal({ ...get, hostHeader, queryToken: 'secret-token' }, exposed)).toBeNull();
    expect(refusal({ ...get, hostHeader, authorization: 'Bearer secret-token' }, exposed)).toBeNull();
  });

  it('every POST must be JSON, which another origin cannot send without a preflight', () => {
    const post = { ...get, method: 'POST', hostHeader: 'localhost:7878' };
    expect(refusal({ ...post, contentType: 'text/plain' }, local)).toMatchObject({ status: 415 });
    expect(refusal({ ...post, contentType: undefined }, local)).toMatchObject({ status: 415 });
    expect(refusal({ ...post, contentType: 'application/json; charset=utf-8' }, local)).toBeNull();
  });
});

describe("a page's race request", () => {
  const config: ServeConfig = { engine: 'postgres', db: 'postgres://rig:pw@127.0.0.1:5432/db', modules: ['/work/examples/my-scenario.js'], specFiles: [] };

  it('becomes race options on the served database, with only the flags the engine takes', () => {
    expect(raceOptionsOfRequest({ mode: 'lost', workers: 10, increments: '50', gate: false, timeline: true }, config)).toEqual({
      engine: 'postgres',
      scenario: 'counter',
      mode: 'lost',
      workers: 10,
      increments: 50,
      db: config.db,
      gate: false,
      timeline: true,
    });
    // SQLite has no server gate, no timeline and no URL: the boxes are dropped, not refused.
    expect(raceOptionsOfRequest({ engine: 'sqlite', scenario: 'counter', gate: true, timeline: true }, config)).toEqual({ engine: 'sqlite', scenario: 'counter' });
    expect(raceOptionsOfRequest({ scenario: '/work/examples/my-scenario.js' }, config)).toMatchObject({ scenario: '/work/examples/my-scenario.js' });
  });

  it('refuses anything the rig was not started with: another engine, a path, a URL, SQL', () => {
    expect(() => raceOptionsOfRequest({ engine: 'mysql' }, config)).toThrow("this server runs postgres and sqlite, not 'mysql'");
    expect(() => raceOptionsOfRequest({ scenario: '/etc/passwd' }, config)).toThrow('neither a built-in scenario of postgres nor a module given to race-rig serve');
    expect(() => raceOptionsOfRequest({ db: 'postgres://elsewhere/x', params: { sql: 'DROP TABLE x' } }, config)).toThrow('the page cannot set db, params');
    expect(() => raceOptionsOfRequest({ workers: 1.5 }, config)).toThrow('workers must be a whole number (got 1.5)');
    expect(() => raceOptionsOfRequest([], config)).toThrow('the request must be a JSON object');
  });
});
