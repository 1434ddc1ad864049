import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The installed server programs a throwaway server is made from. */
export interface MysqlBinaries {
  /** mariadbd, or mysqld. */
  readonly server: string;
  /**
   * MariaDB's mariadb-install-db (or mysql_install_db), which creates the system tables; null
   * for MySQL, whose server initialises a data directory itself (`--initialize-insecure`).
   */
  readonly installDb: string | null;
}

/** Debian and most distributions put the server in an sbin directory, often not on a user's PATH. */
const SERVER_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/mysql/bin', '/usr/local/bin', '/usr/bin'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function find(names: readonly string[], dirs: readonly string[]): string | null {
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (executable(path)) return path;
    }
  }
  return null;
}

/**
 * The installed MariaDB or MySQL server, found on PATH or in the usual sbin directories, or null
 * when there is none (Debian: `apt-get install mariadb-server`).
 */
export function findMysqlBinaries(path = process.env.PATH ?? ''): MysqlBinaries | null {
  const dirs = [...path.split(delimiter).filter(Boolean), ...SERVER_DIRS];
  const mariadb = find(['mariadbd'], dirs);
  const installDb = find(['mariadb-install-db', 'mysql_install_db'], dirs);
  if (mariadb && installDb) return { server: mariadb, installDb };
  const mysqld = find(['mysqld'], dirs);
  if (!mysqld) return null;
  // Debian's mysqld is MariaDB's under its old name: it still needs the installer.
  return { server: mysqld, installDb };
}

/** The one line a user without a server is told. */
export const NO_MYSQL_SERVER =
  '--engine mysql needs a server: give one with --db mysql://user:password@host:3306/db (or $MYSQL_URL; `docker compose up -d --wait mysql` starts one), ' +
  'or install MariaDB (Debian: apt-get install mariadb-server) for a throwaway server';
