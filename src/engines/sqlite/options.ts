import { resolve } from 'node:path';
import { InvalidOptionError } from '../../errors.js';
import type { CommonSettings } from '../../options/common.js';
import { optionTable, RACE_COMMANDS, resolveValues } from '../../options/define.js';
import { SharedMutex } from '../../sync/mutex.js';

/** SQLite's own flags. */
export const SQLITE_OPTIONS = optionTable({
  file: { flag: 'file', type: 'string', describe: 'the database file', defaultText: 'a temp file, deleted after the run', commands: RACE_COMMANDS },
  journal: { flag: 'journal', type: 'string', choices: ['delete', 'wal'], default: 'delete', describe: 'journal mode: delete (the rollback journal) or wal', commands: RACE_COMMANDS },
});

export interface SqliteSettings {
  /** The absolute path of --file, or null for a temp file. */
  readonly file: string | null;
  readonly journal: 'delete' | 'wal';
  readonly lockTimeoutMs: number;
  readonly keep: boolean;
  /** The `mutex` mode's lock: the caller's (API only), or a new one per run. */
  readonly mutex: SharedMutex | null;
}

export function resolveSqlite(given: Readonly<Record<string, unknown>>, common: CommonSettings): SqliteSettings {
  const values = resolveValues(SQLITE_OPTIONS, given);
  const file = values.file === undefined ? null : resolve(values.file);
  if (common.keep && file === null) throw new InvalidOptionError('--keep needs --file: the temp file is deleted after every run');
  const mutex = given.mutex instanceof SharedMutex ? given.mutex : null;
  return { file, journal: values.journal, lockTimeoutMs: common.lockTimeoutMs, keep: common.keep, mutex };
}
