import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ANOMALIES } from '../../src/isolation/anomalies.js';
import { formatRows } from '../../src/isolation/format-spec.js';
import { allPermutations, parsePermutation, parseSpec } from '../../src/isolation/spec.js';

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
    expect(spec.permutations[0]?.[1]).toEqual({ step: 's2a', blockedAtOnce: true, blockers: [] });
    expect(spec.permutations[1]?.[1]).toEqual({ step: 's2a', blockedAtOnce: false, blockers: ['s1b'] });
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

  it('prints rows as psql does: numbers right, text left, a row count', () => {
    expect(formatRows({ fields: ['id', 'name'], rows: [['1', 'alice'], ['10', null]] })).toBe('id|name\n--+-----\n 1|alice\n10|\n(2 rows)\n');
  });
});
