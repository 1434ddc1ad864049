import type { SpecDialect } from '../spec-engine.js';

/** PostgreSQL's SQLSTATEs for the two ways an interleaving is refused. */
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';

/** PostgreSQL, printed exactly as its isolationtester prints. */
export const POSTGRES_DIALECT: SpecDialect = {
  engine: 'postgres',
  product: (serverVersion) => `PostgreSQL ${serverVersion}`,
  // Severity and primary message only, as the tester prints them (details may hold transaction ids).
  errorLine: (error) => `${error.severity}:  ${error.message}\n`,
  preventionBy: (error) => (error.code === SERIALIZATION_FAILURE ? 'serialization failure' : error.code === DEADLOCK_DETECTED ? 'deadlock' : null),
  legend: `prevented (blocked): a step waited for a lock; (serialization failure): ${SERIALIZATION_FAILURE}; (deadlock): ${DEADLOCK_DETECTED}; (snapshot): the reads did not see it.`,
};
