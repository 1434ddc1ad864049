import type { Engine } from '../types.js';
import { MYSQL_OPTIONS, resolveMysql } from './options.js';
import type { MysqlSettings } from './options.js';
import { MYSQL_SCENARIOS } from './scenarios/index.js';
import { openMysqlSession } from './session.js';

/** MySQL and MariaDB (InnoDB): a throwaway server from the installed binary, or yours with --db; a database per run. */
export const mysqlEngine: Engine<MysqlSettings, typeof MYSQL_OPTIONS> = {
  name: 'mysql',
  summary: 'MySQL or MariaDB (InnoDB): a throwaway server from the installed mariadbd, or yours with --db; each run in a database of its own',
  options: MYSQL_OPTIONS,
  explores: true,
  scenarios: MYSQL_SCENARIOS,
  urlVariable: 'MYSQL_URL',
  resolve: resolveMysql,
  open: openMysqlSession,
};
