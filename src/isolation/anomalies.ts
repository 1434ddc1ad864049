import { allSucceeded, rowCount, value, values } from './outcome.js';
import type { PermutationOutcome } from './outcome.js';
import type { SpecEngineName } from './spec-engine.js';

/**
 * Hermitage's anomalies (github.com/ept/hermitage), each as an isolation spec on the table
 * `test (id, value)` holding (1, 10) and (2, 20), with the one interleaving that shows it, and a
 * judgement that reads the rows the steps returned and the errors they met: whether the anomaly
 * occurred is decided by what the database did, at whatever level the sessions ran.
 */
export interface Anomaly {
  readonly id: string;
  readonly name: string;
  /** What would go wrong, in one sentence. */
  readonly summary: string;
  /** The spec in PostgreSQL's SQL. */
  readonly spec: string;
  /** The same spec in InnoDB's: the table made ENGINE=InnoDB, each transaction begun with START TRANSACTION. */
  readonly innodbSpec: string;
  /** True when the outcome shows the anomaly. */
  occurred(outcome: PermutationOutcome): boolean;
}

interface AnomalyDefinition extends Omit<Anomaly, 'spec' | 'innodbSpec'> {
  /** The sessions and the permutation, each transaction begun with `begin`. */
  readonly sessions: (begin: string) => string;
}

const SETUP = `setup { CREATE TABLE test (id int PRIMARY KEY, value int NOT NULL); INSERT INTO test VALUES (1, 10), (2, 20); }
teardown { DROP TABLE test; }
`;
const INNODB_SETUP = `setup { CREATE TABLE test (id int PRIMARY KEY, value int NOT NULL) ENGINE=InnoDB; INSERT INTO test VALUES (1, 10), (2, 20); }
teardown { DROP TABLE test; }
`;

function anomaly({ sessions, ...rest }: AnomalyDefinition): Anomaly {
  return { ...rest, spec: `${SETUP}\n${sessions('BEGIN;')}`, innodbSpec: `${INNODB_SETUP}\n${sessions('START TRANSACTION;')}` };
}

/** An anomaly's spec in the SQL of the engine it runs on. */
export function anomalySpec(anomaly: Anomaly, engine: SpecEngineName): string {
  return engine === 'mysql' ? anomaly.innodbSpec : anomaly.spec;
}

export const ANOMALIES: readonly Anomaly[] = [
  anomaly({
    id: 'G0',
    name: 'dirty write',
    summary: 'two transactions write the same two rows; the result mixes their writes',
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1x { UPDATE test SET value = 11 WHERE id = 1; }
step t1y { UPDATE test SET value = 21 WHERE id = 2; }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2x { UPDATE test SET value = 12 WHERE id = 1; }
step t2y { UPDATE test SET value = 22 WHERE id = 2; }
step t2c { COMMIT; }
step t2after { SELECT value FROM test ORDER BY id; }
permutation t1b t2b t1x t2x t1y t1c t2y t2c t2after`,
    occurred: (outcome) => {
      const [x, y] = values(outcome, 't2after');
      return !((x === 11 && y === 21) || (x === 12 && y === 22));
    },
  }),
  anomaly({
    id: 'G1a',
    name: 'aborted read',
    summary: 'a transaction reads a value that another one wrote and then rolled back',
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1x { UPDATE test SET value = 101 WHERE id = 1; }
step t1abort { ROLLBACK; }
session t2
step t2b { ${begin} }
step t2r1 { SELECT value FROM test WHERE id = 1; }
step t2r2 { SELECT value FROM test WHERE id = 1; }
step t2c { COMMIT; }
permutation t1b t2b t1x t2r1 t1abort t2r2 t2c`,
    occurred: (outcome) => [value(outcome, 't2r1'), value(outcome, 't2r2')].includes(101),
  }),
  anomaly({
    id: 'G1b',
    name: 'intermediate read',
    summary: 'a transaction reads a value that another one later overwrote before committing',
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1x { UPDATE test SET value = 101 WHERE id = 1; }
step t1x2 { UPDATE test SET value = 11 WHERE id = 1; }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2r1 { SELECT value FROM test WHERE id = 1; }
step t2r2 { SELECT value FROM test WHERE id = 1; }
step t2c { COMMIT; }
permutation t1b t2b t1x t2r1 t1x2 t1c t2r2 t2c`,
    occurred: (outcome) => [value(outcome, 't2r1'), value(outcome, 't2r2')].includes(101),
  }),
  anomaly({
    id: 'G1c',
    name: 'circular information flow',
    summary: "each of two transactions sees the other's uncommitted write",
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1x { UPDATE test SET value = 11 WHERE id = 1; }
step t1ry { SELECT value FROM test WHERE id = 2; }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2y { UPDATE test SET value = 22 WHERE id = 2; }
step t2rx { SELECT value FROM test WHERE id = 1; }
step t2c { COMMIT; }
permutation t1b t2b t1x t2y t1ry t2rx t1c t2c`,
    occurred: (outcome) => value(outcome, 't1ry') === 22 && value(outcome, 't2rx') === 11,
  }),
  anomaly({
    id: 'OTV',
    name: 'observed transaction vanishes',
    summary: "a reader sees one transaction's write, then a row where that transaction's write was overwritten by a later one, but not the rest of the later one",
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1x { UPDATE test SET value = 11 WHERE id = 1; }
step t1y { UPDATE test SET value = 19 WHERE id = 2; }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2x { UPDATE test SET value = 12 WHERE id = 1; }
step t2y { UPDATE test SET value = 18 WHERE id = 2; }
step t2c { COMMIT; }
session t3
step t3b { ${begin} }
step t3x { SELECT value FROM test WHERE id = 1; }
step t3y { SELECT value FROM test WHERE id = 2; }
step t3y2 { SELECT value FROM test WHERE id = 2; }
step t3x2 { SELECT value FROM test WHERE id = 1; }
step t3c { COMMIT; }
permutation t1b t2b t3b t1x t1y t2x t1c t3x t2y t3y t2c t3y2 t3x2 t3c`,
    occurred: (outcome) => (value(outcome, 't3y') === 18 || value(outcome, 't3y2') === 18) && value(outcome, 't3x2') === 11,
  }),
  anomaly({
    id: 'PMP',
    name: 'predicate many preceders',
    summary: 'a transaction reads the same predicate twice and the second read sees a row committed in between',
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1p1 { SELECT id FROM test WHERE value = 30; }
step t1p2 { SELECT id FROM test WHERE value % 3 = 0; }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2i { INSERT INTO test VALUES (3, 30); }
step t2c { COMMIT; }
permutation t1b t2b t1p1 t2i t2c t1p2 t1c`,
    occurred: (outcome) => rowCount(outcome, 't1p1') === 0 && values(outcome, 't1p2').includes(3),
  }),
  anomaly({
    id: 'P4',
    name: 'lost update',
    summary: 'two transactions read a value and both write what they computed from it; one write is lost',
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1r { SELECT value FROM test WHERE id = 1; }
step t1w { UPDATE test SET value = 11 WHERE id = 1; }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2r { SELECT value FROM test WHERE id = 1; }
step t2w { UPDATE test SET value = 11 WHERE id = 1; }
step t2c { COMMIT; }
permutation t1b t2b t1r t2r t1w t2w t1c t2c`,
    occurred: (outcome) => value(outcome, 't1r') === value(outcome, 't2r') && allSucceeded(outcome, ['t1w', 't1c', 't2w', 't2c']),
  }),
  anomaly({
    id: 'G-single',
    name: 'read skew',
    summary: "a transaction reads one row before and another after a second transaction changed both",
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1x { SELECT value FROM test WHERE id = 1; }
step t1y { SELECT value FROM test WHERE id = 2; }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2x { UPDATE test SET value = 12 WHERE id = 1; }
step t2y { UPDATE test SET value = 18 WHERE id = 2; }
step t2c { COMMIT; }
permutation t1b t2b t1x t2x t2y t2c t1y t1c`,
    occurred: (outcome) => (value(outcome, 't1x') ?? 0) + (value(outcome, 't1y') ?? 0) !== 30,
  }),
  anomaly({
    id: 'G2-item',
    name: 'write skew',
    summary: 'two transactions read the same rows, each updates a different one, and both commit',
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1r { SELECT value FROM test WHERE id IN (1, 2) ORDER BY id; }
step t1w { UPDATE test SET value = 11 WHERE id = 1; }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2r { SELECT value FROM test WHERE id IN (1, 2) ORDER BY id; }
step t2w { UPDATE test SET value = 21 WHERE id = 2; }
step t2c { COMMIT; }
step t2after { SELECT value FROM test ORDER BY id; }
permutation t1b t2b t1r t2r t1w t2w t1c t2c t2after`,
    occurred: (outcome) => {
      const [x, y] = values(outcome, 't2after');
      return allSucceeded(outcome, ['t1w', 't2w']) && x === 11 && y === 21;
    },
  }),
  anomaly({
    id: 'G2',
    name: 'write skew on a predicate',
    summary: 'two transactions read a predicate, each inserts a row that matches it, and both commit',
    sessions: (begin) => `session t1
step t1b { ${begin} }
step t1p { SELECT id FROM test WHERE value % 3 = 0; }
step t1i { INSERT INTO test VALUES (3, 30); }
step t1c { COMMIT; }
session t2
step t2b { ${begin} }
step t2p { SELECT id FROM test WHERE value % 3 = 0; }
step t2i { INSERT INTO test VALUES (4, 42); }
step t2c { COMMIT; }
step t2after { SELECT id FROM test WHERE value % 3 = 0 ORDER BY id; }
permutation t1b t2b t1p t2p t1i t2i t1c t2c t2after`,
    occurred: (outcome) => allSucceeded(outcome, ['t1i', 't2i']) && values(outcome, 't2after').join(',') === '3,4',
  }),
];
