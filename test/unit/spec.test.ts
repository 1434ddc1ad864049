import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ANOMALIES } from '../../src/isolation/anomalies.js';
import { formatRows } from '../../src/isolation/format-spec.js';
import { allPermutations, parsePermutation, parseSpec, unusedSteps } from '../../src/isolation/spec.js';

describe('the isolation spec format', () => {
  it('reads setup, teardown, sessions with steps, and permutations with their markers', () => {
    const spec = parseSpec(`
      # a comment
      setup { CREATE TABLE t (id int); }
      setup { INSERT INTO t VALUES (1); }
      teardown { DROP TABLE t; }
      session "s 1"
      setup { SET lock_timeout = 0; }
      step s1a { BEGIN;
                 UPDATE t SET id = 2; }
      step s1b { COMMIT; }
      session s2
      step s2a { UPDATE t SET id = 3; }
      permutation s1a s2a(*) s1b
      permutation s1a s2a(s1b) s1b
    `);

    expect(spec.setup).toEqual(['CREATE TABLE t (id int);', 'INSERT INTO t VALUES (1);']);
    expect(spec.teardown).toEqual(['DROP TABLE t;']);
    expect(spec.sessions.map((session) => [session.name, session.setup, session.steps.map((step) => step.name)])).toEqual([
      ['s 1', ['SET lock_timeout = 0;'], ['s1a', 's1b']],
      ['s2', [], ['s2a']],
    ]);
    expect(spec.sessions[0]?.steps[0]?.sql).toBe('BEGIN;\n                 UPDATE t SET id = 2;');
    // As the tester's scanner: spaces and tabs at a block's ends go, newlines stay.
    expect(parseSpec('session s step a {\t\n  SELECT 1;\n  } ').sessions[0]?.steps[0]?.sql).toBe('\n  SELECT 1;\n');
    expect(spec.permutations[0]?.[1]).toEqual({ step: 's2a', blockers: [{ kind: 'once' }] });
    expect(spec.permutations[1]?.[1]).toEqual({ step: 's2a', blockers: [{ kind: 'step', step: 's1b' }] });
  });

  it('without permutation lines, runs every interleaving that keeps each session in order', () => {
    const spec = parseSpec('session a step a1 {} step a2 {} session b step b1 {}');

    expect(allPermutations(spec).map((permutation) => permutation.map((step) => step.step).join(' '))).toEqual(['a1 a2 b1', 'a1 b1 a2', 'b1 a1 a2']);
    expect(parsePermutation('b1 a1(*) a2', spec).map((step) => step.step)).toEqual(['b1', 'a1', 'a2']);
  });

  it('says where a spec is wrong', () => {
    expect(() => parseSpec('session s\nstep a { SELECT 1; }\npermutation a b', 'x.spec')).toThrow('x.spec: permutation names an unknown step b');
    expect(() => parseSpec('session s\n\nstep a SELECT 1;', 'x.spec')).toThrow('x.spec:3: step a needs a { SQL } block');
    expect(() => parseSpec('setup { SELECT 1;', 'x.spec')).toThrow('x.spec:1: a { SQL block is never closed with }');
    expect(() => parseSpec('setup { SELECT 1; }', 'x.spec')).toThrow('x.spec: the spec has no session');
  });

  it('reads every shipped example and every built-in anomaly', async () => {
    for (const name of ['lost-update', 'write-skew', 'read-skew', 'deadlock']) {
      const source = await readFile(new URL(`../../examples/specs/${name}.spec`, import.meta.url), 'utf8');
      expect(parseSpec(source, name).permutations).toHaveLength(1);
    }
    for (const anomaly of ANOMALIES) expect(parseSpec(anomaly.spec, anomaly.id).permutations).toHaveLength(1);
  });

  it('reads the markers (*), (other) and (other notices N), quoted names with doubled quotes, and reports unused steps', () => {
    const spec = parseSpec('session "a ""b"""\nstep x {}\nstep y {}\nsession c\nstep z {}\nstep unused {}\npermutation x(z notices 2, *) z y(z)');

    expect(spec.sessions[0]?.name).toBe('a "b"');
    expect(spec.permutations[0]).toEqual([
      { step: 'x', blockers: [{ kind: 'notices', step: 'z', count: 2 }, { kind: 'once' }] },
      { step: 'z', blockers: [] },
      { step: 'y', blockers: [{ kind: 'step', step: 'z' }] },
    ]);
    expect(unusedSteps(spec)).toEqual(['unused']);
    expect(() => parseSpec('session s step a {} step b {} permutation a(b) b', 'x.spec')).toThrow('x.spec: the marker of a names b of its own session');
    expect(() => parseSpec('session s step a {} session t step b {} permutation a(b)', 'x.spec')).toThrow('x.spec: the marker of a names b, which is not in that permutation');
  });

  it("prints rows as libpq's PQprint does for the tester: numbers right, text left, every column padded, a blank line after the count", () => {
    expect(formatRows({ fields: ['id', 'name'], rows: [['1', 'alice'], ['10', null]] })).toBe('id|name \n--+-----\n 1|alice\n10|     \n(2 rows)\n\n');
    // Widths are in bytes; a column is numeric while every non-empty value is; booleans are text.
    expect(formatRows({ fields: ['s', 'n', 'b'], rows: [['é', '-1.5e3', 't'], ['', '', 'f']] })).toBe('s |     n|b\n--+------+-\né|-1.5e3|t\n  |      |f\n(2 rows)\n\n');
    expect(formatRows({ fields: ['x'], rows: [] })).toBe('x\n-\n(0 rows)\n\n');
  });

});
