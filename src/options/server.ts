import { optionTable, RELEASE_COMMANDS } from './define.js';

/**
 * The flags every engine with a server takes (PostgreSQL, MySQL): the same entries in each
 * engine's table, so the command line, --help and the docs list each once.
 */
export const SERVER_OPTIONS = optionTable({
  db: {
    flag: 'db',
    type: 'string',
    describe: 'URL of an existing server: postgres://… (postgres) or mysql://… (mysql)',
    defaultText: '$DATABASE_URL (postgres) or $MYSQL_URL (mysql), else a throwaway server',
    commands: ['run', 'compare', 'explore', 'spec', 'isolation', 'serve'],
    echo: false,
  },
  gate: {
    flag: 'gate',
    type: 'boolean',
    default: true,
    describe: "hold every worker's first statement at a server-side gate and open it for all at once; --no-gate: the barrier alone",
    commands: RELEASE_COMMANDS,
  },
});
