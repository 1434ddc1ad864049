import { describe, expect, it } from 'vitest';
import { junitReport } from '../../src/report/junit.js';
import { race } from '../helpers/result-fixture.js';
import { validateJunit } from '../helpers/junit.js';

describe('junitReport', () => {
  it('writes one failing test case, with expected and actual, for a verdict that missed --expect', async () => {
    const xml = junitReport({ suite: 'race-rig counter/lost', runs: [race] });

    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toContain('<testsuite name="race-rig counter/lost"');
    expect(xml).toMatch(/tests="1" failures="1" errors="0"/);
    expect(xml).toContain('<failure message="expected CORRECT, got RACE: expected 10,000, the database holds 412: 9,588 lost (95.88%)" type="ExpectationNotMet">');
    expect(xml).toContain('actual verdict:   RACE');
  });

  it('passes runs that met their expectation or had none, one test case per repetition', async () => {
    const met = { ...race, expectation: { expected: 'race' as const, met: true } };
    const xml = junitReport({ suite: 'race-rig counter/lost × 3', runs: [met, met, { ...race, expectation: null }] });

    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toMatch(/tests="3" failures="0" errors="0"/);
    expect(xml).toContain('name="counter/lost run 3 of 3"');
  });

  it('reports a command that could not complete as an errored test case', async () => {
    const xml = junitReport({ suite: 'race-rig counter/lost', runs: [], error: { name: 'race-rig counter/lost', message: 'cannot connect to postgres://u:***@nowhere/db' } });

    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toMatch(/tests="1" failures="0" errors="1"/);
    expect(xml).toContain('<error message="cannot connect to postgres://u:***@nowhere/db" type="RigError"/>');
  });

  it('fails validation when a test case lacks what CI needs', async () => {
    const broken = junitReport({ suite: 's', runs: [race] }).replace(/ classname="[^"]*"/, '');

    expect((await validateJunit(broken)).valid).toBe(false);
  });
});
