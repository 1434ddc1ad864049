import { InvalidOptionError } from '../../errors.js';
import type { CommonSettings } from '../../options/common.js';
import { optionTable, resolveValues } from '../../options/define.js';
import { SERVER_OPTIONS } from '../../options/server.js';
import { checkMysqlUrl } from './url.js';

/** MySQL's flags: those of every server engine. */
export const MYSQL_OPTIONS = optionTable({ ...SERVER_OPTIONS });

export interface MysqlSettings {
  readonly db: string | null;
  readonly gate: boolean;
  readonly lockTimeoutMs: number;
  readonly keep: boolean;
}

export function resolveMysql(given: Readonly<Record<string, unknown>>, common: CommonSettings): MysqlSettings {
  const values = resolveValues(MYSQL_OPTIONS, given);
  const db = values.db ?? null;
  if (db !== null) checkMysqlUrl(db);
  if (common.keep && db === null) throw new InvalidOptionError('--keep needs --db: the throwaway server and its data are deleted after every run');
  return { db, gate: values.gate, lockTimeoutMs: common.lockTimeoutMs, keep: common.keep };
}
