import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/parse.js';
import { ANOMALIES } from '../../src/isolation/anomalies.js';
import { preventionOf } from '../../src/isolation/matrix.js';
import { MYSQL_DIALECT } from '../../src/isolation/mysql/dialect.js';
import { lockWaitingConnections } from '../../src/engines/mysql/lock-waits.js';
import type { PermutationOutcome, StepOutcome } from '../../src/isolation/outcome.js';
import { POSTGRES_DIALECT } from '../../src/isolation/postgres/dialect.js';
import { runSpecFile } from '../../src/isolation/spec-command.js';
import { parseSpec } from '../../src/isolation/spec.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/innodb-status/${name}`, import.meta.url), 'utf8');
const INNODB_EXAMPLES = ['lost-update', 'deadlock'].map((name) => new URL(`../../examples/specs/innodb/${name}.spec`, import.meta.url).pathname);

function outcomeOf(steps: Partial<StepOutcome>[]): PermutationOutcome {
  const full = steps.map((step, at) => ({ step: `s${at}`, session: 's', sql: '', blocked: false, outputs: [], error: null, notices: [], timedOut: false, ...step }));
  return { permutation: [], steps: full, output: '' };
}

describe("SHOW ENGINE INNODB STATUS, read for the connections that wait for a row lock", () => {
  it("MariaDB 10.11: the list's LOCK WAIT entries only, not the transactions of the last deadlock above it", async () => {
    // Captured from this machine's MariaDB: thread 487 waits; 486 waited in the deadlock section, and no longer does.
    const status = await fixture('mariadb-10.11.txt');

    expect(status).toMatch(/LOCK WAIT [^\n]*\nMariaDB thread id 486,/);
    expect([...lockWaitingConnections(status)]).toEqual([487]);
  });

  it("MySQL 8's format, as its manual shows it: `MySQL thread id N,`", async () => {
    expect([...lockWaitingConnections(await fixture('mysql-8.txt'))]).toEqual([9]);
  });

  it('no list, no waits', () => {
    expect(lockWaitingConnections('').size).toBe(0);
  });
});

describe('the InnoDB dialect', () => {
  it('prints an error as the mysql client does, by number and SQLSTATE', () => {
    expect(MYSQL_DIALECT.errorLine({ severity: 'ERROR', code: '1213 (40001)', message: 'Deadlock found when trying to get lock; try restarting transaction' })).toBe(
      'ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction\n',
    );
    expect(MYSQL_DIALECT.errorLine({ severity: 'ERROR', code: null, message: 'Connection lost' })).toBe('ERROR: Connection lost\n');
  });

  it('tells a deadlock by its number (1213), though its SQLSTATE is 40001, and 1020 as a serialization failure', () => {
    const prevention = (code: string) => MYSQL_DIALECT.preventionBy({ severity: 'ERROR', code, message: '' });

    expect([prevention('1213 (40001)'), prevention('1020 (HY000)'), prevention('1205 (HY000)'), prevention('1317 (70100)')]).toEqual(['deadlock', 'serialization failure', null, null]);
    expect(POSTGRES_DIALECT.preventionBy({ severity: 'ERROR', code: '40001', message: '' })).toBe('serialization failure');
    expect(POSTGRES_DIALECT.preventionBy({ severity: 'ERROR', code: '40P01', message: '' })).toBe('deadlock');
  });

  it('names the server as titles name it', () => {
    expect(MYSQL_DIALECT.product('10.11.19-MariaDB-0+deb12u1')).toBe('MariaDB 10.11.19');
    expect(MYSQL_DIALECT.product('8.0.36')).toBe('MySQL 8.0.36');
    expect(POSTGRES_DIALECT.product('18.4')).toBe('PostgreSQL 18.4');
  });

  it('a matrix cell: a deadlock before a wait, and a step the rig had to cancel counts as blocked', () => {
    expect(preventionOf(outcomeOf([{ blocked: true }, { error: { severity: 'ERROR', code: '1213 (40001)', message: '' } }]), MYSQL_DIALECT)).toBe('deadlock');
    expect(preventionOf(outcomeOf([{ timedOut: true, error: { severity: 'ERROR', code: '1317 (70100)', message: '' } }]), MYSQL_DIALECT)).toBe('blocked');
    expect(preventionOf(outcomeOf([{}]), MYSQL_DIALECT)).toBe('snapshot');
  });
});

describe("Hermitage's anomalies in InnoDB's SQL", () => {
  it('the same sessions, steps and permutation as on PostgreSQL; only the table and the start of each transaction differ', () => {
    for (const anomaly of ANOMALIES) {
      const postgres = parseSpec(anomaly.spec, anomaly.id);
      const innodb = parseSpec(anomaly.innodbSpec, anomaly.id);
      const shape = (spec: typeof postgres) => ({ permutations: spec.permutations, steps: spec.sessions.map((session) => session.steps.map((step) => step.name)) });

      expect(shape(innodb)).toEqual(shape(postgres));
      expect(innodb.setup[0]).toMatch(/ENGINE=InnoDB;/);
      expect(anomaly.innodbSpec.replace(/ ENGINE=InnoDB/, '').replaceAll('START TRANSACTION;', 'BEGIN;')).toBe(anomaly.spec);
    }
  });

  it('reads the InnoDB examples', async () => {
    for (const file of INNODB_EXAMPLES) expect(parseSpec(await readFile(file, 'utf8'), file).permutations.length).toBeGreaterThan(0);
  });
});

describe('--engine for spec and isolation', () => {
  it('parses with both commands', async () => {
    expect(await parseCommandLine(['spec', '--engine', 'mysql', 'x.spec'])).toMatchObject({ kind: 'spec', values: { engine: 'mysql' } });
    expect(await parseCommandLine(['isolation', '--engine', 'mysql'])).toMatchObject({ kind: 'isolation', values: { engine: 'mysql' } });
  });

  it('an engine without isolation levels is one line, before anything starts', async () => {
    await expect(runSpecFile(INNODB_EXAMPLES[0] ?? '', { engine: 'sqlite' as 'mysql' })).rejects.toThrow(/^race-rig spec and race-rig isolation run on --engine postgres or mysql \(got 'sqlite'\)$/);
  });
});
