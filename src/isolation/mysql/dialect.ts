import { ER } from '../../engines/mysql/errors.js';
import type { SpecDialect } from '../spec-engine.js';

/** The server's error number at the front of a step error's code, `1213 (40001)`. */
function errnoOf(code: string | null): number | null {
  const match = /^(\d+) /.exec(code ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * MySQL and MariaDB on InnoDB. Errors print as the mysql client prints them, by number and
 * SQLSTATE: `ERROR 1213 (40001): Deadlock found …`. A deadlock is told by its number, never by its
 * SQLSTATE: 40001 is PostgreSQL's serialization failure, but InnoDB gives it to 1213.
 */
export const MYSQL_DIALECT: SpecDialect = {
  engine: 'mysql',
  product: (serverVersion) => (/mariadb/i.test(serverVersion) ? `MariaDB ${serverVersion.replace(/-MariaDB.*$/i, '')}` : `MySQL ${serverVersion}`),
  errorLine: (error) => `${error.severity}${error.code ? ` ${error.code}` : ''}: ${error.message}\n`,
  preventionBy: (error) => {
    const errno = errnoOf(error.code);
    return errno === ER.deadlock ? 'deadlock' : errno === ER.snapshotConflict ? 'serialization failure' : null;
  },
  legend:
    `prevented (blocked): a step waited for a lock; (deadlock): ${ER.deadlock}; (serialization failure): ${ER.snapshotConflict}, ` +
    "a row changed since the snapshot (MariaDB's innodb_snapshot_isolation); (snapshot): the reads did not see it.",
};
